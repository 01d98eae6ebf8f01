"""A task's status is settled by the write that brings its evidence, not by whoever reads it next."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from app.extensions import db
from app.models import Task
from app.services.localtime import today
from tests.api.checkin_helpers import body
from tests.factories import make_household, make_site, make_task


def _campaign(api, district, kind: str, targets: dict) -> int:
    a = district.a
    data = {
        "title": "反诈宣传",
        "kind": kind,
        "area_id": a.grids[0].id,
        "starts_on": today().isoformat(),
        "ends_on": (today() + timedelta(days=7)).isoformat(),
        "targets": targets,
    }
    response = api.post("/campaigns", user=a.coordinator, json=data)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _campaigns_row(client, login_as, user) -> str:
    page = login_as(user).get("/coordinate/campaigns").get_data(as_text=True)
    return page.split("反诈宣传", 1)[1].split("</tr>", 1)[0]


def _status(task_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Task, task_id).status


def test_a_checkin_that_meets_the_target_shows_done_on_the_campaigns_list(
    api, client, login_as, district
):
    a = district.a
    campaign_id = _campaign(api, district, "site_check", {"site_visits": 1})
    assert api.post("/checkins", user=a.worker, json=body(a.sites[0])).status_code == 201
    assert "1 / 1" in _campaigns_row(client, login_as, a.coordinator)
    task = api.get(f"/campaigns/{campaign_id}", user=a.coordinator).get_json()["tasks"][0]
    assert task["status"] == "done" and task["progress"] == {"done": 1, "target": 1}


def test_a_visit_that_meets_the_target_shows_done_on_the_campaigns_list(
    api, client, login_as, district
):
    a = district.a
    household = make_household(area=a.grids[0], label="1-1-101")
    db.session.commit()
    _campaign(api, district, "door_to_door", {"household_rounds": 1})
    visit = {
        "household_id": household.id,
        "outcome": "reached",
        "lat": a.sites[0].lat,
        "lng": a.sites[0].lng,
        "accuracy_m": 10,
        "client_id": str(uuid.uuid4()),
        "captured_at": datetime.now(UTC).isoformat(),
    }
    assert api.post("/visits", user=a.worker, json=visit).status_code == 201
    assert "1 / 1" in _campaigns_row(client, login_as, a.coordinator)


def test_approving_a_flagged_checkin_settles_its_task(api, district):
    a = district.a
    campaign_id = _campaign(api, district, "site_check", {"site_visits": 1})
    task_id = api.get(f"/campaigns/{campaign_id}", user=a.coordinator).get_json()["tasks"][0]["id"]
    flagged = api.post(
        "/checkins", user=a.worker, json=body(a.sites[0], accuracy_m=500.0)
    ).get_json()
    assert flagged["status"] == "flagged" and _status(task_id) == "open"
    review = api.post(
        f"/checkins/{flagged['id']}/review", user=a.coordinator, json={"decision": "approve"}
    )
    assert review.status_code == 200 and _status(task_id) == "done"


def test_a_report_that_meets_the_target_settles_the_task(api, district):
    a = district.a
    campaign_id = _campaign(api, district, "lecture", {"lectures": 2})
    task_id = api.get(f"/campaigns/{campaign_id}", user=a.coordinator).get_json()["tasks"][0]["id"]
    assert api.post(f"/tasks/{task_id}/report", user=a.worker, json={"count": 1}).status_code == 201
    assert _status(task_id) == "in_progress"
    assert api.post(f"/tasks/{task_id}/report", user=a.worker, json={"count": 1}).status_code == 201
    assert _status(task_id) == "done"


def test_a_household_becoming_reachable_again_settles_the_door_to_door_task(api, district):
    a = district.a
    household = make_household(
        area=a.grids[0], label="1-1-101", unreachable=True, unreachable_reason="vacant"
    )
    task = make_task(area=a.grids[0], kind="door_to_door", target_count=1, assignees=[a.worker])
    db.session.commit()
    visit = {
        "household_id": household.id,
        "outcome": "reached",
        "lat": a.sites[0].lat,
        "lng": a.sites[0].lng,
        "accuracy_m": 10,
        "client_id": str(uuid.uuid4()),
        "captured_at": datetime.now(UTC).isoformat(),
    }
    assert api.post("/visits", user=a.worker, json=visit).status_code == 201
    assert _status(task.id) == "open"  # an unreachable household does not count
    changed = api.patch(
        f"/households/{household.id}", user=a.coordinator, json={"unreachable": False}
    )
    assert changed.status_code == 200 and _status(task.id) == "done"


def test_changing_a_tasks_target_settles_it(api, district):
    a = district.a
    task = make_task(
        area=a.grids[0], kind="site_check", target_count=2, sites=[a.sites[0]], assignees=[a.worker]
    )
    db.session.commit()
    assert (
        api.post("/checkins", user=a.worker, json=body(a.sites[0], task_id=task.id)).status_code
        == 201
    )
    assert _status(task.id) == "in_progress"
    assert (
        api.patch(f"/tasks/{task.id}", user=a.coordinator, json={"target_count": 1}).status_code
        == 200
    )
    assert _status(task.id) == "done"


def test_a_new_task_over_evidence_already_made_starts_settled(api, district):
    a = district.a
    assert api.post("/checkins", user=a.worker, json=body(a.sites[0])).status_code == 201
    campaign_id = _campaign(api, district, "site_check", {"site_visits": 2})
    task = api.get(f"/campaigns/{campaign_id}", user=a.coordinator).get_json()["tasks"][0]
    assert task["progress"] == {"done": 1, "target": 2} and _status(task["id"]) == "in_progress"


def test_moving_a_site_to_another_grid_settles_both_grids_tasks(api, district):
    a = district.a
    site = make_site(area=a.grids[1], lat=a.sites[1].lat + 0.0005)
    db.session.commit()
    campaign_id = _campaign(api, district, "site_check", {"site_visits": 1})
    task_id = api.get(f"/campaigns/{campaign_id}", user=a.coordinator).get_json()["tasks"][0]["id"]
    assert api.post("/checkins", user=a.coordinator, json=body(site)).status_code == 201
    assert _status(task_id) == "open"
    assert (
        api.patch(
            f"/sites/{site.id}", user=a.coordinator, json={"area_id": a.grids[0].id}
        ).status_code
        == 200
    )
    assert _status(task_id) == "done"
