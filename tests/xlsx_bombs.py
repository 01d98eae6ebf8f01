"""Workbooks built by hand for the import limits (tests and bench/import_bombs.py): laid out as
Excel writes them, their sheet and shared strings streamed from chunks and deflated, so that a
few kB can stand for hundreds of MB."""

from __future__ import annotations

import zipfile

MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<?xml version="1.0"?><workbook xmlns="{MAIN.decode()}" xmlns:r="{RELS}">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
    ),
}


def write_xlsx(target, strings, sheet_rows) -> None:
    """Write the workbook to `target` (a path or a binary file) from chunks of shared strings
    (`<si>` elements) and of sheet rows (`<row>` elements)."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in PACKAGE_PARTS.items():
            archive.writestr(name, text)
        for name, root, inner, chunks in (
            ("xl/sharedStrings.xml", b"sst", b"", strings),
            ("xl/worksheets/sheet1.xml", b"worksheet", b"sheetData", sheet_rows),
        ):
            with archive.open(name, "w", force_zip64=True) as part:
                part.write(b'<?xml version="1.0"?><' + root + b' xmlns="' + MAIN + b'">')
                part.write(b"<" + inner + b">" if inner else b"")
                for chunk in chunks:
                    part.write(chunk)
                part.write((b"</" + inner + b">" if inner else b"") + b"</" + root + b">")


def repeated(head: bytes, piece: bytes, times: int, per_chunk: int = 10_000):
    """head, then `times` pieces, in chunks: a generator, so the inflated part never sits in memory."""
    yield head
    for start in range(0, times, per_chunk):
        yield piece * min(per_chunk, times - start)
