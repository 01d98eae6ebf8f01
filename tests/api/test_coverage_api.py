"""GET /coverage: the contract's shape, scope, and errors."""

import pytest

from tests.services.coverage_helpers import build_march_district

CONTRACT_KEYS = {
    "area_id",
    "sites_total",
    "sites_visited",
    "site_coverage",
    "households_total",
    "households_reached",
    "household_coverage",
    "checkins",
    "children",
}
PERIOD = "from=2026-03-01&to=2026-03-31"


@pytest.fixture
def march(app):
    return build_march_district()


def test_contract_shape(api, march):
    response = api.get(f"/coverage?{PERIOD}", user=march.district_leader)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert set(body) >= CONTRACT_KEYS
    assert body["area_id"] is None and body["sites_total"] == 4 and body["site_coverage"] == 0.75
    assert body["households_total"] == 43 and body["checkins"] == 4
    assert {c["area_id"] for c in body["children"]} == {march.s1.id, march.s2.id}
    for child in body["children"]:
        assert CONTRACT_KEYS - {"children"} <= set(child)
        assert 0 <= child["site_coverage"] <= 1 and 0 <= child["household_coverage"] <= 1


def test_area_and_children(api, march):
    body = api.get(f"/coverage?area_id={march.c1.id}&{PERIOD}", user=march.admin).get_json()
    assert body["area_id"] == march.c1.id
    assert {c["area_id"]: c["households_total"] for c in body["children"]} == {
        march.g1.id: 2,
        march.g2.id: 40,
    }


def test_street_leader_sees_their_street_only(api, march):
    body = api.get(f"/coverage?{PERIOD}", user=march.leader1).get_json()
    assert body["area_id"] == march.s1.id and body["sites_total"] == 3
    assert (
        api.get(f"/coverage?area_id={march.s2.id}&{PERIOD}", user=march.leader1).status_code == 403
    )
    assert (
        api.get(f"/coverage?area_id={march.g3.id}&{PERIOD}", user=march.leader1).status_code == 403
    )
    assert (
        api.get(f"/coverage?area_id={march.g1.id}&{PERIOD}", user=march.leader1).status_code == 200
    )


def test_authorization_before_validation(api, march):
    response = api.get(f"/coverage?area_id={march.s2.id}&from=yesterday", user=march.leader1)
    assert response.status_code == 403
    assert api.get("/coverage?from=yesterday", user=march.worker).status_code == 403


def test_workers_may_not_read_coverage(api, march):
    assert api.get("/coverage", user=march.worker).status_code == 403


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-03-05&to=2026-03-01", "from"),
        ("from=2026-13-01", "from"),
        ("to=soon", "to"),
        ("area_id=abc", "area_id"),
        ("area_id=0", "area_id"),
        ("from=2020-01-01&to=2026-01-01", "to"),
    ],
)
def test_bad_query_names_the_field(api, march, query, field):
    response = api.get(f"/coverage?{query}", user=march.admin)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]["json"]


def test_unknown_area(api, march):
    assert api.get("/coverage?area_id=999999", user=march.admin).status_code == 422
    assert api.get("/coverage?area_id=999999", user=march.leader1).status_code == 403


def test_requires_login(client, march):
    assert client.get("/api/v1/coverage").status_code == 401
