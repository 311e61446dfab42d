"""The first sheet of an uploaded ODS file, as rows of values (``imports.read_table``).

tablib's reader (odfpy's document model) lost values of the files LibreOffice writes: a cell
that LibreOffice stores once for several identical neighbours (``number-columns-repeated``:
two adjacent « non ») was read once, and repeated empty cells were dropped, so that every value
after them moved to the column on its left (a region read as a territory); a cell's second
paragraph, and the words after a styled span, were lost. Here ``content.xml`` is streamed
(defusedxml: no entity, no DTD) and each cell is read as the spreadsheet shows it:

- repeated cells and rows count as many times as they are repeated (blank ones at the end of a
  row or of the sheet, which LibreOffice repeats up to the last column and row, are skipped);
- text: every paragraph of the cell, joined by line breaks, with its spaces (``text:s``), tabs
  and line breaks; a cell's comment (``office:annotation``) is not its value;
- numbers, dates and booleans from their typed attributes;
- merged cells (``number-columns-spanned``, ``number-rows-spanned``) are recorded in
  ``merges`` as (first column, first row, last row), for the caller to refuse those among the
  data rows, as in an XLSX sheet.
"""

from __future__ import annotations

import datetime
import io
from itertools import repeat

from defusedxml.ElementTree import iterparse

from .import_errors import damaged

TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
MAX_COLUMNS = 1024  # beyond, a repeated value is no registry's column
MAX_SHEET_ROWS = 1_048_576  # LibreOffice's and Excel's last row


class OdsSheet:
    """``rows()`` yields each row's values (blank rows too, for the line numbers); ``merges``
    is filled as they are read."""

    def __init__(self, content: bytes):
        self.content = content
        self.merges: list[tuple[int, int, int]] = []

    def rows(self):
        line, blank_rows, depth = 0, 0, 0
        row: list = []
        blanks = 0  # empty cells not yet added: only if a value follows them
        for event, element in iterparse(io.BytesIO(self.content), events=("start", "end")):
            tag = element.tag
            if tag == f"{TABLE}table":
                depth += 1 if event == "start" else -1
                if depth == 0:
                    return  # the first sheet only
                continue
            if depth != 1 or event != "end":
                continue
            if tag in (f"{TABLE}table-cell", f"{TABLE}covered-table-cell"):
                value = cell_value(element) if tag == f"{TABLE}table-cell" else ""
                repeated = _count(element, "number-columns-repeated")
                self._record_merge(element, line + 1, len(row) + blanks + 1)
                if value in ("", None):
                    blanks += repeated
                elif (room := MAX_COLUMNS - len(row) - blanks) > 0:
                    row.extend([""] * blanks + [value] * min(repeated, room))
                    blanks = 0
                element.clear()
            elif tag == f"{TABLE}table-row":
                repeated = _count(element, "number-rows-repeated")
                if row:
                    if line + 1 > MAX_SHEET_ROWS:  # no spreadsheet holds more
                        raise damaged()
                    yield from repeat([], blank_rows)  # the blank rows between, for the lines
                    yield from (list(row) for _ in range(repeated))
                    blank_rows = 0
                else:
                    blank_rows += repeated
                line += repeated
                row, blanks = [], 0
                element.clear()

    def _record_merge(self, cell, line: int, column: int) -> None:
        rows = _count(cell, "number-rows-spanned")
        if rows > 1 or _count(cell, "number-columns-spanned") > 1:
            self.merges.append((column, line, line + rows - 1))


def _positive(element, qualified_name: str) -> int:
    """A repeat or span count of ``element`` (1 when absent or not a positive number)."""
    try:
        return max(1, int(element.get(qualified_name, "1")))
    except ValueError:
        return 1


def _count(element, name: str) -> int:
    return _positive(element, f"{TABLE}{name}")


def cell_value(cell):
    """A cell's value: typed for numbers, dates and booleans, else its text."""
    kind = cell.get(f"{OFFICE}value-type", "")
    try:
        if kind in ("float", "percentage", "currency"):
            return float(cell.get(f"{OFFICE}value"))
        if kind == "date":
            text = cell.get(f"{OFFICE}date-value", "")
            if "T" in text:
                return datetime.datetime.fromisoformat(text)
            return datetime.date.fromisoformat(text)
        if kind == "boolean":
            return cell.get(f"{OFFICE}boolean-value") == "true"
    except (TypeError, ValueError):
        pass  # a value the file types wrongly: its text, as shown
    if (text := cell.get(f"{OFFICE}string-value")) is not None:
        return text
    paragraphs = [child for child in cell if child.tag in (f"{TEXT}p", f"{TEXT}h")]
    return "\n".join(_text(paragraph) for paragraph in paragraphs)


def _text(element) -> str:
    """The text of a paragraph, its spans and links included, its notes left out."""
    parts = [element.text or ""]
    for child in element:
        if child.tag == f"{TEXT}s":
            parts.append(" " * _spaces(child))
        elif child.tag == f"{TEXT}tab":
            parts.append("\t")
        elif child.tag == f"{TEXT}line-break":
            parts.append("\n")
        elif child.tag not in (f"{OFFICE}annotation", f"{TEXT}note"):
            parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _spaces(element) -> int:
    return _positive(element, f"{TEXT}c")
