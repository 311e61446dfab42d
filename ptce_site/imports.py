"""Reading a spreadsheet someone uploads, safely: the one gate every bulk import goes through
(the admin's import pages and ``manage.py import_registry``).

Accepted: CSV (``;`` or ``,``, found from the header line; UTF-8 with or without BOM, or
Windows-1252 as French spreadsheets save it, recognised with charset-normalizer), XLSX and ODS.
Refused with a French sentence (``ImportFileError``) and nothing read further:

- a file larger than ``IMPORT_MAX_BYTES`` or with more data rows than ``IMPORT_MAX_ROWS``;
- what is not a spreadsheet (an image, a PDF, a Word document, an old ``.xls``);
- an archive that would inflate out of proportion (a zip bomb named ``.xlsx``), checked from
  the zip's directory before any XML is read (``import_archives``);
- an XLSX with merged cells among its data rows (all but the first would be read empty);
- a text in another encoding (UTF-16, Cyrillic, Japanese…), or in two (UTF-8 and
  Windows-1252 lines: two files pasted together);
- a malformed CSV (a quote left open, which would swallow the rows after it), and a cell
  longer than ``MAX_CELL_CHARS`` in any format, said with its line;
- a NUL character in a cell (PostgreSQL refuses it, SQLite would keep it unseen);
- formulas: an XLSX or ODS cell holding a formula, or a CSV cell starting with ``=``, are
  refused, not neutralised: a registry takes values, and a formula's value is not in the file.

A value our exports neutralised (``'+33 1…``) is read back as it was (``spreadsheet_value``).
django-import-export reads it through ``import_admin.SpreadsheetFormat``.
"""

from __future__ import annotations

import csv
import io
import logging
import zipfile
from collections import defaultdict
from typing import NamedTuple
from xml.etree.ElementTree import ParseError

import tablib
from charset_normalizer import from_bytes
from defusedxml import DefusedXmlException
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from .exports import spreadsheet_value
from .import_archives import abnormal_size, first_merge_below, merged_ranges
from .import_errors import (
    ImportFileError,
    damaged,
    formula_error,
    merged_cells,
    not_a_spreadsheet,
)
from .import_ods import MAX_SHEET_ROWS, OdsSheet

logger = logging.getLogger(__name__)
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls (and .doc)
# The longest cell read, whatever the format: Python's CSV reader's default limit, checked here
# too since that limit is the process's and a library may raise it (frictionless does).
MAX_CELL_CHARS = 131_072


def check_size(size: int) -> None:
    if size > settings.IMPORT_MAX_BYTES:
        raise ImportFileError(
            _("Le fichier pèse %(size)s Mo : la limite est de %(limit)s Mo. Découpez-le.")
            % {
                "size": round(size / 1024 / 1024, 1),
                "limit": round(settings.IMPORT_MAX_BYTES / 1024 / 1024),
            }
        )


def read_table(data: bytes) -> tablib.Dataset:
    """The first sheet of the uploaded file ``data`` as a ``tablib.Dataset`` (headers from its
    first line), or ``ImportFileError``."""
    check_size(len(data))
    if not data.strip():
        raise ImportFileError(_("Le fichier est vide."))
    if data.startswith(b"PK\x03\x04"):
        try:
            return _read_zipped(data)
        except ImportFileError:
            raise
        except Exception:  # a damaged archive: zlib's, zipfile's, openpyxl's errors...
            logger.warning("Uploaded spreadsheet unreadable", exc_info=True)
            raise damaged() from None
    if data.startswith(OLE2_MAGIC):
        raise ImportFileError(
            _("Les anciens fichiers Excel (.xls) ne sont pas acceptés : enregistrez-le en .xlsx.")
        )
    return _read_csv(_decode(data))


def _too_many_rows() -> ImportFileError:
    return ImportFileError(
        _("Le fichier compte plus de %(limit)s lignes : découpez-le en plusieurs fichiers.")
        % {"limit": number_format(settings.IMPORT_MAX_ROWS, force_grouping=True)}
    )


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise ImportFileError(_encoding_message())
        raise not_a_spreadsheet()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if lines := _lines_in_two_encodings(data):
        raise ImportFileError(
            _(
                "Le fichier mêle deux encodages (UTF-8 à la ligne %(utf8)s, Windows-1252 à la "
                "ligne %(other)s) : enregistrez-le en « CSV UTF-8 » (ou en XLSX) et "
                "envoyez-le à nouveau."
            )
            % lines
        )
    # Asked whether the bytes read as Windows-1252 text (its measure of "chaos" refuses
    # Cyrillic or Japanese read that way); its free guess is unreliable on short files.
    if from_bytes(data[:200_000], cp_isolation=["cp1252"]).best() is None:
        raise ImportFileError(_encoding_message())
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:  # five bytes Windows-1252 leaves undefined
        return data.decode("latin-1")


def _lines_in_two_encodings(data: bytes) -> dict[str, int] | None:
    """The first accented line in UTF-8 and the first that is not, when a file holds both (two
    files pasted together): read as Windows-1252, the UTF-8 lines would turn into « PÃ´le »."""
    first: dict[str, int] = {}
    for number, line in enumerate(data.removeprefix(b"\xef\xbb\xbf").split(b"\n"), 1):
        if line.isascii():
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            first.setdefault("other", number)
        else:
            # Some Windows-1252 lines are valid UTF-8 too (« SOLIDARITÉ\xa0: » reads
            # « SOLIDARITɠ: »): a line is UTF-8 when it writes a character of Windows-1252's
            # (French text does), not only ones a French file never holds.
            if any(not char.isascii() and _in_cp1252(char) for char in text):
                first.setdefault("utf8", number)
        if len(first) == 2:
            return first
    return None


def _in_cp1252(char: str) -> bool:
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _encoding_message() -> str:
    return _(
        "L'encodage du fichier n'est pas reconnu : enregistrez-le en « CSV UTF-8 » (ou en "
        "XLSX) et envoyez-le à nouveau."
    )


def _read_csv(text: str) -> tablib.Dataset:
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    # Strict: a quote left open would otherwise swallow every line after it into one cell.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    return _dataset(_bounded_rows(_csv_rows(reader), text_cells=True))


def _csv_rows(reader):
    """The reader's rows; a malformed one refuses the file with the line where it starts."""
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise _malformed_csv(line, str(error)) from None
        yield row


def _malformed_csv(line: int, reason: str) -> ImportFileError:
    if "field larger than field limit" in reason:
        return _cell_too_long(line)
    return ImportFileError(
        _(
            "ligne %(line)s : des guillemets sont mal placés ou ne sont pas refermés. Corrigez "
            "cette ligne (ou enregistrez le fichier depuis un tableur) et envoyez-le à nouveau."
        )
        % {"line": line}
    )


def _cell_too_long(line: int) -> ImportFileError:
    return ImportFileError(
        _(
            "ligne %(line)s : une cellule dépasse %(limit)s caractères. Raccourcissez-la et "
            "envoyez le fichier à nouveau."
        )
        % {"line": line, "limit": number_format(MAX_CELL_CHARS, force_grouping=True)}
    )


class Table(NamedTuple):
    """A sheet's rows as read (the header first, blank lines left out) and the line of each in
    the file, which the messages name."""

    rows: list[list]
    lines: list[int]


def _bounded_rows(rows, *, text_cells: bool = False) -> Table:
    """The rows, up to the limit, with blank lines left out and neutralised values restored,
    and the line of each in the file; a CSV cell starting with "=" is a formula a spreadsheet
    would run, and a NUL character in a cell is refused."""
    kept: list[list] = []
    lines: list[int] = []
    header: list = []
    for line, row in enumerate(rows, 1):
        values = [v.strip() if isinstance(v, str) else v for v in row]
        if all(value in ("", None) for value in values):
            continue
        if not header:
            header = _header(values)
        for index, value in enumerate(values):
            if not isinstance(value, str):
                continue
            if len(value) > MAX_CELL_CHARS:
                raise _cell_too_long(line)
            column = _column(header, index)
            if text_cells and value.startswith("=") and kept:
                raise formula_error(line, column)
            if "\x00" in value:  # PostgreSQL refuses it in text; SQLite would keep it unseen
                raise ImportFileError(
                    _(
                        "ligne %(line)s, colonne « %(column)s » : la cellule contient un "
                        "caractère nul (invisible). Retirez-le et envoyez le fichier à nouveau."
                    )
                    % {"line": line, "column": column}
                )
        kept.append([spreadsheet_value(value) for value in values])
        lines.append(line)
        if len(kept) > settings.IMPORT_MAX_ROWS + 1:
            raise _too_many_rows()
    return Table(kept, lines)


def _header(values) -> list[str]:
    """The names of a header row's columns."""
    return [str(value or "").strip() for value in values]


def _column(header: list[str], index: int) -> str:
    """A column as a message names it: its header, or its number beyond the header."""
    return header[index] if index < len(header) else str(index + 1)


def refuse_repeated_columns(headers: list[str], known: set[str]) -> None:
    """Refuses a file naming one of the ``known`` columns twice (« nom » and « Nom », « slug »
    and « identifiant », once the resource has matched the headers): only one of them would be
    read, the other lost without a word."""
    positions = defaultdict(list)
    for position, header in enumerate(headers, 1):
        if header in known:
            positions[header].append(str(position))
    repeated = [(name, found) for name, found in positions.items() if len(found) > 1]
    if repeated:
        raise ImportFileError(
            _("Colonnes en double : %(columns)s. Gardez une seule colonne de chaque.")
            % {
                "columns": " ; ".join(
                    _("« %(column)s » (colonnes %(positions)s)")
                    % {"column": name, "positions": ", ".join(found)}
                    for name, found in repeated
                )
            }
        )


def _dataset(table: Table) -> tablib.Dataset:
    """The rows as a dataset, its ``lines`` each data row's line in the file (``file_line``)."""
    rows = table.rows
    if not rows:
        raise ImportFileError(_("Le fichier est vide."))
    headers = _header(rows[0])
    while headers and not headers[-1]:
        headers.pop()
    if not any(headers):
        raise ImportFileError(_("La première ligne doit nommer les colonnes."))
    width = len(headers)
    dataset = tablib.Dataset(headers=headers)
    for row in rows[1:]:
        row = list(row[:width]) + [""] * (width - len(row))
        dataset.append(["" if value is None else value for value in row])
    dataset.lines = table.lines[1:]
    return dataset


def file_line(dataset, number: int) -> int:
    """The line in the file of the data row ``number`` (from 1): blank lines were left out,
    yet a message names the line the spreadsheet shows."""
    lines = getattr(dataset, "lines", None) or []
    return lines[number - 1] if 0 < number <= len(lines) else number + 1


def _open_zip(data: bytes) -> zipfile.ZipFile:
    """The archive, once its directory shows nothing that inflates out of proportion."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise not_a_spreadsheet() from None
    if (total := abnormal_size(archive)) is not None:
        raise ImportFileError(
            _(
                "Ce fichier se décompresse en un volume anormal (%(size)s Mo) : il est refusé "
                "par sécurité."
            )
            % {"size": round(total / 1024 / 1024)}
        )
    return archive


def _read_zipped(data: bytes) -> tablib.Dataset:
    archive = _open_zip(data)
    names = set(archive.namelist())
    if "xl/workbook.xml" in names:
        return _read_xlsx(data, archive)
    if {"mimetype", "content.xml"} <= names and archive.read("mimetype").strip() == ODS_MIMETYPE:
        content = archive.read("content.xml")
        if b"table:formula=" in content:
            raise ImportFileError(
                _(
                    "Le fichier contient des formules, qui ne sont pas acceptées : collez "
                    "plutôt leurs valeurs (Collage spécial → Valeurs) et envoyez-le à nouveau."
                )
            )
        sheet = OdsSheet(content)  # the first: the others may list the allowed values
        try:
            table = _bounded_rows(sheet.rows())
        except (ParseError, DefusedXmlException):
            raise not_a_spreadsheet() from None
        _refuse_merged_data(table, sheet.merges)
        return _dataset(table)
    raise not_a_spreadsheet()


def _refuse_merged_data(table: Table, merges) -> None:
    """Refuses merged cells among the data rows (``import_archives``)."""
    if table.lines and (merge := first_merge_below(merges, table.lines[0])):
        raise merged_cells(merge[1], _column(_header(table.rows[0]), merge[0]))


def _read_xlsx(data: bytes, archive: zipfile.ZipFile) -> tablib.Dataset:
    from openpyxl import load_workbook  # uses defusedxml when installed (it is)

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl's errors on a damaged file have no common base
        raise not_a_spreadsheet() from None
    if not workbook.worksheets:
        raise ImportFileError(_("Le fichier est vide."))
    sheet = workbook.worksheets[0]
    # Every row and column the sheet holds: read-only openpyxl stops at the size the file
    # declares (<dimension>), which some programs write wrong, and the rest was lost unseen.
    sheet.reset_dimensions()
    header: list = []

    def cells():
        for line, row in enumerate(sheet.iter_rows(), 1):
            if line > MAX_SHEET_ROWS:  # no spreadsheet holds more: openpyxl would count on
                raise damaged()
            values = []
            for index, cell in enumerate(row):
                if getattr(cell, "data_type", None) == "f":
                    raise formula_error(line, _column(header, index))
                values.append(cell.value)
            if not header and any(value not in ("", None) for value in values):
                header.extend(_header(values))
            yield values

    try:
        table = _bounded_rows(cells())
        part = getattr(sheet, "_worksheet_path", None)  # openpyxl's, not public
        _refuse_merged_data(table, merged_ranges(archive, part) if part else [])
        return _dataset(table)
    finally:
        workbook.close()
