"""Who may grant what: nobody raises their own privileges, only an admin gives or takes `police`,
coordinators manage only what lies below them, and every change is audited old → new, from where."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, User
from tests import factories
from tests.factories import PASSWORD, make_warning

NEW_PASSWORD = "Another-Horse-42"


def _events(action: str, user: User) -> list[AuditEvent]:
    return db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == action, AuditEvent.object_id == user.id)
        .order_by(AuditEvent.id)
    ).all()


def _refused(response, field: str) -> None:
    assert response.status_code == 403, response.get_json()
    assert field in response.get_json()["errors"]["json"], response.get_json()


@pytest.mark.parametrize("field", ["force", "role", "area_id"])
def test_nobody_changes_their_own_role_force_or_area(api, district, field):
    a = district.a
    value = {"force": "police", "role": "worker", "area_id": a.community.id}[field]
    _refused(
        api.patch(f"/users/{a.coordinator.id}", user=a.coordinator, json={field: value}), field
    )
    admin_value = {"force": "police", "role": "coordinator", "area_id": a.street.id}[field]
    _refused(
        api.patch(f"/users/{district.admin.id}", user=district.admin, json={field: admin_value}),
        field,
    )
    db.session.expire_all()
    assert (a.coordinator.force, a.coordinator.role, a.coordinator.area_id) == (
        None,
        "coordinator",
        a.street.id,
    )


def test_a_coordinator_turned_police_by_themselves_still_sees_masked_phones(api, district):
    a = district.a
    warning = make_warning(by=a.police, area=a.grids[0])
    db.session.commit()
    # Authorization comes first: a wrong field alongside does not turn the 403 into a 422.
    _refused(
        api.patch(
            f"/users/{a.coordinator.id}",
            user=a.coordinator,
            json={"force": "police", "phone": "not a phone"},
        ),
        "force",
    )
    assert api.get("/warnings", user=a.coordinator).get_json()["items"][0]["phone"] == "138****1234"
    assert api.post(f"/warnings/{warning.id}/reveal-phone", user=a.coordinator).status_code == 403
    # Their ordinary fields stay theirs to change.
    response = api.patch(
        f"/users/{a.coordinator.id}",
        user=a.coordinator,
        json={"display_name": "新名字", "force": None, "role": "coordinator"},
    )
    assert response.status_code == 200 and response.get_json()["display_name"] == "新名字"


def test_only_an_admin_creates_or_makes_police(api, district):
    a = district.a
    body = {
        "username": "fake_police",
        "password": NEW_PASSWORD,
        "role": "worker",
        "force": "police",
        "area_id": a.community.id,
    }
    _refused(api.post("/users", user=a.coordinator, json=body), "force")
    _refused(
        api.post("/users", user=a.coordinator, json={**body, "password": 7}), "force"
    )  # before validation
    assert db.session.scalar(select(User).where(User.username == "fake_police")) is None
    _refused(
        api.patch(f"/users/{a.worker.id}", user=a.coordinator, json={"force": "police"}), "force"
    )
    # Holders of police are the admin's to manage: no password reset, no taking it away.
    assert (
        api.patch(
            f"/users/{a.police.id}", user=a.coordinator, json={"force": "militia"}
        ).status_code
        == 403
    )
    assert (
        api.patch(
            f"/users/{a.police.id}", user=a.coordinator, json={"password": NEW_PASSWORD}
        ).status_code
        == 403
    )

    assert (
        api.patch(
            f"/users/{a.worker.id}", user=district.admin, json={"force": "police"}
        ).status_code
        == 200
    )
    created = api.post("/users", user=district.admin, json=body)
    assert created.status_code == 201 and created.get_json()["force"] == "police"
    [grant] = _events("user.update", a.worker)
    assert grant.actor_id == district.admin.id
    assert grant.detail == {
        "fields": ["force"],
        "changes": {"force": {"old": "grid_worker", "new": "police"}},
    }
    [create] = _events("user.create", db.session.get(User, created.get_json()["id"]))
    assert create.detail["changes"]["force"] == {"old": None, "new": "police"}
    assert create.detail["changes"]["area_id"] == {"old": None, "new": a.community.id}
    assert "password" in create.detail["fields"] and NEW_PASSWORD not in json.dumps(create.detail)


def test_role_force_and_area_changes_are_audited_with_old_and_new_values(api, district):
    a = district.a
    response = api.patch(
        f"/users/{a.worker.id}",
        user=a.coordinator,
        json={"force": "militia", "area_id": a.grids[1].id, "grid_ids": [a.grids[1].id]},
    )
    assert response.status_code == 200
    [event] = _events("user.update", a.worker)
    assert event.detail["changes"] == {
        "force": {"old": "grid_worker", "new": "militia"},
        "area_id": {"old": a.community.id, "new": a.grids[1].id},
        "grid_ids": {"old": [a.grids[0].id], "new": [a.grids[1].id]},
    }


def test_a_password_reset_is_audited_by_name_only(api, district):
    a = district.a
    response = api.patch(
        f"/users/{a.worker.id}",
        user=a.coordinator,
        json={"password": NEW_PASSWORD, "display_name": "张三"},
    )
    assert response.status_code == 200
    [event] = _events("user.update", a.worker)
    old_name = event.detail["changes"]["display_name"]["old"]
    assert event.detail == {
        "fields": ["display_name", "password"],
        "changes": {"display_name": {"old": old_name, "new": "张三"}},
    }
    db.session.refresh(a.worker)
    text = json.dumps(event.detail)
    assert NEW_PASSWORD not in text and a.worker.password_hash not in text and "$argon2" not in text


def test_audit_rows_say_from_where(api, district):
    a = district.a
    api.patch(
        f"/users/{a.worker.id}",
        user=a.coordinator,
        json={"display_name": "李四"},
        environ_base={"REMOTE_ADDR": "203.0.113.7"},
    )
    [event] = _events("user.update", a.worker)
    assert (event.actor_id, event.address) == (a.coordinator.id, "203.0.113.7")
    assert event.created_at is not None


def test_coordinators_of_the_same_area_do_not_manage_each_other(api, district):
    a = district.a
    peer = factories.make_user(role="coordinator", area=a.street)
    below = factories.make_user(role="coordinator", area=a.community)
    db.session.commit()
    for change in ({"password": NEW_PASSWORD}, {"active": False}, {"display_name": "x"}):
        assert api.patch(f"/users/{peer.id}", user=a.coordinator, json=change).status_code == 403
        assert api.patch(f"/users/{a.coordinator.id}", user=below, json=change).status_code in (
            403,
            404,
        )
    assert (
        api.patch(f"/users/{below.id}", user=a.coordinator, json={"active": False}).status_code
        == 200
    )
    assert (
        api.patch(f"/users/{below.id}", user=district.admin, json={"active": True}).status_code
        == 200
    )
    # A coordinator still manages the workers of their area, and adds no peer.
    assert (
        api.patch(f"/users/{a.worker.id}", user=peer, json={"password": NEW_PASSWORD}).status_code
        == 200
    )
    peer_body = {
        "username": "new_peer",
        "password": NEW_PASSWORD,
        "role": "coordinator",
        "area_id": a.street.id,
    }
    assert api.post("/users", user=a.coordinator, json=peer_body).status_code == 403
    assert (
        api.post(
            "/users", user=a.coordinator, json={**peer_body, "area_id": a.community.id}
        ).status_code
        == 201
    )
    db.session.refresh(peer)
    assert peer.active and factories.PASSWORD == PASSWORD


def test_the_own_edit_page_refuses_a_raised_force(client, login_as, district):
    a = district.a
    login_as(a.coordinator)
    page = client.get(f"/coordinate/users/{a.coordinator.id}").get_data(as_text=True)
    assert (
        'name="force"' not in page and 'name="role"' not in page and 'name="display_name"' in page
    )
    form = {
        "username": a.coordinator.username,
        "display_name": "自己",
        "role": "coordinator",
        "force": "police",
        "area_id": a.street.id,
        "active": "y",
    }
    response = client.post(f"/coordinate/users/{a.coordinator.id}", data=form)
    assert response.status_code == 403
    db.session.expire_all()
    assert a.coordinator.force is None and a.coordinator.display_name != "自己"
    # Without the fixed fields, the page saves their ordinary fields.
    ordinary = {k: v for k, v in form.items() if k not in ("role", "force", "area_id")}
    assert client.post(f"/coordinate/users/{a.coordinator.id}", data=ordinary).status_code == 302
    db.session.expire_all()
    assert (a.coordinator.display_name, a.coordinator.force, a.coordinator.area_id) == (
        "自己",
        None,
        a.street.id,
    )
    # Adding a police account from the people page is refused too.
    add = {
        "username": "page_police",
        "password": NEW_PASSWORD,
        "role": "worker",
        "force": "police",
        "area_id": a.community.id,
        "active": "y",
    }
    assert client.post("/coordinate/users", data=add).status_code == 403
    assert db.session.scalar(select(User).where(User.username == "page_police")) is None


def test_the_people_page_offers_edit_only_for_people_one_manages(client, login_as, district):
    a = district.a
    peer = factories.make_user(role="coordinator", area=a.street)
    db.session.commit()
    login_as(a.coordinator)
    page = client.get("/coordinate/users").get_data(as_text=True)
    assert (
        f"/coordinate/users/{a.worker.id}" in page
        and f"/coordinate/users/{a.coordinator.id}" in page
    )
    assert (
        f"/coordinate/users/{peer.id}" not in page
        and f"/coordinate/users/{a.police.id}" not in page
    )
    assert client.get(f"/coordinate/users/{peer.id}").status_code == 403
    assert client.get(f"/coordinate/users/{a.worker.id}").status_code == 200


def test_a_user_made_on_the_command_line_is_audited_too(app, district):
    result = app.test_cli_runner().invoke(
        args=[
            "create-user",
            "cli_police",
            "--role",
            "worker",
            "--password",
            NEW_PASSWORD,
            "--area",
            str(district.a.community.id),
            "--force",
            "police",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "cli_police"))
    [event] = _events("user.create", user)
    assert (event.actor_id, event.address, event.detail["via"]) == (None, None, "command line")
    assert event.detail["changes"]["force"] == {"old": None, "new": "police"}
    assert NEW_PASSWORD not in json.dumps(event.detail)
