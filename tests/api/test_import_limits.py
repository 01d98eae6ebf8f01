"""Hostile import files answer 413 or 422 naming the limit, within seconds, and reports stay small.

The bombs are built here: a CSV of more rows than allowed, a file past the byte limit, XLSX
files whose shared strings or sheet inflate far past the caps, a sheet that declares a row far
down, a zip that lies about its sizes, and a DOCTYPE with entities.
"""

from __future__ import annotations

import io
import json
import time
import zipfile

import pytest

from app.extensions import db
from app.models import Household
from tests.services.test_importing import csv_bytes
from tests.xlsx_bombs import MAIN, repeated, write_xlsx

MB = 1024 * 1024


def answer(api, district, data, name="households.csv", url="/households/import"):
    """POST the file (in English) and return (status, body, seconds)."""
    started = time.monotonic()
    response = api.post(
        f"{url}?lang=en",
        user=district.a.coordinator,
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    return response.status_code, response.get_json(), time.monotonic() - started


def _message(body: dict) -> str:
    return body["message"] + " " + " ".join(body.get("errors", {}).get("json", {}).get("file", []))


HEADER_STRINGS = b"<si><t>grid</t></si><si><t>label</t></si><si><t>nowhere</t></si>"
HEADER_ROWS = (
    b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    b'<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2"><v>101</v></c></row>'
)


def handmade_xlsx(sheet_rows=(HEADER_ROWS,), strings=(HEADER_STRINGS,)) -> bytes:
    """A small or bomb workbook (tests/xlsx_bombs.py), as bytes."""
    out = io.BytesIO()
    write_xlsx(out, strings, sheet_rows)
    return out.getvalue()


def test_a_handmade_workbook_is_read_like_any_other(api, district):
    status, body, _ = answer(api, district, handmade_xlsx(), "small.xlsx")
    assert status == 422 and body["errors"] == [{"row": 2, "message": "unknown grid 'nowhere'"}]


def test_a_csv_of_more_than_200000_rows_is_413_naming_the_limit(api, district):
    data = b"grid,label\n" + b"1,x\n" * 200_001
    status, body, seconds = answer(api, district, data)
    assert status == 413 and "200,000 rows" in _message(body), body
    assert seconds < 10
    assert db.session.query(Household).count() == 0


def test_exactly_200000_rows_is_accepted_as_a_job(api, district):
    data = b"grid,label\n" + b"1,x\n" * 200_000
    status, body, _ = answer(api, district, data)
    assert status == 202 and body["job_id"] > 0


def test_a_file_over_32_mb_is_413_naming_the_limit(api, district):
    data = b"grid,label\n" + b"1," + b"x" * (32 * MB) + b"\n"
    status, body, seconds = answer(api, district, data)
    assert status == 413 and "32 MB" in _message(body), body
    assert seconds < 10


def test_shared_strings_inflating_past_their_cap_are_413(api, district):
    strings = repeated(HEADER_STRINGS, b"<si><t>abcdefgh</t></si>", 2_000_000)  # 46 MB inflated
    data = handmade_xlsx(strings=strings)
    assert len(data) < 1 * MB
    status, body, seconds = answer(api, district, data, "bomb.xlsx")
    assert status == 413 and "shared strings" in _message(body) and "32 MB" in _message(body), body
    assert seconds < 10


def test_too_many_tiny_shared_strings_are_413(api, district):
    strings = repeated(HEADER_STRINGS, b"<si/>", 1_100_000)  # 5 MB, past the count
    status, body, _ = answer(api, district, handmade_xlsx(strings=strings), "bomb.xlsx")
    assert status == 413 and "1,000,000 entries" in _message(body), body


def test_a_sheet_inflating_past_200_mb_is_413(api, district):
    row = b'<row><c t="inlineStr"><is><t>' + b"x" * 4000 + b"</t></is></c></row>"
    data = handmade_xlsx(sheet_rows=repeated(HEADER_ROWS, row, 55_000, 1_000))
    assert len(data) < 2 * MB
    status, body, seconds = answer(api, district, data, "bomb.xlsx")
    assert status == 413 and "200 MB" in _message(body), body
    assert seconds < 10


def test_a_sheet_that_lies_about_its_size_is_refused_while_reading(api, district):
    """The zip declares a small sheet; the sheet inflates to far more: refused as it streams."""
    row = b'<row><c t="inlineStr"><is><t>' + b"x" * 4000 + b"</t></is></c></row>"
    data = bytearray(handmade_xlsx(sheet_rows=repeated(HEADER_ROWS, row, 5_000, 1_000)))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        size = archive.getinfo("xl/worksheets/sheet1.xml").file_size
    # The zip64 field of the local header (8 bytes) and the central directory's (4 bytes).
    for declared, lie in (
        (size.to_bytes(8, "little"), (1000).to_bytes(8, "little")),
        (size.to_bytes(4, "little"), (1000).to_bytes(4, "little")),
    ):
        data = bytearray(bytes(data).replace(declared, lie))
    status, body, seconds = answer(api, district, bytes(data), "liar.xlsx")
    assert status == 422 and body["errors"] == [
        {"row": 1, "message": "the file is not a readable CSV or XLSX table"}
    ]
    assert seconds < 10


def test_any_other_part_inflating_past_8_mb_is_413(api, district):
    """openpyxl parses styles, the workbook and other sheets whole: none of them may be big."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(handmade_xlsx())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
        with target.open("xl/styles.xml", "w") as part:
            for chunk in repeated(b"<styleSheet>", b"<numFmt/>", 1_000_000, 100_000):
                part.write(chunk)
    status, body, seconds = answer(api, district, out.getvalue(), "styles.xlsx")
    assert status == 413 and "8 MB" in _message(body), body
    assert seconds < 10


def test_a_row_numbered_past_the_limit_is_413(api, district):
    """One cell on row 1,000,000 would make openpyxl yield a million empty rows."""
    rows = (HEADER_ROWS, b'<row r="1000000"><c r="A1000000"><v>1</v></c></row>')
    status, body, _ = answer(api, district, handmade_xlsx(sheet_rows=rows), "sparse.xlsx")
    assert status == 413 and "200,000 rows" in _message(body), body


def test_a_doctype_with_entities_is_not_read(api, district):
    data = handmade_xlsx(strings=(b"<si><t>grid</t></si>",))
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<sst xmlns="' + MAIN + b'"><si><t>&lol2;</t></si></sst>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(
                info.filename,
                laughs if info.filename == "xl/sharedStrings.xml" else source.read(info.filename),
            )
    status, body, _ = answer(api, district, out.getvalue(), "laughs.xlsx")
    assert status == 422 and body["errors"] == [
        {"row": 1, "message": "the file is not a readable CSV or XLSX table"}
    ]


@pytest.mark.parametrize("url", ["/households/import", "/warnings/import", "/cases/import"])
def test_every_import_refuses_too_many_rows(api, district, url):
    status, body, _ = answer(api, district, b"a,b\n" + b"1,2\n" * 200_001, url=url)
    assert status == 413 and "200,000" in _message(body)


def test_the_report_lists_the_first_1000_errors_and_counts_them_all(api, district):
    rows = [["grid", "label"]] + [["nowhere", f"1-{i}"] for i in range(1_500)]
    status, body, _ = answer(api, district, csv_bytes(rows))
    assert status == 422 and body["error_count"] == 1_500 and body["created"] == 0
    assert len(body["errors"]) == 1_000 and [e["row"] for e in body["errors"][:2]] == [2, 3]
    assert body["errors"][-1]["row"] == 1_001


def test_limits_and_row_messages_read_in_chinese_by_default(api, district):
    too_many = api.post(
        "/households/import",
        user=district.a.coordinator,
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(b"grid,label\n" + b"1,x\n" * 200_001), "h.csv")},
    )
    assert (
        too_many.status_code == 413
        and too_many.get_json()["message"] == "文件超过 200,000 行的上限"
    )
    bad = api.post(
        "/households/import",
        user=district.a.coordinator,
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(b"grid,label\nnowhere,1\n"), "h.csv")},
    )
    assert bad.get_json()["errors"] == [{"row": 2, "message": "未知网格 'nowhere'"}]


def test_a_long_cell_is_cut_in_its_message(api, district):
    status, body, _ = answer(
        api, district, csv_bytes([["grid", "label"]] + [["x" * 5_000, "1"]] * 1_500)
    )
    assert status == 422 and body["error_count"] == 1_500
    message = body["errors"][0]["message"]
    assert message.startswith("unknown grid 'xxx") and message.endswith("…") and len(message) < 100
    assert len(json.dumps(body)) < 200_000
