"""POST/GET /campaigns and POST/GET/PATCH /tasks as the contract words them."""

import uuid
from datetime import datetime, timedelta

from app.models.base import utcnow
from tests.api.checkin_helpers import body as checkin_body
from tests.factories import make_household, make_task, make_user

CAMPAIGN = {
    "title": "反诈进影院",
    "kind": "site_check",
    "starts_on": "2026-11-01",
    "ends_on": "2026-11-30",
    "targets": {"site_visits": 2},
}


def _due(days=3):
    return (utcnow() + timedelta(days=days)).isoformat()


def test_post_campaign_answers_the_tasks(api, district):
    a = district.a
    response = api.post(
        "/campaigns", user=a.coordinator, json={**CAMPAIGN, "area_id": a.community.id}
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["area_id"] == a.community.id and body["repeat_monthly"] is False
    assert [t["area_id"] for t in body["tasks"]] == [g.id for g in a.grids]
    first = body["tasks"][0]
    assert first["assignee_ids"] == [a.worker.id] and first["due_at"] == "2026-11-30T23:59:59+08:00"
    assert first["progress"] == {"done": 0, "target": 2} and first["status"] == "open"
    listed = api.get("/campaigns", user=a.coordinator).get_json()
    assert listed["total"] == 1 and listed["items"][0]["summary"]["tasks"] == 2
    one = api.get(f"/campaigns/{body['id']}", user=a.coordinator).get_json()
    assert len(one["tasks"]) == 2
    assert api.get(f"/campaigns/{body['id']}", user=district.b.coordinator).status_code == 404
    assert api.get("/campaigns", user=a.worker).status_code == 403


def test_campaign_errors_name_the_field_and_authorization_comes_first(api, district):
    a = district.a
    bad = api.post(
        "/campaigns",
        user=a.coordinator,
        json={**CAMPAIGN, "area_id": a.community.id, "kind": "party"},
    )
    assert bad.status_code == 422 and "kind" in bad.get_json()["errors"]["json"]
    reversed_dates = api.post(
        "/campaigns",
        user=a.coordinator,
        json={**CAMPAIGN, "area_id": a.community.id, "ends_on": "2026-10-01"},
    )
    assert (
        reversed_dates.status_code == 422
        and "ends_on" in reversed_dates.get_json()["errors"]["json"]
    )
    unknown_target = api.post(
        "/campaigns",
        user=a.coordinator,
        json={**CAMPAIGN, "area_id": a.community.id, "targets": {"beers": 2}},
    )
    assert (
        unknown_target.status_code == 422
        and "targets" in unknown_target.get_json()["errors"]["json"]
    )
    foreign = api.post(
        "/campaigns", user=a.coordinator, json={"area_id": district.b.street.id, "kind": "party"}
    )
    assert foreign.status_code == 403
    assert api.post("/campaigns", user=a.worker, json={}).status_code == 403


def test_post_task_and_its_answer(api, district):
    a = district.a
    response = api.post(
        "/tasks",
        user=a.coordinator,
        json={
            "title": "社区讲座",
            "kind": "lecture",
            "area_id": a.grids[0].id,
            "due_at": _due(),
            "assignee_ids": [a.police.id],
            "target_count": 2,
        },
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["assignee_ids"] == [a.police.id] and body["progress"] == {"done": 0, "target": 2}
    assert (
        body["status"] == "open" and body["overdue"] is False and body["due_at"].endswith("+08:00")
    )
    assert body["assignees"][0]["force"] == "police"


def test_task_input_errors_name_the_field(api, district):
    a = district.a
    base = {"title": "t", "kind": "site_check", "area_id": a.grids[0].id, "due_at": _due()}
    cases = [
        ({"kind": "dance"}, "kind"),
        ({"due_at": "2026-11-30T10:00:00"}, "due_at"),
        ({"due_at": None}, "due_at"),
        ({"area_id": "x"}, "area_id"),
        ({"target_count": -1}, "target_count"),
        ({"assignee_ids": "all"}, "assignee_ids"),
        ({"area_id": a.community.id}, "area_id"),
        ({"site_ids": [a.sites[1].id]}, "site_ids"),
        ({"colour": "red"}, "colour"),
    ]
    for change, field in cases:
        response = api.post("/tasks", user=a.coordinator, json={**base, **change})
        assert response.status_code == 422, (change, response.get_json())
        assert field in response.get_json()["errors"]["json"], (change, response.get_json())
    missing = api.post("/tasks", user=a.coordinator, json={"title": "t", "area_id": a.grids[0].id})
    assert {"kind", "due_at"} <= set(missing.get_json()["errors"]["json"])


def test_scoping_matrix_over_http(api, district):
    a, b = district.a, district.b
    own, foreign = make_task(area=a.grids[0], assignees=[a.worker]), make_task(area=b.grids[0])
    other_grid = make_task(area=a.grids[1])
    due = _due()
    assert api.get(f"/tasks/{foreign.id}", user=a.coordinator).status_code == 404
    assert (
        api.patch(f"/tasks/{foreign.id}", user=a.coordinator, json={"title": "x"}).status_code
        == 404
    )
    assert (
        api.patch(f"/tasks/{foreign.id}", user=a.coordinator, json={"title": ""}).status_code == 404
    )
    assert (
        api.post(
            "/tasks",
            user=a.coordinator,
            json={"title": "t", "kind": "site_check", "area_id": b.grids[0].id, "due_at": due},
        ).status_code
        == 403
    )
    assert (
        api.post(
            "/tasks", user=a.coordinator, json={"area_id": b.grids[0].id, "kind": 5}
        ).status_code
        == 403
    )
    foreign_person = api.patch(
        f"/tasks/{own.id}", user=a.coordinator, json={"assignee_ids": [b.worker.id]}
    )
    assert (
        foreign_person.status_code == 403
        and "assignee_ids" in foreign_person.get_json()["errors"]["json"]
    )
    assert api.patch(f"/tasks/{own.id}", user=a.leader, json={"title": "x"}).status_code == 403
    assert api.patch(f"/tasks/{own.id}", user=a.worker, json={"status": "done"}).status_code == 403
    assert api.get(f"/tasks/{own.id}", user=a.leader).status_code == 200
    assert api.get(f"/tasks/{other_grid.id}", user=a.worker).status_code == 404
    assert api.get(f"/tasks/{own.id}", user=b.worker).status_code == 404
    worker_list = api.get("/tasks?mine=1", user=a.worker).get_json()
    assert [t["id"] for t in worker_list["items"]] == [own.id]
    assert api.get("/tasks", user=b.worker).get_json()["total"] == 1
    assert api.get(f"/tasks?area_id={b.street.id}", user=a.coordinator).status_code in (403, 404)
    changed = api.patch(
        f"/tasks/{own.id}",
        user=a.coordinator,
        json={"assignee_ids": [a.police.id], "status": "cancelled"},
    )
    assert changed.status_code == 200 and changed.get_json()["assignee_ids"] == [a.police.id]
    assert changed.get_json()["status"] == "cancelled"


def test_progress_over_http_comes_from_evidence(api, district):
    a = district.a
    door = make_task(area=a.grids[0], kind="door_to_door", target_count=2, assignees=[a.worker])
    sites = make_task(
        area=a.grids[0], kind="site_check", target_count=1, sites=[a.sites[0]], assignees=[a.worker]
    )
    household = make_household(area=a.grids[0], label="3-1-101")
    visit = {
        "household_id": household.id,
        "task_id": door.id,
        "outcome": "reached",
        "lat": a.sites[0].lat,
        "lng": a.sites[0].lng,
        "accuracy_m": 10,
        "client_id": str(uuid.uuid4()),
        "captured_at": utcnow().isoformat(),
    }
    assert api.post("/visits", user=a.worker, json=visit).status_code == 201
    assert (
        api.post(
            "/checkins", user=a.worker, json=checkin_body(a.sites[0], task_id=sites.id)
        ).status_code
        == 201
    )
    body = api.get(f"/tasks?area_id={a.grids[0].id}", user=a.coordinator).get_json()
    by_id = {t["id"]: t for t in body["items"]}
    assert (
        by_id[door.id]["progress"] == {"done": 1, "target": 2}
        and by_id[door.id]["status"] == "in_progress"
    )
    assert (
        by_id[sites.id]["progress"] == {"done": 1, "target": 1}
        and by_id[sites.id]["status"] == "done"
    )
    assert (
        api.patch(
            f"/tasks/{door.id}", user=a.coordinator, json={"progress": {"done": 2}}
        ).status_code
        == 422
    )
    assert [
        t["id"] for t in api.get("/tasks?status=done", user=a.coordinator).get_json()["items"]
    ] == [sites.id]


def test_report_counts_by_assignees_exactly_once(api, district):
    a = district.a
    task = make_task(area=a.grids[0], kind="stall", target_count=3, assignees=[a.worker])
    first = api.post(
        f"/tasks/{task.id}/report",
        user=a.worker,
        json={"count": 2, "note": "菜场摆摊", "client_id": "0d4f7c1e-stall-1"},
    )
    assert first.status_code == 201 and first.get_json()["progress"] == {"done": 2, "target": 3}
    again = api.post(
        f"/tasks/{task.id}/report",
        user=a.worker,
        json={"count": 2, "client_id": "0d4f7c1e-stall-1"},
    )
    assert again.status_code == 200 and again.get_json()["progress"]["done"] == 2
    assert api.post(f"/tasks/{task.id}/report", user=a.police, json={"count": 1}).status_code == 404
    assert (
        api.post(f"/tasks/{task.id}/report", user=a.coordinator, json={"count": "x"}).status_code
        == 403
    )
    bad = api.post(f"/tasks/{task.id}/report", user=a.worker, json={"count": 0})
    assert bad.status_code == 422 and "count" in bad.get_json()["errors"]["json"]


def test_bulk_assign_and_reassign_over_http(api, district):
    a = district.a
    rider = make_user(role="worker", area=a.community, force="rider")
    task = make_task(area=a.grids[1], kind="rider_drop")
    response = api.post(
        "/tasks/bulk-assign",
        user=a.coordinator,
        json={"area_id": a.community.id, "force": "rider", "kind": "rider_drop"},
    )
    assert response.get_json() == {"tasks": 1, "added": 1, "people": 1}
    moved = api.post(
        "/tasks/reassign", user=a.coordinator, json={"from_user_id": rider.id, "to_user_id": None}
    )
    assert moved.get_json() == {"tasks": 1, "skipped": []} and task.assignee_ids == []
    assert (
        api.post(
            "/tasks/bulk-assign",
            user=a.leader,
            json={"area_id": a.community.id, "force": "rider", "kind": "rider_drop"},
        ).status_code
        == 403
    )


def test_answers_carry_the_zone_offset(api, district):
    task = make_task(
        area=district.a.grids[0], due_at=datetime.fromisoformat("2026-11-30T15:59:59+00:00")
    )
    body = api.get(f"/tasks/{task.id}", user=district.a.coordinator).get_json()
    assert body["due_at"] == "2026-11-30T23:59:59+08:00"


def _statements(call) -> int:
    from sqlalchemy import event

    from app.extensions import db

    count = [0]

    def counter(*_args, **_kwargs):
        count[0] += 1

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", counter)
    try:
        assert call().status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", counter)
    return count[0]


def test_lists_take_the_same_number_of_queries_for_few_and_many_rows(api, district):
    from app.services.warnings import handling

    a = district.a
    rider = make_user(role="worker", area=a.community, force="rider")
    api.get("/me", user=a.police)  # tokens made before counting
    api.get("/me", user=a.coordinator)

    def grow(n):
        for i in range(n):
            for kind in ("site_check", "door_to_door", "rider_drop", "lecture"):
                make_task(
                    area=a.grids[i % 2],
                    kind=kind,
                    assignees=[a.worker, rider],
                    sites=[a.sites[i % 2]] * (i % 2),
                )
            handling.create_warning(
                a.police, {"level": "high", "area_id": a.grids[i % 2].id, "subject_label": "x"}
            )
            api.post(
                "/campaigns", user=a.coordinator, json={**CAMPAIGN, "area_id": a.grids[i % 2].id}
            )

    counts = []
    for n in (1, 5):
        grow(n)
        counts.append(
            (
                _statements(lambda: api.get("/tasks?per_page=100", user=a.coordinator)),
                _statements(lambda: api.get("/warnings?per_page=100", user=a.police)),
                _statements(lambda: api.get("/campaigns?per_page=100", user=a.coordinator)),
            )
        )
    assert counts[0] == counts[1], counts
