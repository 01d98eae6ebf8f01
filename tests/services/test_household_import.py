"""Importing households: grids by id/code/name, tags, duplicates, scope, all-or-nothing."""

import pytest
from sqlalchemy import func, select

from app.errors import Forbidden
from app.extensions import db
from app.models import Household
from app.services.household_import import import_households, parse_tags
from tests.factories import make_area, make_household
from tests.services.test_importing import csv_bytes, xlsx_bytes


def in_district():
    """Households of this test's district only (on SQLite, other tests' commits may linger)."""
    from app.models import Area

    streets = (
        select(Area.path).where(Area.level == "street").order_by(Area.id.desc()).limit(2).subquery()
    )
    return Household.area_id.in_(
        select(Area.id).join(streets, Area.path.startswith(streets.c.path))
    )


def count():
    return db.session.scalar(select(func.count(Household.id)).where(in_district()))


def stored():
    return sorted(
        (h.area_id, h.label, tuple(h.tags))
        for h in db.session.scalars(select(Household).where(in_district()))
    )


def test_good_csv_by_id_code_and_name(district):
    g0, g1 = district.a.grids
    g1.code = "A-G2"
    rows = [
        ["grid", "label", "tags"],
        [g0.id, "12-2-301", "elderly;student"],
        ["a-g2", "1-1-101", ""],
        [g0.name, "12-2-302", "finance, parent"],
    ]
    report = import_households(district.a.coordinator, csv_bytes(rows))
    assert report.as_dict() == {"created": 3, "errors": [], "error_count": 0}
    assert stored() == [
        (g0.id, "12-2-301", ("elderly", "student")),
        (g0.id, "12-2-302", ("finance", "parent")),
        (g1.id, "1-1-101", ()),
    ]


def test_good_xlsx_with_chinese_headers_and_tags(district):
    g0 = district.a.grids[0]
    rows = [
        ["网格", "地址", "标签"],
        [g0.id, "１２－２－３０１", "老人；学生"],
        [g0.name, "12-2-302", "流动人口、其他"],
    ]
    report = import_households(district.a.coordinator, xlsx_bytes(rows))
    assert report.ok and report.created == 2
    assert stored() == [
        (g0.id, "12-2-301", ("elderly", "student")),
        (g0.id, "12-2-302", ("floating", "other")),
    ]


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
def test_gbk_and_bom_csv(district, encoding):
    g0 = district.a.grids[0]
    report = import_households(
        district.a.coordinator,
        csv_bytes([["网格", "地址", "标签"], [g0.name, "5-1-101", "学生"]], encoding),
    )
    assert report.ok and stored() == [(g0.id, "5-1-101", ("student",))]


def test_every_bad_row_is_reported_and_nothing_is_written(district):
    g0 = district.a.grids[0]
    make_household(area=g0, label="9-9-909")
    other_street_grid = district.b.grids[0]
    rows = [
        ["grid", "label", "tags"],
        [g0.id, "1-1-101", "elderly"],  # 2: fine
        ["no such grid", "1-1-102", ""],  # 3: unknown grid
        [other_street_grid.id, "1-1-103", ""],  # 4: outside scope
        [g0.id, "1-1-101", ""],  # 5: duplicate of row 2
        [g0.id, "9-9-909", ""],  # 6: already in the database
        [g0.id, "1-1-104", "elderly;rich"],  # 7: bad tag
        [g0.id, "", "elderly"],  # 8: empty label
        [g0.id, "x" * 121, ""],
    ]  # 9: too long
    before = count()
    report = import_households(district.a.coordinator, csv_bytes(rows))
    assert report.created == 0 and count() == before
    by_row = {e["row"]: e["message"] for e in report.errors}
    assert sorted(by_row) == [3, 4, 5, 6, 7, 8, 9]
    assert "unknown grid" in by_row[3]
    # Another street's grid, named by its id, reads exactly like a grid that does not exist.
    assert by_row[4] == f"unknown grid {str(other_street_grid.id)!r}" and "outside" not in by_row[4]
    assert "duplicate" in by_row[5] and "row 2" in by_row[5]
    assert "already exists" in by_row[6]
    assert "rich" in by_row[7]
    assert "empty label" in by_row[8]
    assert "longer" in by_row[9]


def test_missing_column(district):
    report = import_households(
        district.a.coordinator, csv_bytes([["grid", "tags"], ["1", "elderly"]])
    )
    assert report.errors == [{"row": 1, "message": "missing column: label"}] and count() == 0


def test_grid_name_must_be_unambiguous_within_scope(district):
    # Two communities of street A each have a grid called 一网格; street B's namesake is out of scope.
    second = make_area(name="甲街道二社区", level="community", parent=district.a.street)
    first = make_area(name="一网格", level="grid", parent=district.a.community)
    make_area(name="一网格", level="grid", parent=second)
    make_area(name="一网格", level="grid", parent=district.b.community)
    report = import_households(
        district.a.coordinator, csv_bytes([["网格", "地址"], ["一网格", "1"]])
    )
    assert "ambiguous" in report.errors[0]["message"]
    # The community's own coordinator sees one 一网格 only.
    from tests.factories import make_user

    local = make_user(role="coordinator", area=district.a.community)
    report = import_households(local, csv_bytes([["网格", "地址"], ["一网格", "1"]]))
    assert report.ok and stored() == [(first.id, "1", ())]


def test_header_only_creates_nothing(district):
    report = import_households(district.a.coordinator, csv_bytes([["grid", "label", "tags"]]))
    assert report.as_dict() == {"created": 0, "errors": [], "error_count": 0}


def test_only_managers_import(district):
    with pytest.raises(Forbidden):
        import_households(
            district.a.worker, csv_bytes([["grid", "label"], [district.a.grids[0].id, "1"]])
        )


def test_parse_tags():
    assert parse_tags("Elderly；学生，finance、 parent|other") == (
        ["elderly", "finance", "other", "parent", "student"],
        [],
    )
    assert parse_tags("elderly;vip") == (["elderly"], ["vip"])
    assert parse_tags("") == ([], [])


@pytest.mark.slow
def test_twenty_thousand_rows(district):
    grids = district.a.grids
    rows = [["网格", "地址", "标签"]] + [
        [grids[i % 2].id, f"{i // 100}-{i % 10}-{i}", "elderly;student"] for i in range(20_000)
    ]
    report = import_households(district.a.coordinator, csv_bytes(rows, "utf-8-sig"))
    assert report.ok and report.created == 20_000 and count() == 20_000
    rows.append([grids[0].id, "0-0-0", ""])  # a duplicate of row 2 at the very end
    report = import_households(district.a.coordinator, csv_bytes(rows))
    assert report.created == 0 and report.error_count == 20_001 and count() == 20_000
    assert len(report.errors) == 1000 and report.errors[0]["row"] == 2  # the first 1,000, by row


def test_a_label_added_meanwhile_is_a_conflict_and_writes_nothing(district, monkeypatch):
    from app.errors import Conflict
    from app.services import household_import as module

    g0 = district.a.grids[0]
    make_household(area=g0, label="1-1-101")
    monkeypatch.setattr(
        module, "_report_existing", lambda rows, report: None
    )  # as if added after the check
    with pytest.raises(Conflict):
        import_households(
            district.a.coordinator,
            csv_bytes([["grid", "label"], [g0.id, "1-1-102"], [g0.id, "1-1-101"]]),
        )
    assert stored() == [(g0.id, "1-1-101", ())]


def test_bulk_insert_keeps_types(district):
    from datetime import UTC, datetime

    from app.services.importing import bulk_insert

    g0 = district.a.grids[0]
    when = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)
    bulk_insert(
        Household.__table__,
        [
            {
                "area_id": g0.id,
                "label": f"b-{i}",
                "tags": ["elderly", "student"],
                "unreachable": i == 1,
                "created_at": when,
            }
            for i in range(3)
        ],
        chunk=2,
    )
    rows = db.session.scalars(
        select(Household).where(Household.area_id == g0.id).order_by(Household.label)
    ).all()
    assert [(h.label, h.tags, h.unreachable, h.created_at) for h in rows] == [
        ("b-0", ["elderly", "student"], False, when),
        ("b-1", ["elderly", "student"], True, when),
        ("b-2", ["elderly", "student"], False, when),
    ]
