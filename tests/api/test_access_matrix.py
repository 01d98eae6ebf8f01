"""Role × (own area, other area) × resource: who sees, counts, creates and changes what.

The district fixture has two streets, a and b. Every scoped actor below belongs to street a
(the worker to its community); "own" targets lie in a, "other" targets in b."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Area, Site, User

ACTORS = {
    "admin": lambda d: d.admin,
    "district_leader": lambda d: d.leader,
    "street_leader": lambda d: d.a.leader,
    "coordinator": lambda d: d.a.coordinator,
    "worker": lambda d: d.a.worker,
    "police": lambda d: d.a.police,
}
DISTRICT_WIDE = ("admin", "district_leader")
STREET_A = ("street_leader", "coordinator", "police")


def street_areas(street):
    return [street.street, street.community, *street.grids]


def street_users(street):
    return [street.coordinator, street.leader, street.worker, street.police]


def ids(rows):
    return sorted(row.id for row in rows)


def seen_areas(d, actor):
    if actor in DISTRICT_WIDE:
        return street_areas(d.a) + street_areas(d.b)
    if actor == "worker":  # confined to the community
        return [d.a.community, *d.a.grids]
    return street_areas(d.a)


def seen_sites(d, actor):
    return d.a.sites + d.b.sites if actor in DISTRICT_WIDE else d.a.sites


def seen_users(d, actor):
    if actor in DISTRICT_WIDE:
        return [d.admin, d.leader, *street_users(d.a), *street_users(d.b)]
    if actor in ("street_leader", "coordinator"):
        return street_users(d.a)
    return None  # workers (police included) may not list people


SEEN = {"areas": seen_areas, "sites": seen_sites, "users": seen_users}


# ---------------------------------------------------------------- lists


@pytest.mark.parametrize("resource", ["areas", "sites", "users"])
@pytest.mark.parametrize("actor", list(ACTORS))
def test_list_shows_and_counts_only_own_scope(api, district, actor, resource):
    response = api.get(f"/{resource}?per_page=200", user=ACTORS[actor](district))
    expected = SEEN[resource](district, actor)
    if expected is None:
        assert response.status_code == 403, response.get_json()
        return
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert sorted(item["id"] for item in body["items"]) == ids(expected)
    assert body["total"] == len(expected)


LISTERS = [
    (actor, resource)
    for actor in ACTORS
    for resource in ("areas", "sites", "users")
    if not (resource == "users" and actor in ("worker", "police"))
]


@pytest.mark.parametrize(("actor", "resource"), LISTERS)
def test_total_counts_the_whole_scope_not_the_page(api, district, actor, resource):
    expected = SEEN[resource](district, actor)
    body = api.get(f"/{resource}?per_page=1&page=2", user=ACTORS[actor](district)).get_json()
    assert body["total"] == len(expected) and len(body["items"]) == 1
    assert body["items"][0]["id"] in ids(expected)


FILTER_OTHER_STREET = [
    ("sites", "area_id"),
    ("users", "area_id"),
]


@pytest.mark.parametrize(("resource", "field"), FILTER_OTHER_STREET)
@pytest.mark.parametrize("actor", ["street_leader", "coordinator"])
def test_list_filtered_by_another_street_is_refused(api, district, actor, resource, field):
    response = api.get(f"/{resource}?{field}={district.b.street.id}", user=ACTORS[actor](district))
    assert response.status_code == 403
    assert field in response.get_json()["errors"]["json"]


def test_areas_filtered_by_parent_in_other_street_are_empty(api, district):
    body = api.get(
        f"/areas?parent_id={district.b.community.id}", user=district.a.coordinator
    ).get_json()
    assert body["items"] == [] and body["total"] == 0


# ---------------------------------------------------------------- get one


def _target(d, resource, where):
    street = d.a if where == "own" else d.b
    return {"areas": street.grids[0], "sites": street.sites[0], "users": street.worker}[resource]


def expected_get(actor, resource, where):
    if actor in DISTRICT_WIDE:
        return 200
    if where == "other":
        return 404
    if resource == "users":
        # own target is the street's worker: leaders and coordinators see people; a worker
        # sees only themselves, and the police officer is not that worker.
        return {"street_leader": 200, "coordinator": 200, "worker": 200, "police": 404}[actor]
    return 200


@pytest.mark.parametrize("where", ["own", "other"])
@pytest.mark.parametrize("resource", ["areas", "sites", "users"])
@pytest.mark.parametrize("actor", list(ACTORS))
def test_get_one(api, district, actor, resource, where):
    target = _target(district, resource, where)
    response = api.get(f"/{resource}/{target.id}", user=ACTORS[actor](district))
    assert response.status_code == expected_get(actor, resource, where), response.get_json()
    if response.status_code == 200:
        assert response.get_json()["id"] == target.id
    else:
        assert (
            response.get_json()["code"] == 404
            and str(target.id) not in response.get_json()["message"]
        )


@pytest.mark.parametrize("actor", list(ACTORS))
def test_everyone_may_read_themselves(api, district, actor):
    user = ACTORS[actor](district)
    assert api.get(f"/users/{user.id}", user=user).get_json()["id"] == user.id
    assert api.get("/me", user=user).get_json()["id"] == user.id


def test_worker_cannot_see_the_street_above_their_community(api, district):
    assert api.get(f"/areas/{district.a.street.id}", user=district.a.worker).status_code == 404
    assert api.get(f"/areas/{district.a.community.id}", user=district.a.worker).status_code == 200


def test_missing_objects_are_404(api, district):
    for resource in ("areas", "sites", "users"):
        assert api.get(f"/{resource}/999999", user=district.admin).status_code == 404
        assert api.get(f"/{resource}/99999999999999", user=district.admin).status_code == 404


# ---------------------------------------------------------------- create


def create_body(d, resource, where, actor):
    street = d.a if where == "own" else d.b
    return {
        "areas": {
            "name": f"新网格-{actor}-{where}",
            "level": "grid",
            "parent_id": street.community.id,
        },
        "sites": {
            "name": f"新点位-{actor}-{where}",
            "kind": "banner",
            "area_id": street.grids[1].id,
            "lat": 29.91,
            "lng": 121.56,
        },
        "users": {
            "username": f"new-{actor}-{where}",
            "password": "Tidal-Lantern-42",
            "role": "worker",
            "area_id": street.community.id,
        },
    }[resource]


def expected_create(actor, where):
    if actor == "admin":
        return 201
    if actor == "coordinator":
        return 201 if where == "own" else 403
    return 403  # leaders change nothing; workers (police included) create none of these


def _exists(resource, body) -> bool:
    model, column, key = {
        "areas": (Area, Area.name, "name"),
        "sites": (Site, Site.name, "name"),
        "users": (User, User.username, "username"),
    }[resource]
    return db.session.scalar(select(func.count(model.id)).where(column == body[key])) > 0


@pytest.mark.parametrize("where", ["own", "other"])
@pytest.mark.parametrize("resource", ["areas", "sites", "users"])
@pytest.mark.parametrize("actor", list(ACTORS))
def test_create(api, district, actor, resource, where):
    body = create_body(district, resource, where, actor)
    user = ACTORS[actor](district)
    response = api.post(f"/{resource}", user=user, json=body)
    status = expected_create(actor, where)
    assert response.status_code == status, response.get_json()
    if status == 201:
        created = response.get_json()
        assert api.get(f"/{resource}/{created['id']}", user=user).status_code == 200
    else:
        assert not _exists(resource, body)
        if where == "other" and actor == "coordinator":
            field = "parent_id" if resource == "areas" else "area_id"
            assert field in response.get_json()["errors"]["json"]


@pytest.mark.parametrize("role", ["admin", "leader"])
def test_coordinator_cannot_create_admins_or_leaders(api, district, role):
    body = {
        "username": f"boss-{role}",
        "password": "Tidal-Lantern-42",
        "role": role,
        "area_id": district.a.street.id,
    }
    response = api.post("/users", user=district.a.coordinator, json=body)
    assert response.status_code == 403 and "role" in response.get_json()["errors"]["json"]
    assert not _exists("users", body)


def test_coordinator_may_create_a_coordinator_in_their_street(api, district):
    body = {
        "username": "second-coord",
        "password": "Tidal-Lantern-42",
        "role": "coordinator",
        "area_id": district.a.community.id,
    }
    response = api.post("/users", user=district.a.coordinator, json=body)
    assert response.status_code == 201 and response.get_json()["area_id"] == district.a.community.id


def test_coordinator_cannot_create_a_district_wide_user(api, district):
    body = {
        "username": "nowhere-worker",
        "password": "Tidal-Lantern-42",
        "role": "worker",
        "area_id": None,
    }
    response = api.post("/users", user=district.a.coordinator, json=body)
    assert response.status_code == 422 and "area_id" in response.get_json()["errors"]["json"]
    assert not _exists("users", body)


def test_coordinator_probing_unknown_area_ids_learns_nothing(api, district):
    """An unknown id answers like another street's: 403, not 404 or 422."""
    for area_id in (district.b.grids[1].id, 987654):
        body = {"name": "probe", "kind": "board", "area_id": area_id, "lat": 29.9, "lng": 121.5}
        response = api.post("/sites", user=district.a.coordinator, json=body)
        assert response.status_code == 403, (area_id, response.get_json())


def test_scoped_coordinator_cannot_add_a_street(api, district):
    response = api.post(
        "/areas", user=district.a.coordinator, json={"name": "新街道", "level": "street"}
    )
    assert response.status_code == 403


# ---------------------------------------------------------------- change


def patch_body(resource):
    return {
        "areas": {"name": "改名"},
        "sites": {"name": "改名"},
        "users": {"display_name": "改名"},
    }[resource]


def expected_patch(actor, resource, where):
    if actor == "admin":
        return 200
    visible = expected_get(actor, resource, where) == 200
    if actor == "coordinator" and visible:
        return 200
    return 403 if visible else 404


@pytest.mark.parametrize("where", ["own", "other"])
@pytest.mark.parametrize("resource", ["areas", "sites", "users"])
@pytest.mark.parametrize("actor", list(ACTORS))
def test_patch(api, district, actor, resource, where):
    target = _target(district, resource, where)
    response = api.patch(
        f"/{resource}/{target.id}", user=ACTORS[actor](district), json=patch_body(resource)
    )
    assert response.status_code == expected_patch(actor, resource, where), response.get_json()
    field = "display_name" if resource == "users" else "name"
    shown = api.get(f"/{resource}/{target.id}", user=district.admin).get_json()[field]
    assert (shown == "改名") == (response.status_code == 200)


MOVES_TO_OTHER_STREET = [
    ("areas", lambda d: d.a.grids[0], lambda d: {"parent_id": d.b.community.id}, "parent_id"),
    ("sites", lambda d: d.a.sites[0], lambda d: {"area_id": d.b.grids[0].id}, "area_id"),
    ("users", lambda d: d.a.worker, lambda d: {"area_id": d.b.community.id}, "area_id"),
]


@pytest.mark.parametrize(("resource", "target", "body", "field"), MOVES_TO_OTHER_STREET)
def test_coordinator_cannot_move_things_into_another_street(
    api, district, resource, target, body, field
):
    obj = target(district)
    response = api.patch(f"/{resource}/{obj.id}", user=district.a.coordinator, json=body(district))
    assert response.status_code == 403 and field in response.get_json()["errors"]["json"]


@pytest.mark.parametrize("role", ["admin", "leader"])
def test_coordinator_cannot_promote(api, district, role):
    response = api.patch(
        f"/users/{district.a.worker.id}", user=district.a.coordinator, json={"role": role}
    )
    assert response.status_code == 403
    assert (
        api.get(f"/users/{district.a.worker.id}", user=district.admin).get_json()["role"]
        == "worker"
    )


def test_coordinator_cannot_change_their_leader(api, district):
    response = api.patch(
        f"/users/{district.a.leader.id}", user=district.a.coordinator, json={"display_name": "x"}
    )
    assert response.status_code == 403


def test_coordinator_cannot_move_their_own_street(api, district):
    street = district.a.street
    assert (
        api.patch(
            f"/areas/{street.id}", user=district.a.coordinator, json={"name": "甲街道新"}
        ).status_code
        == 200
    )
    moved = api.patch(
        f"/areas/{street.id}",
        user=district.a.coordinator,
        json={"parent_id": district.b.community.id},
    )
    assert moved.status_code == 403


@pytest.mark.parametrize("actor", ["district_leader", "street_leader", "worker", "police"])
def test_only_managers_rotate_qr_codes(api, district, actor):
    site = district.a.sites[0]
    response = api.post(f"/sites/{site.id}/rotate-qr", user=ACTORS[actor](district))
    assert response.status_code == 403
    assert api.get(f"/sites/{site.id}", user=district.admin).get_json()["qr_version"] == 1


def test_coordinator_rotates_own_qr_but_not_other_streets(api, district):
    own = api.post(f"/sites/{district.a.sites[0].id}/rotate-qr", user=district.a.coordinator)
    assert own.status_code == 200 and own.get_json()["qr_version"] == 2
    other = api.post(f"/sites/{district.b.sites[0].id}/rotate-qr", user=district.a.coordinator)
    assert other.status_code == 404


# ---------------------------------------------------------------- authorization before validation

BAD_BODIES_OUTSIDE_ROLE_OR_AREA = [
    # (actor, method, url, body, status): the body is wrong too, but the caller hears 403/404 first
    ("district_leader", "post", lambda d: "/areas", lambda d: {}, 403),
    ("worker", "post", lambda d: "/sites", lambda d: {"name": 5}, 403),
    ("street_leader", "post", lambda d: "/users", lambda d: {"username": "x"}, 403),
    (
        "coordinator",
        "post",
        lambda d: "/sites",
        lambda d: {"area_id": d.b.grids[0].id, "lat": "north"},
        403,
    ),
    (
        "coordinator",
        "post",
        lambda d: "/areas",
        lambda d: {"parent_id": d.b.community.id, "level": "town"},
        403,
    ),
    (
        "coordinator",
        "post",
        lambda d: "/users",
        lambda d: {"role": "admin", "username": "?", "password": "x"},
        403,
    ),
    (
        "coordinator",
        "post",
        lambda d: "/users",
        lambda d: {"area_id": d.b.community.id, "password": "short"},
        403,
    ),
    ("coordinator", "patch", lambda d: f"/areas/{d.b.grids[0].id}", lambda d: {"name": 5}, 404),
    ("coordinator", "patch", lambda d: f"/sites/{d.b.sites[0].id}", lambda d: {"lat": 1000}, 404),
    ("coordinator", "patch", lambda d: f"/users/{d.b.worker.id}", lambda d: {"role": "king"}, 404),
    (
        "coordinator",
        "patch",
        lambda d: f"/sites/{d.a.sites[0].id}",
        lambda d: {"area_id": d.b.grids[0].id, "radius_m": -1},
        403,
    ),
    ("street_leader", "patch", lambda d: f"/areas/{d.a.grids[0].id}", lambda d: {"name": ""}, 403),
    ("worker", "patch", lambda d: f"/users/{d.a.worker.id}", lambda d: {"password": "1"}, 403),
]


@pytest.mark.parametrize(
    ("actor", "method", "url", "body", "status"), BAD_BODIES_OUTSIDE_ROLE_OR_AREA
)
def test_authorization_comes_before_validation(api, district, actor, method, url, body, status):
    response = getattr(api, method)(
        url(district), user=ACTORS[actor](district), json=body(district)
    )
    assert response.status_code == status, response.get_json()


# ---------------------------------------------------------------- the table agrees

SINGULAR = {"areas": "area", "sites": "site", "users": "user"}


@pytest.mark.parametrize("resource", ["areas", "sites", "users"])
@pytest.mark.parametrize("actor", list(ACTORS))
def test_these_expectations_are_the_policy_tables(district, actor, resource):
    """The hand-written expectations above and the policy table say the same of every role."""
    from app import policy

    user = ACTORS[actor](district)
    may_create = policy.can(user, "create", SINGULAR[resource])
    assert (expected_create(actor, "own") == 201) == may_create
    target = _target(district, resource, "own")
    if expected_get(actor, resource, "own") == 200:
        assert (expected_patch(actor, resource, "own") == 200) == policy.can(
            user, "update", SINGULAR[resource], target
        )
