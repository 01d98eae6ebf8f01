"""GET /reports/daily: rows per street as JSON, CSV (BOM), XLSX (percentages, text not formulas), text."""

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from app.extensions import db
from tests.factories import local, make_case, make_warning
from tests.services.coverage_helpers import build_march_district

DAY = "date=2026-03-31"


@pytest.fixture
def march(app):
    m = build_march_district()
    make_case(area=m.c1, occurred_on=date(2026, 3, 31), loss="1000.50")
    make_case(area=m.c1, occurred_on=date(2026, 3, 30), loss="999")  # another day
    make_case(area=m.c2, occurred_on=date(2026, 3, 31), loss="200")
    make_warning(area=m.g1, at=local(2026, 3, 31, 10), hours=2, handled_after=1, result="dissuaded")
    make_warning(
        area=m.g3, at=local(2026, 3, 30, 20), hours=2, handled_after=15, result="dissuaded"
    )  # late
    make_warning(area=m.g3, at=local(2026, 3, 31, 9), hours=24)  # open
    m.s2.name = "=SUM(1,2)"  # a name a spreadsheet would run
    db.session.commit()
    return m


def rows_by_id(body):
    return {row["area_id"]: row for row in body["rows"]}


def test_json_rows_per_street(api, march):
    response = api.get(f"/reports/daily?{DAY}", user=march.district_leader)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["date"] == "2026-03-31" and body["area_id"] is None
    east, west = rows_by_id(body)[march.s1.id], rows_by_id(body)[march.s2.id]
    assert east["name"] == "东街道" and (east["cases"], east["losses"]) == (1, 1000.5)
    assert (
        east["warnings_issued"],
        east["warnings_handled_in_time"],
        east["warnings_dissuaded"],
    ) == (1, 1, 1)
    assert (east["checkins"], east["visits"], east["households_reached"], east["app_installs"]) == (
        1,
        0,
        0,
        0,
    )
    assert (east["site_coverage_month"], east["household_coverage_month"]) == (
        1.0,
        round(1 / 42, 4),
    )
    assert (west["cases"], west["losses"], west["warnings_issued"]) == (1, 200.0, 1)
    assert (west["warnings_handled_in_time"], west["warnings_dissuaded"], west["visits"]) == (
        0,
        1,
        1,
    )
    totals = body["totals"]
    assert (totals["cases"], totals["losses"], totals["warnings_issued"]) == (2, 1200.5, 2)
    assert totals["site_coverage_month"] == 0.75


def test_street_leader_gets_their_street_only(api, march):
    body = api.get(f"/reports/daily?{DAY}", user=march.leader1).get_json()
    assert [row["area_id"] for row in body["rows"]] == [march.s1.id]
    assert body["totals"]["cases"] == 1 and body["area_id"] == march.s1.id


def test_xlsx_equals_json(api, march):
    body = api.get(f"/reports/daily?{DAY}", user=march.admin).get_json()
    response = api.get(f"/reports/daily?{DAY}&format=xlsx", user=march.admin)
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.data)).active
    from app.services.reports import COLUMNS

    keys = [key for key, _label, _kind in COLUMNS]
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == len(body["rows"]) + 1  # and a totals row
    for json_row, cells in zip(body["rows"], rows):
        flat = {k: v for k, v in json_row.items() if not isinstance(v, dict)}  # the by-level dicts
        assert {key: cell.value for key, cell in zip(keys, cells)} == flat
        rate = cells[keys.index("site_coverage_month")]
        assert rate.number_format == "0.0%"
    totals = {key: cell.value for key, cell in zip(keys, rows[-1])}
    assert (
        totals["cases"] == body["totals"]["cases"] and totals["losses"] == body["totals"]["losses"]
    )


def test_xlsx_writes_formula_like_text_as_text(api, march):
    response = api.get(f"/reports/daily?{DAY}&format=xlsx", user=march.admin)
    sheet = load_workbook(io.BytesIO(response.data)).active
    names = [row[1] for row in sheet.iter_rows(min_row=2)]
    west = next(cell for cell in names if cell.value == "=SUM(1,2)")
    assert west.data_type == "s"
    raw = load_workbook(io.BytesIO(response.data), data_only=False).active
    assert all(cell.data_type != "f" for row in raw.iter_rows() for cell in row)


def test_csv_has_a_bom_and_neutralised_formulas(api, march):
    response = api.get(f"/reports/daily?{DAY}&format=csv", user=march.admin)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert len(rows) == 4  # header, two streets, totals
    names = [row[1] for row in rows[1:]]
    assert "'=SUM(1,2)" in names and "东街道" in names


def test_text_summary_in_chinese(api, march):
    response = api.get(f"/reports/daily?{DAY}&format=text", user=march.admin)
    assert response.status_code == 200 and response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert text.startswith("【反诈日报】2026年3月31日")
    assert "发案 2 起" in text and "东街道" in text and "1,200.50" in text


def test_errors(api, march):
    assert api.get(f"/reports/daily?{DAY}", user=march.worker).status_code == 403
    assert api.get("/reports/daily?date=yesterday", user=march.worker).status_code == 403
    response = api.get(f"/reports/daily?{DAY}&format=pdf", user=march.admin)
    assert response.status_code == 422 and "format" in response.get_json()["errors"]["json"]
    response = api.get("/reports/daily?date=2026-02-30", user=march.admin)
    assert response.status_code == 422 and "date" in response.get_json()["errors"]["json"]


def test_warning_figures_per_level_and_the_money_stopped(api, district):
    from datetime import timedelta

    from app.services.localtime import today
    from app.services.warnings import handling
    from tests.factories import local

    a, day = district.a, today()
    at = local(day.year, day.month, day.day, 0, 30)
    made = []
    for level in ("high", "high", "medium", "low"):
        made.append(
            handling.create_warning(
                a.police,
                {"level": level, "area_id": a.grids[0].id, "subject_label": "王某", "phone": None},
                now=at,
            )
        )
    handling.record_outcome(
        a.worker,
        made[0],
        {"result": "already_defrauded", "loss_amount": 9000, "stopped_amount": 2500.5},
        now=at + timedelta(minutes=30),
    )
    handling.record_outcome(
        a.worker, made[1], {"result": "phone_dissuaded"}, now=at + timedelta(minutes=40)
    )
    handling.record_outcome(
        a.worker, made[2], {"result": "dissuaded"}, now=at + timedelta(minutes=50)
    )
    body = api.get(f"/reports/daily?date={day.isoformat()}", user=district.admin).get_json()
    row = next(r for r in body["rows"] if r["area_id"] == a.street.id)
    for figures in (row, body["totals"]):
        assert figures["warnings_issued"] == 4
        assert figures["warnings_by_level"] == {"high": 2, "medium": 1, "low": 0} | {"low": 1}
        assert figures["warnings_landed_by_level"] == {"high": 2, "medium": 1, "low": 0}
        assert figures["warnings_in_time_by_level"] == {"high": 2, "medium": 1, "low": 0}
        assert figures["stopped_amount"] == 2500.5
        assert (figures["warnings_dissuaded"], figures["warnings_phone_dissuaded"]) == (1, 1)
    text = api.get(
        f"/reports/daily?date={day.isoformat()}&format=text", user=district.admin
    ).get_data(as_text=True)
    assert "止损 2,500.50 元" in text or "止损 2500.50 元" in text
