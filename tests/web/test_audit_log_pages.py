"""The admin's audit log page: who, when (Beijing time), what, from where, old → new; filters,
pages, and a CSV export that a spreadsheet opens safely. Admins only."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from app.extensions import db
from tests.factories import make_audit_event

AT = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)


def test_only_admins_open_it_and_the_admin_home_links_it(client, login_as, district):
    for user in (district.a.coordinator, district.leader, district.a.worker, district.a.police):
        login_as(user)
        assert client.get("/admin/audit").status_code == 403
        assert client.get("/admin/audit.csv").status_code == 403
        client.post("/logout")
    assert client.get("/admin/audit").status_code in (302, 401)
    login_as(district.admin)
    home = client.get("/").get_data(as_text=True)
    assert 'href="/admin/audit"' in home and client.get("/admin/audit").status_code == 200


def test_a_change_made_through_the_api_shows_who_when_where_and_old_to_new(
    client, api, login_as, district
):
    a = district.a
    response = api.patch(
        f"/users/{a.worker.id}",
        user=a.coordinator,
        json={"force": "militia", "password": "Zz-9-new-pass"},
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )
    assert response.status_code == 200
    login_as(district.admin)
    page = client.get(f"/admin/audit?object_type=user&object_id={a.worker.id}").get_data(
        as_text=True
    )
    assert "user.update" in page and a.coordinator.username in page and "203.0.113.9" in page
    assert (
        "force: grid_worker → militia" in page
        and "password: ***" in page
        and "Zz-9-new-pass" not in page
    )


def test_filters_pages_and_times_in_shanghai(client, login_as, district):
    a = district.a
    make_audit_event(
        actor=a.coordinator,
        action="site.update",
        object_type="site",
        object_id=7,
        at=datetime(2026, 11, 3, 17, 30, tzinfo=UTC),
    )  # 11-04 01:30 local
    make_audit_event(
        actor=district.admin,
        action="site.update",
        object_type="site",
        object_id=8,
        at=datetime(2026, 11, 2, 10, 0, tzinfo=UTC),
    )
    for i in range(60):
        make_audit_event(
            actor=a.coordinator, action="area.update", object_type="area", object_id=100 + i, at=AT
        )
    db.session.commit()
    login_as(district.admin)
    page = client.get("/admin/audit?action=site.update&from=2026-11-04&to=2026-11-04").get_data(
        as_text=True
    )
    assert "2026-11-04 01:30:00" in page and 'id="audit-total">1 ' in page.replace("条", " ")
    by_person = client.get(
        f"/admin/audit?actor={district.admin.username}&action=site.update"
    ).get_data(as_text=True)
    assert "site #8" in by_person and "site #7" not in by_person
    first = client.get("/admin/audit?action=area.update").get_data(as_text=True)
    second = client.get("/admin/audit?action=area.update&page=2").get_data(as_text=True)
    assert first.count('id="event-') == 50 and second.count('id="event-') == 10
    assert "page=2" in first


def test_bad_filters_answer_422_naming_the_field(client, login_as, district):
    login_as(district.admin)
    for query, field in (
        ("from=yesterday", "from"),
        ("object_id=abc", "object_id"),
        ("page=0", "page"),
        ("page=999999999999999999999", "page"),
        ("actor=nobody_here", "actor"),
        ("from=2026-11-05&to=2026-11-01", "to"),
    ):
        response = client.get(f"/admin/audit?{query}")
        assert response.status_code == 422, query
        assert f"<strong>{field}</strong>" in response.get_data(as_text=True), query
    assert client.get("/admin/audit.csv?from=nope").status_code == 422


def test_the_csv_export_is_utf8_with_a_bom_and_formula_safe(client, login_as, district):
    a = district.a
    make_audit_event(
        actor=a.coordinator,
        action="area.update",
        object_type="area",
        object_id=5,
        at=AT,
        detail={"changes": {"name": {"old": "甲", "new": '=HYPERLINK("x")'}}, "fields": ["name"]},
    )
    db.session.commit()
    login_as(district.admin)
    response = client.get("/admin/audit.csv?action=area.update")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][1] == a.coordinator.username and rows[1][3] == "area.update"
    assert rows[1][0] == "2026-11-03 10:00:00" and rows[1][6] == "198.51.100.4"
    assert rows[1][7] == 'name: 甲 → =HYPERLINK("x")'  # not at the start of the cell: not a formula
    make_audit_event(
        actor=a.coordinator, action="=cmd|' /C calc'!A0", object_type="area", object_id=6, at=AT
    )
    db.session.commit()
    evil = list(csv.reader(io.StringIO(client.get("/admin/audit.csv").data.decode("utf-8-sig"))))
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in evil[1:] for cell in row)


def test_english_and_chinese(client, login_as, district):
    login_as(district.admin)
    assert "审计日志" in client.get("/admin/audit").get_data(as_text=True)
    client.get("/lang/en")
    assert "Audit log" in client.get("/admin/audit").get_data(as_text=True)
