"""The gate of every bulk import (ptce_site/imports.py): what it reads, what it refuses and why,
in French, before any row reaches the database."""

import csv
import io
import re
import zipfile

import pytest
import tablib
from openpyxl import Workbook

from ptce_site.exports import SafeODS, SafeXLSX, SemicolonCSV
from ptce_site.imports import ImportFileError, read_table


def refused(data: bytes) -> str:
    with pytest.raises(ImportFileError) as caught:
        read_table(data)
    return " ".join(caught.value.messages)


def xlsx(rows, *merged) -> bytes:
    """A workbook of ``rows``, with the ``merged`` ranges of cells merged."""
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    for cells in merged:
        workbook.active.merge_cells(cells)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        "nom;région\nPôle Sud;Occitanie\n".encode(),
        "\ufeffnom;région\r\nPôle Sud;Occitanie\r\n".encode(),  # Excel's "CSV UTF-8"
        "nom,région\nPôle Sud,Occitanie\n".encode(),
        "nom;région\nPôle Sud;Occitanie\n".encode("cp1252"),  # Excel for Windows' "CSV"
    ],
    ids=["utf-8", "utf-8-bom", "commas", "windows-1252"],
)
def test_csv_files_are_read_whatever_their_separator_and_encoding(data):
    dataset = read_table(data)
    assert dataset.headers == ["nom", "région"]
    assert dataset.dict == [{"nom": "Pôle Sud", "région": "Occitanie"}]


def test_windows_1252_keeps_its_typographic_characters():
    data = "nom;région\nCœur d’Hérault;Occitanie\n".encode("cp1252")
    assert read_table(data)[0][0] == "Cœur d’Hérault"


def test_xlsx_and_ods_files_are_read_as_their_first_sheet():
    table = tablib.Dataset(["Pôle Sud", 43.6, 3], headers=["nom", "latitude", "année"])
    for data in (SafeXLSX().export_data(table), SafeODS().export_data(table)):
        dataset = read_table(data)
        assert dataset.headers == ["nom", "latitude", "année"]
        assert dataset[0][0] == "Pôle Sud" and float(dataset[0][1]) == 43.6


def test_merged_cells_among_the_data_rows_are_refused_with_where_they_are():
    """A region merged over three poles' rows: the first got it, the two others were read with
    an empty region (and an import emptied theirs)."""
    rows = [["nom", "région", "territoire"], ["A", "84", "T"], ["B", None, "U"], ["C", None, "V"]]
    message = refused(xlsx(rows, "B2:B4"))
    assert message.startswith("ligne 2, colonne « région » : des cellules sont fusionnées")
    assert refused(xlsx(rows, "C3:D3")).startswith("ligne 3, colonne « territoire »")
    # Header cells merged lose no value.
    assert [row[0] for row in read_table(xlsx(rows, "A1:B1"))] == ["A", "B", "C"]


ODS_CONTENT = (
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body>'
    '<office:spreadsheet><table:table table:name="Feuille1">{rows}</table:table>'
    "</office:spreadsheet></office:body></office:document-content>"
)

ODS_MANIFEST = (
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
    '<manifest:file-entry manifest:full-path="/" '
    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def ods(*rows: str) -> bytes:
    """An ODS file whose first sheet's rows are written as LibreOffice writes them."""
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", ODS_MANIFEST)
        archive.writestr("content.xml", ODS_CONTENT.format(rows="".join(rows)))
    return stream.getvalue()


def row(*cells: str, repeated: int = 1) -> str:
    repeat = f' table:number-rows-repeated="{repeated}"' if repeated > 1 else ""
    return f"<table:table-row{repeat}>{''.join(cells)}</table:table-row>"


def cell(text: str = "", repeated: int = 1, attributes: str = "") -> str:
    if repeated > 1:
        attributes += f' table:number-columns-repeated="{repeated}"'
    if text:
        attributes += ' office:value-type="string"'
        return f"<table:table-cell{attributes}><text:p>{text}</text:p></table:table-cell>"
    return f"<table:table-cell{attributes}/>"


def test_an_ods_sheet_is_read_as_libreoffice_shows_it():
    """LibreOffice stores identical neighbouring cells once, repeated: the reader read them
    once and dropped repeated empty cells, so the values after them moved one column left
    (a region read as a territory); it kept a cell's first paragraph only, and refused a file
    holding a comment as « not a spreadsheet »."""
    header = row(*map(cell, ["nom", "statut", "territoire", "témoin", "publié", "région"]))
    data = ods(
        header,
        row(
            cell("Pôle A"),
            cell(repeated=2),
            cell("non", repeated=2),
            cell("84"),
            cell(repeated=1018),
        ),
        row(cell("Pôle B"), cell(), cell("Bray"), cell(), cell("oui"), cell("84"), repeated=2),
        row(
            cell('Un<text:s text:c="2"/><text:span>deux</text:span></text:p><text:p>trois'),
            cell(attributes=' office:value-type="float" office:value="45.75"'),
        ),
        row(cell(repeated=1024), repeated=1048570),
    )
    assert [list(values) for values in read_table(data)] == [
        ["Pôle A", "", "", "non", "non", "84"],
        ["Pôle B", "", "Bray", "", "oui", "84"],
        ["Pôle B", "", "Bray", "", "oui", "84"],
        ["Un  deux\ntrois", 45.75, "", "", "", ""],
    ]
    comment = "<office:annotation><text:p>à vérifier</text:p></office:annotation>"
    data = ods(header, row(cell("Pôle C"), f"<table:table-cell>{comment}</table:table-cell>"))
    assert list(read_table(data)[0]) == ["Pôle C", "", "", "", "", ""]
    spanned = ods(
        row(cell("nom"), cell("région")),
        row(cell("A"), cell("84", attributes=' table:number-rows-spanned="2"')),
        row(cell("B"), "<table:covered-table-cell/>"),
    )
    assert refused(spanned).startswith("ligne 2, colonne « région » : des cellules sont fusionnées")


def test_an_ods_sheet_repeating_cells_or_rows_beyond_a_sheets_size_costs_nothing():
    """Repeats are counts: a hostile file's billion blank rows or cells before a value were
    expanded (memory) or counted one by one (time)."""
    header = row(cell("nom"), cell("région"))
    wide = ods(header, row(cell("A"), cell(repeated=10**9), cell("perdu")))
    assert [list(values) for values in read_table(wide)] == [["A", ""]]
    tall = ods(header, row(cell(), repeated=10**9), row(cell("B"), cell("84")))
    assert refused(tall).startswith("Ce fichier est endommagé")


def test_a_value_our_exports_neutralised_reads_back_as_it_was():
    table = tablib.Dataset(["=1+1", "+33 1 23 45 67 89"], headers=["nom", "téléphone"])
    for data in (SemicolonCSV().export_data(table).encode(), SafeXLSX().export_data(table)):
        assert list(read_table(data)[0]) == ["=1+1", "+33 1 23 45 67 89"]


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.IMPORT_MAX_BYTES = 10 * 1024 * 1024
    data = b"nom\n" + b"x" * (50 * 1024 * 1024)
    assert "50.0 Mo" in refused(data) and "10 Mo" in refused(data)


def test_a_file_over_the_row_limit_is_refused(settings):
    settings.IMPORT_MAX_ROWS = 20_000
    data = ("nom\n" + "".join(f"Pôle {n}\n" for n in range(100_000))).encode()
    assert "plus de 20" in refused(data)


@pytest.mark.parametrize(
    "data",
    [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"%PDF-1.4\n\x00\x01\x02binary", b""],
    ids=["png", "pdf", "empty"],
)
def test_what_is_not_a_spreadsheet_is_refused(data):
    message = refused(data)
    assert "n'est pas un tableur" in message or "vide" in message


def test_an_old_xls_and_a_word_document_are_refused():
    assert ".xlsx" in refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert "n'est pas un tableur" in refused(stream.getvalue())


def rewritten(data: bytes, member: str, change) -> bytes:
    """The archive ``data`` with ``member``'s content passed through ``change``."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as copy:
        for info in archive.infolist():
            content = archive.read(info)
            copy.writestr(info.filename, change(content) if info.filename == member else content)
    return stream.getvalue()


def damaged(data: bytes, member: str) -> bytes:
    """``data`` with ``member``'s compressed bytes scrambled, as a broken download leaves it."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(member)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    scrambled = bytearray(data)
    for index in range(start + info.compress_size // 2, start + info.compress_size // 2 + 20):
        scrambled[index] ^= 0x5A
    return bytes(scrambled)


def test_a_damaged_xlsx_or_ods_or_one_without_a_sheet_is_refused_in_french():
    """zlib's and zipfile's errors reached the admin as « 'error' encountered while trying to
    read file » (and the command as a traceback); a workbook without a sheet as IndexError."""
    rows = [[f"Pôle {number}", "x" * 50, number] for number in range(200)]
    broken_ods = damaged(
        ods(*(row(cell(f"v{n}"), cell("w" * 40)) for n in range(300))), "content.xml"
    )
    for data in (damaged(xlsx(rows), "xl/worksheets/sheet1.xml"), broken_ods):
        assert refused(data).startswith("Ce fichier est endommagé et ne peut pas être lu")
    no_sheet = rewritten(
        xlsx(rows), "xl/workbook.xml", lambda xml: re.sub(rb"<sheets>.*</sheets>", b"", xml)
    )
    assert refused(no_sheet) == "Le fichier est vide."


def test_an_xlsx_is_read_whole_whatever_size_it_declares(monkeypatch):
    """openpyxl's read-only mode stops at the size a sheet declares (``<dimension>``), which
    some programs write wrong: the rows and columns beyond it were dropped unseen."""
    data = xlsx([["nom", "région", "territoire"], ["A", "84", "T"], ["B", "53", "U"]])
    sheet = "xl/worksheets/sheet1.xml"
    stale = rewritten(data, sheet, lambda xml: re.sub(rb'ref="A1:C3"', b'ref="A1:B2"', xml))
    dataset = read_table(stale)
    assert dataset.headers == ["nom", "région", "territoire"]
    assert [list(values) for values in dataset] == [["A", "84", "T"], ["B", "53", "U"]]
    # A row beyond a sheet's last: no program writes one, and openpyxl counts every row up to it.
    monkeypatch.setattr("ptce_site.imports.MAX_SHEET_ROWS", 100)
    far = b'<row r="200"><c r="A200" t="inlineStr"><is><t>C</t></is></c></row></sheetData>'
    beyond = rewritten(data, sheet, lambda xml: xml.replace(b"</sheetData>", far))
    assert refused(beyond).startswith("Ce fichier est endommagé")


def test_a_zip_bomb_named_xlsx_is_refused_before_any_xml_is_read():
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (60 * 1024 * 1024))
    assert len(stream.getvalue()) < 1024 * 1024
    assert "volume anormal" in refused(stream.getvalue())


@pytest.mark.parametrize("encoding", ["utf-16", "shift_jis", "koi8_r"])
def test_a_file_in_another_encoding_is_refused(encoding):
    text = {
        "shift_jis": "名前;地域\n東京の協同組合;大阪\n",
        "koi8_r": "имя;регион\nМосква;Россия\n",
    }
    data = text.get(encoding, "nom;région\nPôle;Occitanie\n").encode(encoding)
    assert "encodage" in refused(data)


def test_formulas_are_refused_with_their_line_and_column():
    message = refused(xlsx([["nom", "année de création"], ["Pôle Sud", "=2000+15"]]))
    assert "ligne 2, colonne « année de création »" in message and "formule" in message
    message = refused('nom;territoire\nPôle;=HYPERLINK("http://x")\n'.encode())
    assert "ligne 2, colonne « territoire »" in message


def test_a_file_mixing_utf8_and_windows_1252_is_refused_not_read_as_mojibake():
    """Two files pasted together: read as Windows-1252, the UTF-8 lines became « PÃ´le »."""
    data = "nom;région\nPôle Sud;Occitanie\n".encode() + "Pôle Nord;Grand Est\n".encode("cp1252")
    message = refused(data)
    assert "mêle deux encodages (UTF-8 à la ligne 1, Windows-1252 à la ligne 3)" in message
    earlier = "nom;région\nPôle Nord;Grand Est\n".encode("cp1252") + "Pôle Sud;Occitanie\n".encode()
    assert "UTF-8 à la ligne 3, Windows-1252 à la ligne 1" in refused(earlier)


def test_a_windows_1252_line_that_happens_to_be_valid_utf8_is_not_taken_for_utf8():
    """« SOLIDARITÉ : » with the no-break space French puts before a colon is, byte for byte,
    valid UTF-8 (« SOLIDARITɠ: »): the file is Windows-1252 throughout and is read."""
    data = "nom;devise\nASSO;SOLIDARITÉ\u00a0: emploi\nPôle Sud;été\n".encode("cp1252")
    assert read_table(data).dict == [
        {"nom": "ASSO", "devise": "SOLIDARITÉ\u00a0: emploi"},
        {"nom": "Pôle Sud", "devise": "été"},
    ]


def test_a_quote_left_open_is_refused_instead_of_swallowing_the_next_rows():
    data = 'nom;région\n"Pôle Sud;Occitanie\nPôle Nord;Grand Est\nPôle Est;Grand Est\n'.encode()
    assert "ligne 2 : des guillemets sont mal placés ou ne sont pas refermés" in refused(data)
    misplaced = 'nom;région\nPôle Ouest;Bretagne\n"Pôle "Sud";Occitanie\n'.encode()
    assert "ligne 3 : des guillemets" in refused(misplaced)
    quoted = 'nom;région\n"Pôle ""Sud""; le vrai";Occitanie\n"deux\nlignes";Bretagne\n'.encode()
    assert read_table(quoted).dict == [
        {"nom": 'Pôle "Sud"; le vrai', "région": "Occitanie"},
        {"nom": "deux\nlignes", "région": "Bretagne"},
    ]


@pytest.mark.parametrize("reader_limit", [131_072, 2**31 - 1], ids=["python", "raised"])
def test_a_cell_too_long_is_said_so_with_its_line(reader_limit):
    """Whatever the CSV reader's limit in the process (Python's, or the one a library such
    as frictionless sets for every reader): it said « n'est pas un tableur »."""
    previous = csv.field_size_limit(reader_limit)
    try:
        data = ("nom;description\nPôle Sud;court\nPôle Nord;" + "x" * 200_000 + "\n").encode()
        message = refused(data)
    finally:
        csv.field_size_limit(previous)
    assert message.startswith("ligne 3 : une cellule dépasse 131\xa0072 caractères")


def test_a_nul_character_in_a_cell_is_refused_with_its_line_and_column():
    """Past the first 4 kB, where a NUL means a binary file: PostgreSQL refuses it (in
    English, row by row) and SQLite would store it unseen."""
    rows = "".join(f"Pôle {n};Occitanie\n" for n in range(300))
    data = f"nom;région\n{rows}Pôle\x00Sud;Occitanie\n".encode()
    assert "ligne 302, colonne « nom » : la cellule contient un caractère nul" in refused(data)


def test_a_file_with_no_header_is_refused():
    assert "vide" in refused(b"\n\n;;\n")
