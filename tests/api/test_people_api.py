"""The people API: the assignment list (filters, paging, masked phones, scope), assign all
shown, the person page and the leaderboard as JSON."""

import pytest

from app.extensions import db
from app.models.task import task_assignees
from app.services.localtime import today
from tests.factories import make_checkin, make_commendation, make_task, make_user


@pytest.fixture
def riders(district):
    a, b = district.a, district.b
    people = [
        make_user(
            area=a.community, force="rider", display_name=f"骑手{i:02d}", phone=f"139000000{i:02d}"
        )
        for i in range(12)
    ]
    make_user(area=b.community, force="rider", display_name="乙骑手", phone="13911112222")
    db.session.commit()
    return people


def test_the_list_pages_filters_and_masks(api, district, riders):
    a = district.a
    first = api.get("/people?force=rider&per_page=5", user=a.coordinator)
    assert first.status_code == 200
    body = first.get_json()
    assert body["total"] == 12 and len(body["items"]) == 5
    row = body["items"][0]
    assert row["display_name"] == "骑手00" and row["phone"] == "139****0000"
    assert row["open_tasks"] == 0 and row["active_this_month"] is False
    assert "13900000000" not in first.get_data(as_text=True)
    third = api.get("/people?force=rider&per_page=5&page=3", user=a.coordinator).get_json()
    assert [r["display_name"] for r in third["items"]] == ["骑手10", "骑手11"]
    found = api.get("/people?q=00000011", user=a.coordinator).get_json()
    assert [r["display_name"] for r in found["items"]] == ["骑手11"]


def test_the_list_stays_in_the_callers_street(api, district, riders):
    a, b = district.a, district.b
    names = [
        r["display_name"]
        for r in api.get("/people?per_page=200", user=a.coordinator).get_json()["items"]
    ]
    assert "乙骑手" not in names
    assert api.get(f"/people?area_id={b.street.id}", user=a.coordinator).status_code == 403
    assert api.get("/people?q=13911112222", user=a.coordinator).get_json()["total"] == 0
    assert api.get("/people", user=a.worker).status_code == 403


def test_bad_filters_name_the_field(api, district):
    for query, field in (
        ("load=lots", "load"),
        ("force=pilot", "force"),
        ("active=maybe", "active"),
        ("q=" + "x" * 65, "q"),
    ):
        response = api.get(f"/people?{query}", user=district.a.coordinator)
        assert response.status_code == 422, query
        assert field in str(response.get_json()["errors"]), query


def test_assign_all_shown_is_bounded_all_or_nothing_and_idempotent(api, district, riders):
    a = district.a
    task = make_task(area=a.grids[0])
    db.session.commit()
    body = {"force": "rider", "task_id": task.id}
    first = api.post("/people/assign", user=a.coordinator, json=body)
    assert first.status_code == 200, first.get_json()
    assert first.get_json() == {"matched": 12, "added": 12, "already": 0, "tasks": 1}
    again = api.post("/people/assign", user=a.coordinator, json=body)
    assert again.get_json() == {"matched": 12, "added": 0, "already": 12, "tasks": 0}
    rows = db.session.execute(
        task_assignees.select().where(task_assignees.c.task_id == task.id)
    ).all()
    assert len(rows) == 12


def test_assign_all_refuses_other_streets_and_wrong_bodies(api, district, riders):
    a, b = district.a, district.b
    foreign = make_task(area=b.grids[0])
    db.session.commit()
    response = api.post(
        "/people/assign", user=a.coordinator, json={"task_id": foreign.id, "force": 7}
    )
    assert response.status_code == 403  # before the bad force is looked at
    assert (
        api.post("/people/assign", user=a.coordinator, json={"grid_id": b.grids[0].id}).status_code
        == 403
    )
    assert (
        api.post("/people/assign", user=a.leader, json={"grid_id": a.grids[0].id}).status_code
        == 403
    )
    none = api.post("/people/assign", user=a.coordinator, json={"force": "rider"})
    assert none.status_code == 422 and "task_id" in none.get_json()["errors"]["json"]
    assert foreign.assignee_ids == []
    missing = api.post("/people/assign", user=district.admin, json={"task_id": 999999})
    assert missing.status_code == 404 and "task_id" in missing.get_json()["errors"]["json"]
    unknown = api.post("/people/assign", user=a.coordinator, json={"task_id": 999999})
    assert unknown.status_code == 403  # confined: an unknown id tells nothing


def test_assign_all_past_the_limit_is_refused(api, district, riders, monkeypatch):
    from app.services import assignment_list

    monkeypatch.setattr(assignment_list, "ASSIGN_ALL_MAX", 10)
    task = make_task(area=district.a.grids[0])
    db.session.commit()
    response = api.post(
        "/people/assign", user=district.a.coordinator, json={"force": "rider", "task_id": task.id}
    )
    assert response.status_code == 422
    assert "12" in response.get_json()["message"] and "10" in response.get_json()["message"]
    db.session.expire_all()
    assert task.assignee_ids == []


def test_the_person_page_as_json(api, district):
    a = district.a
    make_checkin(user=a.worker, site=a.sites[0])
    make_task(area=a.grids[0], assignees=[a.worker], due_at=None)
    make_commendation(user=a.worker, by=a.coordinator)
    db.session.commit()
    response = api.get(f"/people/{a.worker.id}", user=a.coordinator)
    assert response.status_code == 200
    body = response.get_json()
    assert body["person"]["id"] == a.worker.id and body["month"]["checkins"] == 1
    assert len(body["series"]) == 6 and len(body["tasks"]) == 1
    assert body["commendations"][0]["reason"] == "成功劝阻"
    assert "phone" not in body["person"]
    assert api.get(f"/people/{a.worker.id}", user=district.b.coordinator).status_code == 404
    assert api.get(f"/people/{a.worker.id}", user=a.leader).status_code == 200
    assert api.get(f"/people/{a.worker.id}", user=district.b.worker).status_code == 404
    assert api.get(f"/people/{a.worker.id}", user=a.police).status_code == 403  # a worker


def test_the_leaderboard_as_json(api, district):
    a, b = district.a, district.b
    make_checkin(user=a.worker, site=a.sites[0])
    make_checkin(user=a.worker, site=a.sites[1])
    make_checkin(user=b.worker, site=b.sites[0])
    db.session.commit()
    body = api.get("/people/leaderboard", user=a.coordinator).get_json()
    assert [r["user_id"] for r in body["items"]] == [a.worker.id]
    assert body["items"][0]["rank"] == 1 and body["items"][0]["checkins"] == 2
    assert body["from"] == today().replace(day=1).isoformat()
    district_wide = api.get("/people/leaderboard", user=district.leader).get_json()
    assert [r["user_id"] for r in district_wide["items"]] == [a.worker.id, b.worker.id]
    assert (
        api.get(f"/people/leaderboard?area_id={b.street.id}", user=a.coordinator).status_code == 403
    )
    bad = api.get("/people/leaderboard?sort=money", user=a.coordinator)
    assert bad.status_code == 422


def test_the_new_calls_are_documented(api, district):
    paths = api.get("/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/people",
        "/api/v1/people/assign",
        "/api/v1/people/{user_id}",
        "/api/v1/people/leaderboard",
    ):
        assert path in paths, path
    assert "422" in paths["/api/v1/people/assign"]["post"]["responses"]
