"""Finding and helping the person: household and address, the handlers' reveal, 电话劝阻,
无法见面 twice, 已被骗 with its figures, and a coordinator's correction."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Notification, NotificationRecipient
from tests.factories import make_household, make_user, reveal_count

PHONE = "13800131234"


def _enter(api, district, **extra):
    a = district.a
    body = {"level": "high", "area_id": a.grids[0].id, "subject_label": "王某", "phone": PHONE}
    answer = api.post("/warnings", user=a.police, json={**body, **extra})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def test_a_warning_names_a_household_of_its_grid_or_an_address(api, district):
    a = district.a
    home = make_household(area=a.grids[0], label="3-1-402")
    elsewhere = make_household(area=a.grids[1], label="9-9-909")
    found = _enter(api, district, household_id=home.id, address="幸福小区3幢")
    assert found["household_id"] == home.id and found["address"] == "幸福小区3幢"
    wrong = api.post(
        "/warnings",
        user=a.police,
        json={
            "level": "low",
            "area_id": a.grids[0].id,
            "subject_label": "李某",
            "household_id": elsewhere.id,
        },
    )
    assert wrong.status_code == 422 and "household_id" in str(wrong.get_json())


def test_the_grid_worker_reveals_the_number_to_call_and_it_is_audited(api, district):
    a = district.a
    warning = _enter(api, district)
    listed = api.get(f"/warnings/{warning['id']}", user=a.worker).get_json()
    assert listed["phone"] == "138****1234"  # masked until the tap
    before = reveal_count()
    answer = api.post(f"/warnings/{warning['id']}/reveal-phone", user=a.worker)
    assert answer.status_code == 200 and answer.get_json()["phone"] == PHONE
    assert reveal_count() == before + 1
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "warning.reveal_phone")
    ).all()[-1]
    assert event.actor_id == a.worker.id and event.object_id == warning["id"]
    other_grid = make_user(role="worker", area=a.community, grids=[a.grids[1]])
    assert api.post(f"/warnings/{warning['id']}/reveal-phone", user=other_grid).status_code in (
        403,
        404,
    )
    for reader in (a.coordinator, a.leader):
        assert api.post(f"/warnings/{warning['id']}/reveal-phone", user=reader).status_code == 403


def test_dissuaded_by_phone_is_an_outcome(api, district):
    warning = _enter(api, district)
    answer = api.post(
        f"/warnings/{warning['id']}/outcome",
        user=district.a.worker,
        json={"result": "phone_dissuaded"},
    )
    assert answer.status_code == 200 and answer.get_json()["status"] == "handled"
    assert answer.get_json()["result"] == "phone_dissuaded"


def test_unreachable_asks_to_try_again_then_hands_over_to_the_police(api, district):
    a = district.a
    warning = _enter(api, district)
    url = f"/warnings/{warning['id']}/outcome"
    first = api.post(url, user=a.worker, json={"result": "unreachable", "note": "敲门无人"})
    assert first.get_json()["status"] == "open" and first.get_json()["unreachable_count"] == 1
    assert first.get_json()["handed_to_police_at"] is None
    second = api.post(url, user=a.worker, json={"result": "unreachable"}).get_json()
    assert second["status"] == "open" and second["handed_to_police_at"] is not None
    told = db.session.scalars(
        select(NotificationRecipient.user_id)
        .join(Notification)
        .where(Notification.kind == "warning_to_police")
    ).all()
    assert told == [a.police.id]
    third = api.post(url, user=a.police, json={"result": "unreachable"}).get_json()
    assert third["status"] == "handled" and third["result"] == "unreachable"


def test_a_resent_unreachable_attempt_counts_once(api, district):
    a = district.a
    warning = _enter(api, district)
    url = f"/warnings/{warning['id']}/outcome"
    attempt = {"result": "unreachable", "client_id": "6f1c0a52-7d0e-4c43-9a53-0b7d3c1e2f10"}
    first = api.post(url, user=a.worker, json=attempt).get_json()
    again = api.post(url, user=a.worker, json=attempt).get_json()
    assert first["unreachable_count"] == again["unreachable_count"] == 1
    assert again["handed_to_police_at"] is None
    other = {**attempt, "client_id": "0c9b1f3e-2a44-4b6e-8f0d-5e6a7b8c9d01"}
    second = api.post(url, user=a.worker, json=other).get_json()
    assert second["unreachable_count"] == 2 and second["handed_to_police_at"] is not None
    bad = api.post(url, user=a.worker, json={"result": "unreachable", "client_id": "x"})
    assert bad.status_code == 422 and "client_id" in str(bad.get_json())


def test_already_defrauded_records_the_figures(api, district):
    warning = _enter(api, district)
    answer = api.post(
        f"/warnings/{warning['id']}/outcome",
        user=district.a.worker,
        json={
            "result": "already_defrauded",
            "loss_amount": "52000.00",
            "stopped_amount": "30000.50",
            "paid_to": "6222 **** 8888",
            "fraud_channel": "冒充客服",
            "reported_to": "96110",
            "defrauded_at": "2026-11-30T10:00:00+08:00",
        },
    )
    body = answer.get_json()
    assert answer.status_code == 200, body
    assert (body["loss_amount"], body["stopped_amount"]) == ("52000.00", "30000.50")
    assert body["reported_to"] == "96110" and body["stop_loss"]
    bad = api.post(
        f"/warnings/{_enter(api, district)['id']}/outcome",
        user=district.a.worker,
        json={"result": "already_defrauded", "stopped_amount": "-1", "reported_to": "999"},
    )
    assert bad.status_code == 422
    assert {"stopped_amount", "reported_to"} <= set(str(bad.get_json()).split("'"))


def test_a_coordinator_corrects_an_outcome_and_the_first_stays_in_the_audit_log(api, district):
    a = district.a
    warning = _enter(api, district)
    api.post(
        f"/warnings/{warning['id']}/outcome", user=a.worker, json={"result": "already_defrauded"}
    )
    url = f"/warnings/{warning['id']}/correct"
    assert (
        api.post(url, user=a.worker, json={"result": "dissuaded", "reason": "x"}).status_code == 403
    )
    assert api.post(url, user=a.coordinator, json={"result": "dissuaded"}).status_code == 422
    answer = api.post(
        url, user=a.coordinator, json={"result": "dissuaded", "reason": "误点了已被骗"}
    )
    assert answer.status_code == 200 and answer.get_json()["result"] == "dissuaded"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "warning.correct"))
    assert event.actor_id == a.coordinator.id
    assert "already_defrauded" in str(event.detail) and "误点了已被骗" in str(event.detail)
    assert api.post(
        url, user=district.b.coordinator, json={"result": "dissuaded", "reason": "x"}
    ).status_code in (403, 404)
