"""Ledgers (台账): check-ins, visits, activity reports, warnings and cases of an area and period
as an XLSX workbook (a sheet each, Chinese headers), inside the caller's area, phone numbers
masked, formula-looking text kept as text."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.models import AuditEvent
from app.models.task import TaskReport
from tests.factories import (
    local,
    make_case,
    make_checkin,
    make_household,
    make_task,
    make_visit,
    make_warning,
)

MARCH = "from=2026-03-01&to=2026-03-31"
SHEETS = ("签到台账", "入户走访台账", "活动报告台账", "预警台账", "发案台账")


@pytest.fixture
def march(district):
    a, b = district.a, district.b
    home = make_household(area=a.grids[0], label="3栋201")
    make_checkin(user=a.worker, site=a.sites[0], at=local(2026, 3, 5, 10), note="=HYPERLINK(1)")
    make_checkin(user=a.worker, site=a.sites[1], at=local(2026, 4, 1, 0, 30))  # April, local
    make_checkin(user=b.worker, site=b.sites[0], at=local(2026, 3, 6, 9), note="乙街道打卡")
    make_visit(user=a.worker, household=home, at=local(2026, 3, 7, 15), app_installed=True)
    task = make_task(area=a.community, title="+cmd|' /C calc'!A0", assignees=[a.worker])
    db.session.add(
        TaskReport(task_id=task.id, user_id=a.worker.id, count=3, created_at=local(2026, 3, 8, 11))
    )
    make_warning(area=a.grids[0], at=local(2026, 3, 9, 8), phone="13800131234", handled_after=2)
    make_warning(area=b.grids[0], at=local(2026, 3, 9, 8), phone="13900139999")
    make_case(area=a.community, occurred_on=date(2026, 3, 31), reference="@SUM(A1)")
    make_case(area=a.community, occurred_on=date(2026, 4, 1))
    db.session.commit()
    return district


def _book(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in response.headers["Content-Disposition"]
    return load_workbook(io.BytesIO(response.get_data()))


def _rows(book, title):
    return list(book[title].iter_rows(values_only=True))


def test_every_ledger_has_its_sheet_headers_and_rows(api, march):
    book = _book(api.get(f"/ledgers?{MARCH}", march.admin))
    assert book.sheetnames == list(SHEETS)
    checkins = _rows(book, "签到台账")
    assert checkins[0][:5] == ("时间", "区域", "点位", "人员", "状态")
    assert len(checkins) == 1 + 2  # the April one (local time) is not in March
    assert {row[1] for row in checkins[1:]} == {march.a.grids[0].name, march.b.grids[0].name}
    visits = _rows(book, "入户走访台账")
    assert len(visits) == 2 and visits[1][2] == "3栋201" and visits[1][5] == "是"
    reports = _rows(book, "活动报告台账")
    assert len(reports) == 2 and reports[1][5] == 3
    cases = _rows(book, "发案台账")
    assert [row[0] for row in cases[1:]] == ["2026-03-31"]
    assert cases[1][3] == 1000.0
    warnings = _rows(book, "预警台账")
    assert len(warnings) == 3
    assert warnings[0][4] == "电话"


def test_times_are_local_and_dates(api, march):
    book = _book(
        api.get(f"/ledgers?{MARCH}&sheet=checkins&area_id={march.a.street.id}", march.admin)
    )
    assert book.sheetnames == ["签到台账"]
    [header, row] = _rows(book, "签到台账")
    assert row[0].isoformat() == "2026-03-05T10:00:00"


def test_phone_numbers_leave_masked(api, march):
    response = api.get(f"/ledgers?{MARCH}&sheet=warnings", march.admin)
    phones = {row[4] for row in _rows(_book(response), "预警台账")[1:]}
    assert phones == {"138****1234", "139****9999"}
    raw = response.get_data()
    assert b"13800131234" not in raw and b"13900139999" not in raw


def test_formula_looking_text_stays_text(api, march):
    book = _book(api.get(f"/ledgers?{MARCH}", march.admin))
    note = next(r for r in book["签到台账"].iter_rows(min_row=2) if r[9].value == "=HYPERLINK(1)")[
        9
    ]
    assert note.data_type == "s" and note.quotePrefix
    title = book["活动报告台账"]["C2"]
    assert title.value == "+cmd|' /C calc'!A0" and title.data_type == "s" and title.quotePrefix
    reference = book["发案台账"]["F2"]
    assert reference.value == "@SUM(A1)" and reference.data_type == "s" and reference.quotePrefix


def test_a_street_sees_its_own_only(api, march):
    book = _book(api.get(f"/ledgers?{MARCH}", march.b.coordinator))
    assert {row[1] for row in _rows(book, "签到台账")[1:]} == {march.b.grids[0].name}
    assert _rows(book, "入户走访台账")[1:] == [] and _rows(book, "发案台账")[1:] == []
    assert [row[4] for row in _rows(book, "预警台账")[1:]] == ["139****9999"]


def test_another_streets_area_is_refused(api, march):
    response = api.get(f"/ledgers?{MARCH}&area_id={march.a.street.id}", march.b.leader)
    assert response.status_code == 403
    assert "spreadsheetml" not in response.mimetype


def test_workers_get_no_ledger(api, march):
    assert api.get(f"/ledgers?{MARCH}", march.a.worker).status_code == 403


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-03-31&to=2026-03-01", "to"),
        ("from=2025-01-01&to=2026-03-01", "to"),
        ("from=2026-13-01", "from"),
        ("sheet=payroll", "sheet"),
        ("area_id=99999999999", "area_id"),
    ],
)
def test_bad_queries_name_the_field(api, march, query, field):
    response = api.get(f"/ledgers?{query}", march.admin)
    assert response.status_code in (400, 422)
    assert field in response.get_data(as_text=True)


def test_the_export_is_audited(api, march):
    before = db.session.query(AuditEvent).filter_by(action="ledger.export").count()
    _book(api.get(f"/ledgers?{MARCH}&sheet=cases", march.a.coordinator))
    events = db.session.query(AuditEvent).filter_by(action="ledger.export").all()
    assert len(events) == before + 1
    assert events[-1].detail["sheets"] == ["cases"]


def test_the_page_download_is_the_same_ledger(login_as, march):
    client = login_as(march.a.coordinator)
    response = client.get(f"/dashboard/ledgers.xlsx?{MARCH}&sheet=checkins&status=")
    book = _book(response)
    assert [row[1] for row in _rows(book, "签到台账")[1:]] == [march.a.grids[0].name]
    other = client.get(f"/dashboard/ledgers.xlsx?{MARCH}&area_id={march.b.street.id}")
    assert other.status_code == 403


@pytest.mark.parametrize(
    ("page", "sheet"),
    [
        ("/dashboard/?from=2026-03-01&to=2026-03-31", None),
        ("/dashboard/cases?from=2026-03-01&to=2026-03-31", "发案台账"),
        ("/coordinate/checkins?from=2026-03-01&to=2026-03-31", "签到台账"),
        ("/coordinate/warnings", "预警台账"),
    ],
)
def test_list_pages_link_their_ledger(login_as, march, page, sheet):
    client = login_as(march.a.coordinator)
    html = client.get(page).get_data(as_text=True)
    link = re.search(r'id="ledgers?" [^>]*href="([^"]+)"', html)
    assert link, html[:300]
    book = _book(client.get(link.group(1).replace("&amp;", "&")))
    assert book.sheetnames == (list(SHEETS) if sheet is None else [sheet])


def test_an_activity_is_listed_by_when_and_where_it_was_held(api, march):
    """A lecture reported in April for a talk held on 20 March at a school of another community
    belongs to March and to that community, as in the daily report."""
    a = march.a
    task = make_task(area=a.grids[0], title="讲座", kind="lecture", assignees=[a.worker])
    db.session.add(
        TaskReport(
            task_id=task.id,
            user_id=a.worker.id,
            count=2,
            audience=120,
            materials=40,
            area_id=a.street.id,
            held_at=local(2026, 3, 20, 15),
            created_at=local(2026, 4, 2, 9),
        )
    )
    db.session.commit()
    rows = _rows(
        _book(api.get(f"/ledgers?{MARCH}&sheet=task_reports", march.admin)), "活动报告台账"
    )
    assert rows[0][5:8] == ("数量", "宣传人数", "发放资料数")
    [lecture] = [row for row in rows[1:] if row[2] == "讲座"]
    assert lecture[0].isoformat() == "2026-03-20T15:00:00"
    assert (lecture[1], lecture[5], lecture[6], lecture[7]) == (a.street.name, 2, 120, 40)
    april = "from=2026-04-01&to=2026-04-30&sheet=task_reports"
    assert len(_rows(_book(api.get(f"/ledgers?{april}", march.admin)), "活动报告台账")) == 1
