"""Importing people: headers in two languages, forces, areas and grids, updates, scope, all-or-nothing."""

import pytest
from sqlalchemy import func, select

from app.errors import Forbidden, Unauthorized
from app.extensions import db
from app.models import AuditEvent, User
from app.services.auth import authenticate
from app.services.people_import import import_people
from tests.factories import make_user
from tests.services.test_importing import csv_bytes, xlsx_bytes

ZH = ["姓名", "手机号", "力量类型", "区域", "用户名", "网格"]
EN = ["display_name", "phone", "force", "area", "username", "grids"]


def person(phone):
    return db.session.scalar(select(User).where(User.phone == phone))


def messages(report):
    return [(e["row"], e["message"]) for e in report.errors]


def test_chinese_headers_gbk_csv_creates_workers_without_password(district):
    a = district.a
    data = csv_bytes(
        [
            ZH,
            ["张三", "138 0000 0001", "骑手", a.street.name, "", ""],
            ["李四", "13800000002", "militia", a.community.name, "lisi", a.grids[1].name],
        ],
        "gbk",
    )
    report = import_people(a.coordinator, data)
    assert report.ok, report.errors
    assert (report.created, report.updated) == (2, 0)
    zhang, li = person("13800000001"), person("13800000002")
    assert (zhang.username, zhang.role, zhang.force, zhang.area_id) == (
        "13800000001",
        "worker",
        "rider",
        a.street.id,
    )
    assert (li.username, li.force, [g.id for g in li.grids]) == ("lisi", "militia", [a.grids[1].id])
    with pytest.raises(Unauthorized):  # no password until a first sign-in with a one-time code
        authenticate("lisi", "")
    with pytest.raises(Unauthorized):
        authenticate("lisi", "!")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.import"))
    assert (
        event is not None
        and "13800000001" not in str(event.detail)
        and event.detail["created"] == 2
    )


def test_the_same_sheet_again_updates_instead_of_duplicating(district):
    a = district.a
    rows = [EN, ["Zhang", "13800000001", "rider", a.street.id, "", ""]]
    assert import_people(a.coordinator, xlsx_bytes(rows)).created == 1
    rows[1][2], rows[1][4] = "volunteer", ""
    report = import_people(
        a.coordinator,
        xlsx_bytes(rows + [EN[:0] or ["Wang", "13800000003", "rider", a.street.id, "", ""]]),
    )
    assert report.ok, report.errors
    assert (report.created, report.updated) == (1, 1)
    assert db.session.scalar(select(func.count()).where(User.phone == "13800000001")) == 1
    assert person("13800000001").force == "volunteer"


def test_rows_naming_people_outside_the_area_read_like_any_taken_account(district):
    a, b = district.a, district.b
    outsider = make_user(role="worker", area=b.community, phone="13900000009")
    db.session.flush()
    report = import_people(
        a.coordinator,
        csv_bytes(
            [
                EN,
                ["X", "13900000009", "rider", a.street.id, "", ""],  # phone of b's worker
                ["Y", "13900000010", "rider", a.street.id, b.coordinator.username, ""],
                ["Z", "13900000011", "rider", a.street.id, a.coordinator.username, ""],  # a peer
                ["W", "13900000012", "rider", a.street.id, outsider.username, ""],
            ]
        ),
    )
    assert not report.ok
    texts = [m for _r, m in messages(report)]
    assert len(texts) == 4 and all("already used by another account" in t for t in texts)
    assert person("13900000010") is None  # all or nothing


def test_every_bad_row_is_reported_and_nothing_is_written(district):
    a, b = district.a, district.b
    report = import_people(
        a.coordinator,
        csv_bytes(
            [
                EN,
                ["", "13800000001", "rider", a.street.id, "", ""],
                ['=HYPERLINK("x")', "13800000002", "rider", a.street.id, "", ""],
                ["A", "call me", "rider", a.street.id, "", ""],
                ["B", "13800000004", "民警", a.street.id, "", ""],
                ["C", "13800000005", "astronaut", a.street.id, "", ""],
                ["D", "13800000006", "rider", b.street.name, "", ""],
                ["E", "13800000007", "rider", a.community.id, "", b.grids[0].name],
                ["F", "13800000008", "rider", a.street.id, "x y", ""],
                ["G", "13800000009", "rider", a.street.id, "", ""],
                ["H", "13800000009", "rider", a.street.id, "ok_user", a.grids[0].name],
            ]
        ),
    )
    rows = [r for r, _m in messages(report)]
    assert rows == [2, 3, 4, 5, 6, 7, 8, 9, 11]
    joined = " ".join(m for _r, m in messages(report))
    for words in (
        "bad name",
        "bad phone",
        "police are never imported",
        "unknown force",
        "unknown area",
        "is not in the person's area",
        "bad username",
        "same person as row",
    ):
        assert words in joined
    assert person("13800000009") is None


def test_workers_cannot_import_and_admin_cannot_import_police(district):
    with pytest.raises(Forbidden):
        import_people(district.a.worker, csv_bytes([EN, ["A", "13800000001", "rider", "x"]]))
    report = import_people(
        district.admin,
        csv_bytes([EN[:4], ["A", "13800000001", "police", district.a.street.id]]),
    )
    assert "police are never imported" in report.errors[0]["message"]


def test_missing_columns_and_a_damaged_file(district):
    report = import_people(
        district.a.coordinator, csv_bytes([["姓名", "手机号"], ["A", "1380000"]])
    )
    assert {m for _r, m in messages(report)} == {"missing column: force", "missing column: area"}
    report = import_people(district.a.coordinator, b"PK\x03\x04 not a zip at all")
    assert not report.ok
