"""The daily zeroing board and the all-or-nothing warning import."""

import io
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.errors import Forbidden
from app.extensions import db
from app.models import RiskWarning
from app.services.warnings import board as warning_board
from app.services.warnings import handling
from app.services.warnings import imports as warning_import
from tests.factories import local, make_warning

NOW = local(2026, 11, 6, 10)  # ten in the morning of 6 November


def _warn(actor, grid, level, at):
    return make_warning(by=actor, area=grid, level=level, at=at, subject_label="对象")


def test_board_by_level_and_street_with_yesterdays_review(district):
    a, b = district.a, district.b
    late_night = _warn(
        a.police, a.grids[0], "high", local(2026, 11, 5, 23, 30)
    )  # yesterday, 01:30 deadline
    in_time = _warn(
        a.police, a.grids[0], "medium", local(2026, 11, 5, 8)
    )  # yesterday, handled in time
    handling.record_outcome(a.worker, in_time, {"result": "dissuaded"}, now=local(2026, 11, 5, 9))
    handled_late = _warn(
        a.police, a.grids[0], "high", local(2026, 11, 5, 12)
    )  # yesterday, handled late
    handling.record_outcome(
        a.worker, handled_late, {"result": "already_defrauded"}, now=local(2026, 11, 5, 18)
    )
    early = _warn(
        a.police, a.grids[0], "low", local(2026, 11, 6, 7, 30)
    )  # today (23:30 UTC the 5th)
    _warn(b.police, b.grids[0], "high", local(2026, 11, 6, 9, 30))  # today, street b, not late
    board = warning_board.board(district.admin, date(2026, 11, 6), now=NOW)
    totals = board["totals"]
    assert (totals["open"], totals["overdue"]) == (3, 1)
    assert totals["by_level"]["high"] == {"open": 2, "overdue": 1}
    assert totals["by_level"]["low"] == {"open": 1, "overdue": 0}
    assert totals["today"]["created"] == 2 and totals["today"]["decided"] == 0
    assert totals["today"]["share_in_time"] is None
    yesterday = totals["yesterday"]
    assert (
        yesterday["created"],
        yesterday["handled"],
        yesterday["in_time"],
        yesterday["decided"],
    ) == (3, 2, 1, 3)
    assert (yesterday["open"], yesterday["dissuaded"], yesterday["defrauded"]) == (1, 1, 1)
    assert yesterday["share_in_time"] == pytest.approx(1 / 3)
    street_a = next(s for s in board["streets"] if s["area_id"] == a.street.id)
    assert (street_a["open"], street_a["overdue"], street_a["today"]["created"]) == (2, 1, 1)
    assert [row["warning"].id for row in board["escalated"]] == [late_night.id]
    assert board["escalated"][0]["escalation"] == "street"  # 8.5 hours late on a 2-hour deadline
    assert board["escalated"][0]["owner"].id == a.street.id
    assert board["escalated"][0]["phone"] == "138****1234"
    assert {row["warning"].id for row in board["review"]} == {late_night.id, handled_late.id}
    assert early.id not in {row["warning"].id for row in board["review"]}


def test_zeroing_wants_no_earlier_warning_open_by_the_zeroing_hour(app, district):
    a = district.a
    left = _warn(a.police, a.grids[0], "medium", local(2026, 11, 5, 23, 59))  # yesterday, open
    _warn(a.police, a.grids[0], "high", local(2026, 11, 6, 0, 0))  # today: not carried
    assert app.config["WARNING_ZEROING_HOUR"] == 9
    before = warning_board.board(district.admin, date(2026, 11, 6), now=local(2026, 11, 6, 8, 59))
    assert before["zeroing"]["carried"] == before["totals"]["carried"] == 1
    assert (before["zeroing"]["cleared"], before["zeroing"]["late"]) == (False, False)
    assert before["zeroing"]["due_at"] == local(2026, 11, 6, 9)
    after = warning_board.board(district.admin, date(2026, 11, 6), now=NOW)
    assert after["zeroing"]["late"] is True
    street_a = next(s for s in after["streets"] if s["area_id"] == a.street.id)
    assert street_a["carried"] == 1
    handling.record_outcome(a.worker, left, {"result": "dissuaded"}, now=NOW)
    cleared = warning_board.board(district.admin, date(2026, 11, 6), now=NOW)["zeroing"]
    assert (cleared["carried"], cleared["cleared"], cleared["late"]) == (0, True, False)


def test_board_is_scoped_and_not_for_grid_workers(district):
    a, b = district.a, district.b
    _warn(a.police, a.grids[0], "high", local(2026, 11, 6, 9))
    _warn(b.police, b.grids[0], "high", local(2026, 11, 6, 9))
    board = warning_board.board(a.coordinator, date(2026, 11, 6), now=NOW)
    assert [s["area_id"] for s in board["streets"]] == [a.street.id] and board["totals"][
        "open"
    ] == 1
    assert warning_board.board(a.police, date(2026, 11, 6), now=NOW)["totals"]["open"] == 1
    with pytest.raises(Forbidden):
        warning_board.board(a.worker, date(2026, 11, 6), now=NOW)


def _xlsx(rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _count():
    return db.session.scalar(select(func.count()).select_from(RiskWarning))


def test_import_a_good_csv_with_chinese_headers(district):
    a = district.a
    a.grids[1].code = "A-G2"
    data = (
        f"等级,网格,对象,电话\n高,{a.grids[0].id},王某,13800131234\nlow,A-G2,李某,\nmedium,{a.grids[1].name},张某,139-0000-1111\n"
    ).encode("utf-8-sig")
    report = warning_import.import_warnings(a.police, data)
    assert report.as_dict() == {"created": 3, "errors": [], "error_count": 0}
    made = db.session.scalars(select(RiskWarning).order_by(RiskWarning.id)).all()
    assert [(w.level, w.area_id, w.phone) for w in made] == [
        ("high", a.grids[0].id, "13800131234"),
        ("low", a.grids[1].id, None),
        ("medium", a.grids[1].id, "13900001111"),
    ]


def test_import_writes_nothing_when_a_row_is_wrong(district):
    a, b = district.a, district.b
    before = _count()
    data = _xlsx(
        [
            ["level", "grid", "subject_label", "phone"],
            ["high", a.grids[0].id, "王某", "13800131234"],
            ["urgent", a.grids[0].id, "李某", ""],
            ["low", b.grids[0].id, "赵某", ""],
            ["low", "不存在", "钱某", ""],
            ["low", a.grids[0].id, "", ""],
            ["low", a.grids[0].id, "孙某", "call me"],
        ]
    )
    report = warning_import.import_warnings(a.coordinator, data)
    assert report.created == 0 and [e["row"] for e in report.errors] == [3, 4, 5, 6, 7]
    assert "unknown grid" in report.errors[1]["message"]  # another street's grid reads as unknown
    assert _count() == before


def test_import_refuses_missing_columns_and_grid_workers(district):
    report = warning_import.import_warnings(district.a.police, b"grid,phone\n1,138\n")
    assert report.errors and report.errors[0]["row"] == 1 and "level" in report.errors[0]["message"]
    with pytest.raises(Forbidden):
        warning_import.import_warnings(district.a.worker, b"level,grid,subject_label\n")
