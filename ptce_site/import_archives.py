"""The zip container of an uploaded XLSX or ODS file (``imports.read_table``): its size, and
an XLSX sheet's merged cells.

A real XLSX or ODS deflates 5 to 20 times; a zip bomb, thousands of times: an archive that
would inflate beyond ``MAX_UNCOMPRESSED_BYTES`` or ``MAX_RATIO`` times its size is refused,
from its directory, before any XML is read.

A merged range keeps its value in its first cell only: the others read empty. In a file to
import, a region merged over the rows of ten poles would give the first its region and
empty the nine others', unseen (the sheet shows the value on every row). Merged cells among the
data rows are refused, with where they are; above or in the header line (a title over the
columns) they lose nothing.

openpyxl's read-only mode, which the import uses for large sheets, does not read the merges:
they are found in the sheet's part, after its rows, without parsing the rows a second time.
"""

from __future__ import annotations

import re
import zipfile

from openpyxl.utils.cell import range_boundaries

MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]{1,3}[0-9]+:[A-Z]{1,3}[0-9]+)\"")
MAX_RATIO = 200
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_ZIP_MEMBERS = 2_000
CHUNK = 1 << 20
OVERLAP = 200  # longer than a <mergeCell> element, cut between two chunks


def abnormal_size(archive: zipfile.ZipFile) -> int | None:
    """The bytes ``archive`` would inflate to, when out of proportion (else None)."""
    members = archive.infolist()
    total = sum(member.file_size for member in members)
    if (
        len(members) > MAX_ZIP_MEMBERS
        or total > MAX_UNCOMPRESSED_BYTES
        or any(m.file_size > MAX_RATIO * max(m.compress_size, 1024) for m in members)
    ):
        return total
    return None


def merged_ranges(archive: zipfile.ZipFile, part: str) -> list[tuple[int, int, int]]:
    """The merged ranges of the sheet ``part`` of ``archive``: (first column, first row, last
    row) of each, in the order of the file."""
    found: dict[bytes, None] = {}
    with archive.open(part) as stream:
        previous = b""
        while chunk := stream.read(CHUNK):
            text = previous[-OVERLAP:] + chunk
            if b"mergeCell" in text:
                found.update(dict.fromkeys(MERGE.findall(text)))
            previous = chunk
    ranges = []
    for ref in found:
        first_column, first_row, _last_column, last_row = range_boundaries(ref.decode())
        ranges.append((first_column, first_row, last_row))
    return ranges


def first_merge_below(ranges, header_line: int) -> tuple[int, int] | None:
    """Where the first merged range reaching below ``header_line`` starts among the data rows:
    (its column's index from 0, its line), or None."""
    for first_column, first_row, last_row in ranges:
        if last_row > header_line:
            return first_column - 1, max(first_row, header_line + 1)
    return None
