"""POST/GET /warnings, outcomes, masking and its audit, the import, as the contract words them."""

import io
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, RiskWarning
from app.models.base import utcnow
from app.services.warnings import handling

WARNING = {"level": "high", "subject_label": "王某（72岁）", "phone": "13800131234"}


def _post(api, user, grid, **extra):
    return api.post("/warnings", user=user, json={**WARNING, "area_id": grid.id, **extra})


def _reveals():
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "warning.reveal_phone")
    ).all()


def test_post_answers_the_deadline_from_the_level(api, district):
    for level, hours in (("high", 2), ("medium", 24), ("low", 72)):
        response = _post(api, district.a.coordinator, district.a.grids[0], level=level)
        assert response.status_code == 201, response.get_json()
        body = response.get_json()
        created, deadline = (datetime.fromisoformat(body[k]) for k in ("created_at", "deadline_at"))
        assert deadline - created == timedelta(hours=hours) and body["deadline_at"].endswith(
            "+08:00"
        )
        assert (
            body["status"] == "open"
            and body["phone"] == "138****1234"
            and body["escalation"] == "grid"
        )


def test_bad_warnings_name_the_field_and_authorization_comes_first(api, district):
    a = district.a
    for change, field in (
        ({"level": "urgent"}, "level"),
        ({"phone": "call me"}, "phone"),
        ({"subject_label": ""}, "subject_label"),
        ({"area_id": a.community.id}, "area_id"),
    ):
        response = _post(api, a.police, a.grids[0], **change)
        assert response.status_code == 422 and field in response.get_json()["errors"]["json"], (
            change
        )
    assert _post(api, a.police, district.b.grids[0], level="urgent").status_code == 403
    assert _post(api, a.worker, a.grids[0], level="urgent").status_code == 403
    assert _post(api, a.leader, a.grids[0]).status_code == 403


def test_workers_see_their_grids_and_phones_are_masked_but_for_police_and_admins(api, district):
    a = district.a
    mine = _post(api, a.police, a.grids[0]).get_json()
    _post(api, a.police, a.grids[1])
    events_before = len(_reveals())
    worker_view = api.get("/warnings", user=a.worker).get_json()
    assert [w["id"] for w in worker_view["items"]] == [mine["id"]] and worker_view["items"][0][
        "phone"
    ] == "138****1234"
    assert api.get("/warnings", user=district.b.worker).get_json()["total"] == 0
    assert {w["phone"] for w in api.get("/warnings", user=a.coordinator).get_json()["items"]} == {
        "138****1234"
    }
    assert len(_reveals()) == events_before
    police_view = api.get("/warnings", user=a.police).get_json()
    assert {w["phone"] for w in police_view["items"]} == {"13800131234"}
    assert (
        api.get(f"/warnings/{mine['id']}", user=district.admin).get_json()["phone"] == "13800131234"
    )
    events = _reveals()[events_before:]
    assert [(e.actor_id, len(e.detail["warning_ids"])) for e in events] == [
        (a.police.id, 2),
        (district.admin.id, 1),
    ]


def test_reveal_phone_endpoint(api, district):
    a = district.a
    warning_id = _post(api, a.police, a.grids[0]).get_json()["id"]
    response = api.post(f"/warnings/{warning_id}/reveal-phone", user=a.police)
    assert response.status_code == 200 and response.get_json() == {
        "id": warning_id,
        "phone": "13800131234",
    }
    assert _reveals()[-1].object_id == warning_id
    assert api.post(f"/warnings/{warning_id}/reveal-phone", user=a.coordinator).status_code == 403
    assert (
        api.post(f"/warnings/{warning_id}/reveal-phone", user=district.b.police).status_code == 404
    )


def test_overdue_and_status_filters(api, district):
    a = district.a
    late = handling.create_warning(
        a.police, {**WARNING, "area_id": a.grids[0].id}, now=utcnow() - timedelta(hours=3)
    )
    _post(api, a.police, a.grids[0])
    db.session.commit()
    overdue = api.get("/warnings?overdue=1", user=a.worker).get_json()
    assert [w["id"] for w in overdue["items"]] == [late.id]
    assert overdue["items"][0]["overdue"] is True and overdue["items"][0]["seconds_left"] < 0
    assert overdue["items"][0]["escalation"] == "community"
    assert api.get("/warnings?status=handled", user=a.worker).get_json()["total"] == 0
    assert api.get("/warnings?status=gone", user=a.worker).status_code == 422


def test_outcome_with_stop_loss_steps(api, district):
    a = district.a
    warning_id = _post(api, a.police, a.grids[0]).get_json()["id"]
    url = f"/warnings/{warning_id}/outcome"
    assert api.post(url, user=district.b.worker, json={"result": "dissuaded"}).status_code == 404
    assert api.post(url, user=a.leader, json={"result": "bogus"}).status_code == 403
    bad = api.post(url, user=a.worker, json={"result": "fine"})
    assert bad.status_code == 422 and "result" in bad.get_json()["errors"]["json"]
    body = {"result": "already_defrauded", "note": "已转账两万", "lat": 29.9, "lng": 121.55}
    response = api.post(url, user=a.worker, json=body)
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert answer["status"] == "handled" and answer["result"] == "already_defrauded"
    assert any("96110" in step for step in answer["stop_loss"]) and answer["handled_lat"] == 29.9
    assert api.post(url, user=a.worker, json=body).status_code == 200
    assert api.post(url, user=a.worker, json={"result": "dissuaded"}).status_code == 409
    other = _post(api, a.police, a.grids[0]).get_json()["id"]
    calm = api.post(
        f"/warnings/{other}/outcome", user=a.worker, json={"result": "dissuaded"}
    ).get_json()
    assert calm["stop_loss"] is None


def test_import_good_and_bad_files(api, district):
    a = district.a
    good = f"level,grid,subject_label,phone\nhigh,{a.grids[0].id},王某,13800131234\nlow,{a.grids[1].id},李某,\n"
    response = api.post(
        "/warnings/import",
        user=a.police,
        data={"file": (_file(good), "warnings.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201 and response.get_json() == {
        "created": 2,
        "errors": [],
        "error_count": 0,
    }
    before = db.session.scalar(select(func.count()).select_from(RiskWarning))
    bad = f"等级,网格,对象\n高,{a.grids[0].id},王某\n紧急,{a.grids[0].id},李某\n"
    response = api.post(
        "/warnings/import",
        user=a.police,
        data={"file": (_file(bad), "warnings.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert response.get_json() == {
        "created": 0,
        "errors": [{"row": 3, "message": response.get_json()["errors"][0]["message"]}],
        "error_count": 1,
    }
    assert db.session.scalar(select(func.count()).select_from(RiskWarning)) == before
    assert (
        api.post(
            "/warnings/import", user=a.worker, data={}, content_type="multipart/form-data"
        ).status_code
        == 403
    )
    missing = api.post(
        "/warnings/import", user=a.police, data={}, content_type="multipart/form-data"
    )
    assert missing.status_code == 422 and "file" in missing.get_json()["errors"]["json"]


def _file(text):
    return io.BytesIO(text.encode("utf-8"))


def test_board_over_http_for_readers_and_police(api, district):
    a = district.a
    late = handling.create_warning(
        a.police, {**WARNING, "area_id": a.grids[0].id}, now=utcnow() - timedelta(hours=3)
    )
    _post(api, a.police, a.grids[1], level="low")
    body = api.get("/warnings/board", user=a.leader).get_json()
    assert (body["totals"]["open"], body["totals"]["overdue"]) == (2, 1)
    assert body["totals"]["by_level"]["high"] == {"open": 1, "overdue": 1}
    assert [s["area_id"] for s in body["streets"]] == [a.street.id]
    [row] = body["escalated"]
    assert (row["id"], row["phone"], row["escalation"], row["owner_area_id"]) == (
        late.id,
        "138****1234",
        "community",
        a.community.id,
    )
    assert row["deadline_at"].endswith("+08:00")
    assert api.get("/warnings/board", user=a.police).status_code == 200
    assert api.get("/warnings/board", user=a.worker).status_code == 403
    assert api.get("/warnings/board", user=district.b.coordinator).get_json()["totals"]["open"] == 0
    bad = api.get("/warnings/board?date=yesterday", user=a.leader)
    assert bad.status_code == 422 and "date" in bad.get_json()["errors"]["json"]


def test_a_coordinator_or_leader_with_the_police_force_still_reads_masked_numbers(api, district):
    """The contract: coordinators and leaders never see a resident's number, whatever their force."""
    from tests.factories import make_user

    a = district.a
    warning_id = _post(api, a.police, a.grids[0]).get_json()["id"]
    station = make_user(role="coordinator", area=a.street, force="police")
    chief = make_user(role="leader", area=a.street, force="police")
    for person in (station, chief):
        listed = api.get("/warnings", user=person).get_json()["items"]
        assert [w["phone"] for w in listed if w["id"] == warning_id] == ["138****1234"]
        assert api.post(f"/warnings/{warning_id}/reveal-phone", user=person).status_code == 403
