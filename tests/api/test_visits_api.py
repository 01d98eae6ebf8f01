"""POST /visits over HTTP: exactly once (also under a race), scope, validation, the grid flag."""

import threading
import uuid

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Visit
from app.services import visits as visit_service
from tests.factories import make_api_token, make_household
from tests.services.test_visits import FAR, NEAR, door_task


def body(household, **over):
    data = {
        "client_id": str(uuid.uuid4()),
        "household_id": household.id,
        "outcome": "reached",
        "lat": NEAR[0],
        "lng": NEAR[1],
        "accuracy_m": 15,
        "captured_at": "2026-11-03T10:15:00+08:00",
    }
    data.update(over)
    return data


def errors(response):
    return response.get_json()["errors"]["json"]


def test_record_then_replay(api, district):
    h = make_household(area=district.a.grids[0])
    data = body(h, app_installed=True, materials_count=3)
    first = api.post("/visits", user=district.a.worker, json=data)
    assert first.status_code == 201, first.get_json()
    visit = first.get_json()
    assert (
        visit["household_id"] == h.id
        and visit["household_label"] == h.label
        and visit["area_id"] == h.area_id
    )
    assert visit["captured_at"].startswith("2026-11-03T02:15:00")
    assert (
        visit["app_installed"] is True
        and visit["materials_count"] == 3
        and visit["flag_reason"] is None
    )
    again = api.post("/visits", user=district.a.worker, json=data)
    assert again.status_code == 200 and again.get_json() == visit
    listed = api.get(
        "/visits", user=district.a.worker, query_string={"household_id": h.id}
    ).get_json()
    assert listed["total"] == 1


@pytest.mark.parametrize(
    "field, value",
    [
        ("outcome", "maybe"),
        ("lat", 91),
        ("lng", "east"),
        ("client_id", "not-a-uuid"),
        ("captured_at", "2026-11-03T10:15:00"),
        ("captured_at", "yesterday"),
        ("materials_count", -1),
        ("accuracy_m", -5),
        ("task_id", "x"),
        ("household_id", None),
        ("app_installed", "perhaps"),
        ("household_id", 2**40),
        ("task_id", 2**40),
        ("materials_count", 2**40),
        ("household_id", 1.5),
        ("household_id", True),
        ("captured_at", "0001-01-01T00:00:00+08:00"),
        ("captured_at", "9999-12-31T23:59:59-08:00"),
    ],
)
def test_bad_input_names_the_field(api, district, field, value):
    response = api.post(
        "/visits",
        user=district.a.worker,
        json=body(make_household(area=district.a.grids[0]), **{field: value}),
    )
    assert response.status_code == 422 and field in errors(response), response.get_json()


@pytest.mark.parametrize(
    "field", ["client_id", "household_id", "outcome", "lat", "lng", "captured_at"]
)
def test_required_fields(api, district, field):
    data = body(make_household(area=district.a.grids[0]))
    del data[field]
    response = api.post("/visits", user=district.a.worker, json=data)
    assert response.status_code == 422 and field in errors(response)


def test_scope_comes_first(api, district):
    outside = make_household(area=district.a.grids[1])
    response = api.post(
        "/visits", user=district.a.worker, json=body(outside, outcome="bad", lat=500)
    )
    assert response.status_code == 403 and "household_id" in errors(response)
    leader = api.post("/visits", user=district.a.leader, json={})
    assert leader.status_code == 403
    missing = api.post("/visits", user=district.a.worker, json=body(outside, household_id=10**9))
    assert missing.status_code == 404 and "household_id" in errors(missing)


def test_task_of_someone_else_names_task_id(api, district):
    h = make_household(area=district.a.grids[0])
    response = api.post(
        "/visits", user=district.a.worker, json=body(h, task_id=door_task(h.area).id)
    )
    assert response.status_code == 422 and "task_id" in errors(response)
    mine = door_task(h.area, district.a.worker)
    response = api.post("/visits", user=district.a.worker, json=body(h, task_id=mine.id))
    assert response.status_code == 201 and response.get_json()["task_id"] == mine.id


def test_far_away_is_flagged_and_listed(api, district):
    h = make_household(area=district.a.grids[0])
    response = api.post("/visits", user=district.a.worker, json=body(h, lat=FAR[0], lng=FAR[1]))
    assert response.status_code == 201 and response.get_json()["flag_reason"] == "outside_grid"
    flagged = api.get(
        "/visits", user=district.a.coordinator, query_string={"flagged": "1"}
    ).get_json()
    assert [v["id"] for v in flagged["items"]] == [response.get_json()["id"]]
    assert api.get("/visits", user=district.b.coordinator).get_json()["total"] == 0


def test_same_client_id_by_another_person_conflicts(api, district):
    data = body(make_household(area=district.a.grids[0]))
    assert api.post("/visits", user=district.a.worker, json=data).status_code == 201
    response = api.post("/visits", user=district.a.coordinator, json=data)
    assert response.status_code == 409 and "client_id" in errors(response)


def test_concurrent_duplicates_store_one_visit(app, committing, district, monkeypatch):
    """Two requests with one client_id both pass the look-up before either inserts."""
    h = make_household(area=district.a.grids[0])
    db.session.commit()
    token = make_api_token(user=district.a.worker)
    data = body(h)
    barrier, seen = threading.Barrier(2, timeout=10), threading.local()
    original = visit_service._existing

    def existing_after_both_looked(actor, client_id):
        found = original(actor, client_id)
        if not getattr(seen, "waited", False):
            seen.waited = True
            barrier.wait()
        return found

    monkeypatch.setattr(visit_service, "_existing", existing_after_both_looked)
    answers = []

    def post():
        response = app.test_client().post(
            "/api/v1/visits", json=data, headers={"Authorization": f"Bearer {token}"}
        )
        answers.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(code for code, _ in answers) == [200, 201], answers
    assert answers[0][1]["id"] == answers[1][1]["id"]
    db.session.remove()
    assert (
        db.session.scalar(select(func.count(Visit.id)).where(Visit.client_id == data["client_id"]))
        == 1
    )


def test_a_retry_is_answered_even_after_the_grid_was_taken_away(api, district):
    worker = district.a.worker
    h = make_household(area=district.a.grids[0])
    data = body(h)
    first = api.post("/visits", user=worker, json=data)
    worker.grids = [district.a.grids[1]]
    db.session.commit()
    again = api.post("/visits", user=worker, json=data)
    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]
    fresh = api.post("/visits", user=worker, json=body(h))
    assert fresh.status_code == 403
