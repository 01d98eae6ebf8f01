"""A worker's grids: grid_ids when given; otherwise, for a worker whose area_id is a grid, that grid."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import User
from tests.api.test_tasks_api import CAMPAIGN
from tests.api.test_visits_api import body as visit_body
from tests.factories import PASSWORD, make_household, make_warning


@pytest.fixture
def grid_worker(api, district):
    """A worker created through the API as the contract describes: area_id a grid, no grid_ids."""
    a = district.a
    response = api.post(
        "/users",
        user=a.coordinator,
        json={
            "username": "grid_only",
            "password": PASSWORD,
            "role": "worker",
            "area_id": a.grids[1].id,
        },
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["grids"] == [a.grids[1].id]
    return db.session.get(User, response.get_json()["id"])


def test_campaign_tasks_go_to_the_worker_of_the_grid(api, district, grid_worker):
    a = district.a
    campaign = api.post(
        "/campaigns", user=a.coordinator, json={**CAMPAIGN, "area_id": a.community.id}
    ).get_json()
    by_grid = {t["area_id"]: t for t in campaign["tasks"]}
    assert grid_worker.id in by_grid[a.grids[1].id]["assignee_ids"]
    assert grid_worker.id not in by_grid[a.grids[0].id]["assignee_ids"]
    mine = api.get("/tasks?mine=1", user=grid_worker).get_json()
    assert [t["area_id"] for t in mine["items"]] == [a.grids[1].id]


def test_the_worker_visits_their_grid_and_sees_its_warnings(api, district, grid_worker):
    a = district.a
    home, elsewhere = make_household(area=a.grids[1]), make_household(area=a.grids[0])
    ours, theirs = (
        make_warning(by=a.police, area=a.grids[1]),
        make_warning(by=a.police, area=a.grids[0]),
    )
    db.session.commit()
    assert api.post("/visits", user=grid_worker, json=visit_body(home)).status_code == 201
    assert api.post("/visits", user=grid_worker, json=visit_body(elsewhere)).status_code == 403
    seen = api.get("/warnings", user=grid_worker).get_json()["items"]
    assert [w["id"] for w in seen] == [ours.id] and theirs.id not in [w["id"] for w in seen]


def test_grid_ids_say_otherwise(api, district):
    """Given grid_ids win; a worker of a community without grid_ids works no grid by default."""
    a = district.a
    listed = api.post(
        "/users",
        user=a.coordinator,
        json={
            "username": "listed",
            "password": PASSWORD,
            "role": "worker",
            "area_id": a.community.id,
            "grid_ids": [a.grids[1].id],
        },
    ).get_json()
    plain = api.post(
        "/users",
        user=a.coordinator,
        json={
            "username": "plain",
            "password": PASSWORD,
            "role": "worker",
            "area_id": a.community.id,
        },
    ).get_json()
    assert (listed["grids"], plain["grids"]) == ([a.grids[1].id], [])
    make_warning(by=a.police, area=a.grids[0])
    db.session.commit()
    for user in (listed, plain):
        assert api.get("/warnings", user=db.session.get(User, user["id"])).get_json()["total"] == 0
