"""The generic row reader: encodings, CSV vs XLSX, header aliases, blank rows, damaged files."""

import csv
import io
import zipfile

import pytest
from openpyxl import Workbook

from app.services.importing import ImportReport, decode_text, read_rows

COLUMNS = {"grid": ("网格",), "label": ("地址",), "tags": ("标签",)}


def csv_bytes(rows, encoding="utf-8", delimiter=","):
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read(data, required=("grid", "label")):
    report = ImportReport()
    return list(read_rows(data, COLUMNS, report, required)), report


ROWS = [["网格", "地址", "标签"], ["一网格", "12-2-301", "老人；学生"], ["二网格", "3-1-101", ""]]
EXPECTED = [
    (2, {"grid": "一网格", "label": "12-2-301", "tags": "老人；学生"}),
    (3, {"grid": "二网格", "label": "3-1-101", "tags": ""}),
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_in_every_encoding_excel_writes(encoding):
    rows, report = read(csv_bytes(ROWS, encoding))
    assert report.ok and rows == EXPECTED


def test_tab_separated_and_semicolon_tags_inside_comma_csv():
    assert read(csv_bytes(ROWS, delimiter="\t"))[0] == EXPECTED
    rows, _ = read(csv_bytes([["grid", "label", "tags"], ["g", "1", "elderly;student"]]))
    assert rows == [(2, {"grid": "g", "label": "1", "tags": "elderly;student"})]


def test_xlsx_numbers_lose_their_decimal_point_and_blank_rows_are_skipped():
    rows, report = read(
        xlsx_bytes(
            [
                ["Grid", " Label ", "TAGS"],
                [12, "1-1-101", None],
                [None, None, None],
                [12.0, 301, "elderly"],
            ]
        )
    )
    assert report.ok
    assert rows == [
        (2, {"grid": "12", "label": "1-1-101", "tags": ""}),
        (4, {"grid": "12", "label": "301", "tags": "elderly"}),
    ]


def test_missing_required_column_is_reported_on_row_one():
    rows, report = read(csv_bytes([["网格", "标签"], ["g", "elderly"]]))
    assert rows == [] and report.errors == [{"row": 1, "message": "missing column: label"}]


def test_optional_column_may_be_absent_and_extra_columns_are_ignored():
    rows, report = read(csv_bytes([["备注", "地址", "网格"], ["x", "1", "g"]]))
    assert report.ok and rows == [(2, {"label": "1", "grid": "g"})]


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "the file is empty"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,
            "old .xls files are not supported: save as .xlsx or CSV",
        ),
    ],
)
def test_unreadable_files(data, message):
    rows, report = read(data)
    assert rows == [] and report.errors == [{"row": 1, "message": message}]


def test_damaged_xlsx_is_an_error_not_a_crash():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    rows, report = read(out.getvalue())
    assert rows == [] and report.errors[0]["row"] == 1 and not report.ok


def test_decode_prefers_utf8_then_gb18030():
    assert decode_text("网格".encode("gbk")) == "网格"
    assert decode_text("\ufeff网格".encode()) == "网格"
    assert decode_text("网格".encode()) == "网格"
