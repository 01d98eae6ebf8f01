"""Invites by QR: made for a force and an area, joined through, approved or refused in bulk,
expiring and revocable, and the public form rate-limited."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.errors import Invalid
from app.extensions import db
from app.models import AuditEvent, Invite, User
from app.services import invites

STRONG = "Quiet-Harbour-58"


def invite_on_page(client, area, force="rider"):
    response = client.post(
        "/coordinate/invites", data={"area_id": area.id, "force": force, "days": "7"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    invite = db.session.scalar(select(Invite).order_by(Invite.id.desc()))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    link = re.search(r'id="invite-link">([^<]+)<', page).group(1)
    assert "<svg" in page
    return invite, link.split("127.0.0.1:5000", 1)[-1]


def join(client, path, name="骑手甲", phone="13600000001", password=STRONG):
    return client.post(path, data={"display_name": name, "phone": phone, "password": password})


def test_join_wait_approve_then_log_in(district, login_as, app):
    coordinator = login_as(district.a.coordinator)
    invite, path = invite_on_page(coordinator, district.a.street)
    phone = app.test_client()
    form = phone.get(path)
    assert form.status_code == 200 and district.a.street.name in form.get_data(as_text=True)
    joined = join(phone, path)
    assert joined.status_code == 201 and 'id="join-pending"' in joined.get_data(as_text=True)
    person = db.session.scalar(select(User).where(User.phone == "13600000001"))
    assert (person.pending, person.active, person.force, person.area_id, person.role) == (
        True,
        False,
        "rider",
        district.a.street.id,
        "worker",
    )
    assert (
        phone.post(
            "/api/v1/auth/token", json={"username": "13600000001", "password": STRONG}
        ).status_code
        == 401
    )
    assert join(phone, path, name="冒名").status_code == 409  # the phone is taken
    page = coordinator.get("/coordinate/invites").get_data(as_text=True)
    assert "骑手甲" in page
    other = login_as(district.b.coordinator)
    assert "骑手甲" not in other.get("/coordinate/invites").get_data(as_text=True)
    other.post("/coordinate/invites/pending", data={"user_ids": [person.id], "decision": "approve"})
    db.session.refresh(person)
    assert person.pending  # another street's coordinator approves nobody here
    coordinator = login_as(district.a.coordinator)
    done = coordinator.post(
        "/coordinate/invites/pending", data={"user_ids": [person.id], "decision": "approve"}
    )
    assert done.status_code == 302
    db.session.refresh(person)
    assert (person.pending, person.active) == (False, True)
    token = phone.post("/api/v1/auth/token", json={"username": "13600000001", "password": STRONG})
    assert token.status_code == 200
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "invite.approve"))


def test_bulk_refuse_removes_the_requests(district, login_as, app):
    coordinator = login_as(district.a.coordinator)
    _invite, path = invite_on_page(coordinator, district.a.community, "militia")
    phone = app.test_client()
    for i in range(3):
        assert join(phone, path, name=f"民兵{i}", phone=f"1350000000{i}").status_code == 201
    ids = db.session.scalars(select(User.id).where(User.pending == True)).all()
    assert len(ids) == 3
    coordinator.post(
        "/coordinate/invites/pending", data={"user_ids": ids[:2], "decision": "refuse"}
    )
    assert db.session.scalars(select(User.id).where(User.pending == True)).all() == ids[2:]


def test_bad_input_expiry_revocation_and_police(district, login_as, app):
    coordinator = login_as(district.a.coordinator)
    invite, path = invite_on_page(coordinator, district.a.street)
    phone = app.test_client()
    bad = join(phone, path, name="", phone="call me", password="short")
    assert bad.status_code == 422
    assert join(phone, path, phone="1360000\x000").status_code == 422
    assert phone.get(path[:-3] + "abc").status_code == 404  # altered signature
    assert phone.get("/i/" + "x" * 500).status_code == 404
    police = coordinator.post(
        "/coordinate/invites",
        data={"area_id": district.a.street.id, "force": "police", "days": "7"},
    )
    assert police.status_code == 422
    with pytest.raises(Invalid):  # the service refuses police for admins too
        invites.create_invite(district.admin, {"area_id": district.a.street.id, "force": "police"})
    outside = coordinator.post(
        "/coordinate/invites", data={"area_id": district.b.street.id, "force": "rider", "days": "7"}
    )
    assert outside.status_code in (403, 422)
    coordinator.post(f"/coordinate/invites/{invite.id}/revoke")
    assert phone.get(path).status_code == 404
    assert join(phone, path).status_code == 404
    second, path2 = invite_on_page(coordinator, district.a.street)
    second.expires_at = second.created_at - timedelta(seconds=1)
    db.session.commit()
    assert phone.get(path2).status_code == 404
    assert login_as(district.a.worker).get("/coordinate/invites").status_code == 403


def test_the_public_form_is_rate_limited_per_address(district, login_as, app):
    coordinator = login_as(district.a.coordinator)
    _invite, path = invite_on_page(coordinator, district.a.street)
    phone = app.test_client()
    statuses = [join(phone, path, password="short").status_code for _ in range(21)]
    assert statuses[:20] == [422] * 20 and statuses[20] == 429  # 20 per hour by default
    assert phone.get(path).status_code == 200  # reading the form is not limited
    elsewhere = join(phone, path, password="short", phone="13700000001")
    assert elsewhere.status_code == 429


def test_invite_and_join_pages_check_by_the_schemas_rules(district, login_as, app):
    """The pages' rules are the schemas': days 1..90 on the invite, the password's own rules
    (and no more than 256 characters to hash) on the join form; each refusal names its field."""
    coordinator = login_as(district.a.coordinator)
    form = {"area_id": district.a.street.id, "force": "rider"}
    for days in ("0", "91", "x"):
        refused = coordinator.post("/coordinate/invites", data={**form, "days": days})
        assert refused.status_code == 422, days
        assert 'id="days-error"' in refused.get_data(as_text=True) or "days" in refused.get_data(
            as_text=True
        )
    assert db.session.scalar(select(Invite)) is None
    _invite, path = invite_on_page(coordinator, district.a.street)
    phone = app.test_client()
    too_long = join(phone, path, password="x" * 10_000)
    assert too_long.status_code == 422 and "256" in too_long.get_data(as_text=True)
    blank = join(phone, path, name="")
    assert blank.status_code == 422
    assert db.session.scalar(select(User).where(User.phone == "13600000001")) is None


def test_joining_without_a_name_is_refused_naming_it(district, login_as, app):
    coordinator = login_as(district.a.coordinator)
    _invite, path = invite_on_page(coordinator, district.a.street)
    phone = app.test_client()
    nameless = phone.post(path, data={"phone": "13600000002", "password": STRONG})
    assert nameless.status_code == 422
    assert db.session.scalar(select(User).where(User.phone == "13600000002")) is None
