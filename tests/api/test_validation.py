"""Bad input to areas, users and sites: always a 4xx naming the field, never a 500;
datum conversion on the way in; moving areas and rolling their totals up."""

from __future__ import annotations

import pytest

from app import geo
from app.extensions import db
from app.models import Area, Site
from tests.factories import make_user

GOOD_PASSWORD = "Tidal-Lantern-42"


def field_errors(response) -> dict:
    return response.get_json().get("errors", {}).get("json", {})


def assert_names(response, *fields, status=422):
    assert response.status_code == status, response.get_json()
    assert response.is_json
    named = field_errors(response)
    for field in fields:
        assert field in named, (field, named)


def area_body(d, **changes):
    return {"name": "新网格", "level": "grid", "parent_id": d.a.community.id, **changes}


def user_body(d, **changes):
    return {
        "username": "new-worker",
        "password": GOOD_PASSWORD,
        "role": "worker",
        "area_id": d.a.community.id,
        **changes,
    }


def site_body(d, **changes):
    return {
        "name": "新点位",
        "kind": "board",
        "area_id": d.a.grids[0].id,
        "lat": 29.9,
        "lng": 121.55,
        **changes,
    }


BODIES = {"areas": area_body, "users": user_body, "sites": site_body}


# ---------------------------------------------------------------- one bad field at a time

BAD_FIELDS = [
    # (resource, field, value)
    ("areas", "name", None),
    ("areas", "name", 5),
    ("areas", "name", ""),
    ("areas", "name", "   "),
    ("areas", "name", "x" * 121),
    ("areas", "name", "x" * 100_000),
    ("areas", "name", "a\x00b"),
    ("areas", "level", "town"),
    ("areas", "level", "GRID"),
    ("areas", "level", None),
    ("areas", "level", 3),
    ("areas", "parent_id", "abc"),
    ("areas", "parent_id", 1.5),
    ("areas", "parent_id", True),
    ("areas", "parent_id", 2**40),
    ("areas", "parent_id", -1),
    ("areas", "parent_id", [1]),
    ("areas", "household_count", -1),
    ("areas", "household_count", "many"),
    ("areas", "household_count", 12.5),
    ("areas", "household_count", 2**31),
    ("areas", "population", 10**20),
    ("areas", "population", False),
    ("areas", "code", ""),
    ("areas", "code", "c" * 41),
    ("areas", "code", 42),
    ("areas", "center_lat", 90.5),
    ("areas", "center_lat", -91),
    ("areas", "center_lng", 180.01),
    ("areas", "center_lng", "east"),
    ("areas", "center_lat", True),
    ("areas", "boundary", "polygon"),
    ("areas", "boundary", {"type": "Point", "coordinates": [121.5, 29.9]}),
    ("areas", "boundary", {"type": "Polygon", "coordinates": [[[121.5, 29.9], [121.6, 29.9]]]}),
    (
        "areas",
        "boundary",
        {
            "type": "Polygon",
            "coordinates": [[[121.5, 29.9], [121.6, 29.9], [121.6, 30.0], [121.5, 29.95]]],
        },
    ),
    (
        "areas",
        "boundary",
        {
            "type": "Polygon",
            "coordinates": [[[500, 29.9], [121.6, 29.9], [121.6, 30.0], [500, 29.9]]],
        },
    ),
    (
        "areas",
        "boundary",
        {"type": "Polygon", "coordinates": [[["a", "b"], [1, 2], [3, 4], ["a", "b"]]]},
    ),
    ("areas", "boundary", {"type": "Polygon", "coordinates": [[[121.5, 29.9]] * 6000]}),
    ("areas", "boundary", {"type": "Polygon", "coordinates": [], "crs": "x"}),
    ("users", "username", None),
    ("users", "username", "ab"),
    ("users", "username", "has space"),
    ("users", "username", "x" * 65),
    ("users", "username", "name\n"),
    ("users", "username", "名字"),
    ("users", "username", 12345),
    ("users", "password", None),
    ("users", "password", 12345678),
    ("users", "password", "x" * 257),
    ("users", "password", "short"),
    ("users", "password", "password123"),
    ("users", "role", "king"),
    ("users", "role", None),
    ("users", "role", "Admin"),
    ("users", "force", "ninja"),
    ("users", "force", 1),
    ("users", "area_id", "x"),
    ("users", "area_id", 2**40),
    ("users", "area_id", 0),
    ("users", "area_id", 987654),
    ("users", "area_id", None),
    ("users", "grid_ids", "3"),
    ("users", "grid_ids", ["a"]),
    ("users", "grid_ids", [2**40]),
    ("users", "grid_ids", list(range(1, 300))),
    ("users", "grid_ids", [987654]),
    ("users", "phone", "+12345678901234567890"),
    ("users", "phone", "138 0000 0000"),
    ("users", "phone", 138),
    ("users", "phone", "1380000\n"),
    ("users", "display_name", "x" * 81),
    ("users", "display_name", ""),
    ("users", "display_name", "\x00"),
    ("users", "active", "maybe"),
    ("users", "active", [True]),
    ("sites", "name", None),
    ("sites", "name", "x" * 121),
    ("sites", "name", 7),
    ("sites", "kind", "billboard"),
    ("sites", "kind", None),
    ("sites", "area_id", "7"),
    ("sites", "area_id", 2**40),
    ("sites", "area_id", None),
    ("sites", "lat", 90.1),
    ("sites", "lat", -90.5),
    ("sites", "lat", "north"),
    ("sites", "lat", None),
    ("sites", "lng", 180.5),
    ("sites", "lng", -181),
    ("sites", "lng", [121.5]),
    ("sites", "lat", True),
    ("sites", "coord_system", "utm"),
    ("sites", "coord_system", "WGS84"),
    ("sites", "coord_system", None),
    ("sites", "radius_m", 5),
    ("sites", "radius_m", 100_000),
    ("sites", "radius_m", 50.5),
    ("sites", "radius_m", "100"),
    ("sites", "address", "x" * 256),
    ("sites", "address", "楼\x00"),
    ("sites", "address", None),
    ("sites", "visits_per_month", -1),
    ("sites", "visits_per_month", 101),
    ("sites", "active", "sometimes"),
]


def _check_bad_fields(api, district, resource, method):
    """Send each bad value of the resource alone; collect every answer that is not a 4xx naming it.
    (One test per resource and method: a district per value would cost far more than the calls.)"""
    target = {
        "areas": district.a.grids[0],
        "users": district.a.worker,
        "sites": district.a.sites[0],
    }[resource]
    wrong = []
    for res, field, value in BAD_FIELDS:
        if res != resource or (
            method == "patch" and (field == "level" or (field == "area_id" and value is None))
        ):
            continue
        if method == "post":
            response = api.post(
                f"/{resource}",
                user=district.admin,
                json=BODIES[resource](district, **{field: value}),
            )
            expected = (422,)
        else:
            body = (
                {"lat": 29.9, "lng": 121.5, field: value}
                if field in ("lat", "lng")
                else {field: value}
            )
            response = api.patch(f"/{resource}/{target.id}", user=district.admin, json=body)
            expected = (400, 403, 404, 409, 422)
        if response.status_code not in expected or field not in field_errors(response):
            wrong.append((field, repr(value)[:40], response.status_code, response.get_json()))
    return wrong


@pytest.mark.parametrize("resource", ["areas", "users", "sites"])
def test_create_with_one_bad_field_is_422_naming_it(api, district, resource):
    assert _check_bad_fields(api, district, resource, "post") == []


@pytest.mark.parametrize("resource", ["areas", "users", "sites"])
def test_patch_with_one_bad_field_is_4xx_naming_it(api, district, resource):
    assert _check_bad_fields(api, district, resource, "patch") == []


def test_patch_lat_without_lng_names_lng(api, district):
    site = district.a.sites[0]
    assert_names(api.patch(f"/sites/{site.id}", user=district.admin, json={"lat": 29.91}), "lng")
    assert_names(api.patch(f"/sites/{site.id}", user=district.admin, json={"lng": 121.51}), "lat")


# ---------------------------------------------------------------- whole bodies


@pytest.mark.parametrize("resource", ["areas", "users", "sites"])
def test_missing_required_fields_are_all_named(api, district, resource):
    required = {
        "areas": ("name", "level"),
        "users": ("username", "password", "role"),
        "sites": ("name", "kind", "area_id", "lat", "lng"),
    }[resource]
    assert_names(api.post(f"/{resource}", user=district.admin, json={}), *required)


@pytest.mark.parametrize("resource", ["areas", "users", "sites"])
def test_unknown_and_read_only_fields_are_refused(api, district, resource):
    body = BODIES[resource](district, colour="red", id=99, created_at="2024-01-01T00:00:00+00:00")
    assert_names(api.post(f"/{resource}", user=district.admin, json=body), "colour", "id")


def test_password_hash_cannot_be_sent(api, district):
    body = user_body(district, password_hash="$argon2id$v=19$m=65536,t=3,p=4$xxx")
    assert_names(api.post("/users", user=district.admin, json=body), "password_hash")
    patch = api.patch(
        f"/users/{district.a.worker.id}", user=district.admin, json={"password_hash": "x"}
    )
    assert_names(patch, "password_hash")


def test_qr_version_and_path_are_read_only(api, district):
    assert_names(
        api.patch(f"/sites/{district.a.sites[0].id}", user=district.admin, json={"qr_version": 9}),
        "qr_version",
    )
    assert_names(
        api.patch(f"/areas/{district.a.grids[0].id}", user=district.admin, json={"path": "/1/"}),
        "path",
    )


RAW_BODIES = [
    # (data, content type, status)
    (b"", "application/json", 422),
    (b"{not json", "application/json", 400),
    (b"\xff\xfe\x00", "application/json", 400),
    (b'{"name": NaN, "level": "street"}', "application/json", 422),
    (b"null", "application/json", 422),
    (b"[]", "application/json", 422),
    (b'"a string"', "application/json", 422),
    (b"42", "application/json", 422),
    (b"name=x&level=street", "application/x-www-form-urlencoded", 422),
    (b"hello", "text/plain", 422),
    (b"", None, 422),
]


@pytest.mark.parametrize("resource", ["areas", "users", "sites"])
def test_empty_and_non_json_bodies_are_4xx_with_json_errors(api, district, resource):
    wrong = []
    for data, content_type, status in RAW_BODIES:
        kwargs = (
            {"data": data} if content_type is None else {"data": data, "content_type": content_type}
        )
        response = api.post(f"/{resource}", user=district.admin, **kwargs)
        if response.status_code != status or not response.is_json or not field_errors(response):
            wrong.append(
                (data, content_type, response.status_code, response.get_data(as_text=True)[:200])
            )
    assert wrong == []


@pytest.mark.parametrize("resource", ["areas", "users", "sites"])
def test_patch_with_non_json_body_is_4xx(api, district, resource):
    target = {
        "areas": district.a.grids[0],
        "users": district.a.worker,
        "sites": district.a.sites[0],
    }[resource]
    response = api.patch(
        f"/{resource}/{target.id}",
        user=district.admin,
        data=b"{oops",
        content_type="application/json",
    )
    assert response.status_code == 400 and field_errors(response)


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/areas?level=town", "level"),
        ("/areas?parent_id=abc", "parent_id"),
        ("/areas?parent_id=99999999999", "parent_id"),
        ("/areas?page=0", "page"),
        ("/areas?page=100000000000000000000", "page"),
        ("/areas?per_page=1000", "per_page"),
        ("/sites?kind=x", "kind"),
        ("/sites?active=maybe", "active"),
        ("/sites?area_id=-3", "area_id"),
        ("/users?role=king", "role"),
        ("/users?force=x", "force"),
        ("/users?area_id=1e9", "area_id"),
    ],
)
def test_bad_query_arguments_are_422_naming_them(api, district, url, field):
    assert_names(api.get(url, user=district.admin), field)


@pytest.mark.parametrize(
    "url",
    [
        "/areas/0",
        "/areas/-1",
        "/areas/1.5",
        "/areas/x",
        "/sites/99999999999999999999",
        "/users/2147483648",
        "/sites/2147483647",
    ],
)
def test_odd_ids_in_urls_are_404(api, district, url):
    response = api.get(url, user=district.admin)
    assert response.status_code == 404 and response.is_json


def test_odd_ids_in_page_urls_are_404(client, district, login_as):
    login_as(district.a.coordinator)
    assert client.get("/coordinate/sites/99999999999999").status_code == 404


# ---------------------------------------------------------------- rules beyond types


@pytest.mark.parametrize(
    ("level", "parent", "field"),
    [
        ("grid", "street", "parent_id"),
        ("grid", "grid", "parent_id"),
        ("community", "community", "parent_id"),
        ("community", None, "parent_id"),
        ("street", "street", "parent_id"),
    ],
)
def test_parent_of_the_wrong_level_is_422(api, district, level, parent, field):
    parent_id = {
        "street": district.a.street.id,
        "community": district.a.community.id,
        "grid": district.a.grids[0].id,
        None: None,
    }[parent]
    body = {"name": "错层级", "level": level, "parent_id": parent_id}
    assert_names(api.post("/areas", user=district.admin, json=body), field)


def test_unknown_parent_is_422_for_admin(api, district):
    assert_names(
        api.post("/areas", user=district.admin, json=area_body(district, parent_id=987654)),
        "parent_id",
    )


def test_level_cannot_change(api, district):
    response = api.patch(
        f"/areas/{district.a.grids[0].id}", user=district.admin, json={"level": "community"}
    )
    assert_names(response, "level")


def test_duplicate_names_among_siblings_are_409(api, district):
    sibling = district.a.grids[0].name
    assert_names(
        api.post("/areas", user=district.admin, json=area_body(district, name=sibling)),
        "name",
        status=409,
    )
    # the same name under another parent is fine
    other = api.post(
        "/areas",
        user=district.admin,
        json=area_body(district, name=sibling, parent_id=district.b.community.id),
    )
    assert other.status_code == 201
    # renaming onto a sibling's name, and two streets of one name
    rename = api.patch(
        f"/areas/{district.a.grids[1].id}", user=district.admin, json={"name": sibling}
    )
    assert_names(rename, "name", status=409)
    street = api.post(
        "/areas", user=district.admin, json={"name": district.a.street.name, "level": "street"}
    )
    assert_names(street, "name", status=409)


def test_duplicate_area_code_is_409(api, district):
    assert (
        api.post(
            "/areas", user=district.admin, json=area_body(district, code="330205001")
        ).status_code
        == 201
    )
    again = api.post(
        "/areas", user=district.admin, json=area_body(district, name="另一个", code="330205001")
    )
    assert_names(again, "code", status=409)


def test_duplicate_username_is_409(api, district):
    taken = district.a.worker.username
    assert_names(
        api.post("/users", user=district.admin, json=user_body(district, username=taken)),
        "username",
        status=409,
    )
    rename = api.patch(
        f"/users/{district.b.worker.id}", user=district.admin, json={"username": taken}
    )
    assert_names(rename, "username", status=409)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"role": "admin", "area_id": 0}, "area_id"),
        ({"role": "worker", "area_id": None}, "area_id"),
        ({"role": "coordinator", "area_id": None}, "area_id"),
    ],
)
def test_role_and_area_must_fit(api, district, changes, field):
    if changes.get("area_id") == 0:
        changes["area_id"] = district.a.street.id
    assert_names(
        api.post("/users", user=district.admin, json=user_body(district, **changes)), field
    )


def test_grids_must_be_grids_inside_the_users_area(api, district):
    not_a_grid = user_body(district, grid_ids=[district.a.community.id])
    assert_names(api.post("/users", user=district.admin, json=not_a_grid), "grid_ids")
    elsewhere = user_body(district, grid_ids=[district.b.grids[0].id])
    assert_names(api.post("/users", user=district.admin, json=elsewhere), "grid_ids")
    twice = user_body(district, grid_ids=[district.a.grids[0].id, district.a.grids[0].id])
    response = api.post("/users", user=district.admin, json=twice)
    assert response.status_code == 201 and response.get_json()["grids"] == [district.a.grids[0].id]


def test_moving_a_worker_keeps_only_grids_of_the_new_area(api, district):
    worker = district.a.worker
    moved = api.patch(
        f"/users/{worker.id}", user=district.admin, json={"area_id": district.b.community.id}
    )
    assert moved.status_code == 200 and moved.get_json()["grids"] == []
    both = api.patch(
        f"/users/{worker.id}",
        user=district.admin,
        json={"area_id": district.a.community.id, "grid_ids": [g.id for g in district.a.grids]},
    )
    assert sorted(both.get_json()["grids"]) == sorted(g.id for g in district.a.grids)


def test_site_must_be_in_a_grid(api, district):
    for area in (district.a.street, district.a.community):
        assert_names(
            api.post("/sites", user=district.admin, json=site_body(district, area_id=area.id)),
            "area_id",
        )
    assert_names(
        api.post("/sites", user=district.admin, json=site_body(district, area_id=987654)), "area_id"
    )
    patch = api.patch(
        f"/sites/{district.a.sites[0].id}",
        user=district.admin,
        json={"area_id": district.a.community.id},
    )
    assert_names(patch, "area_id")


def test_valid_boundary_and_centre_are_accepted(api, district):
    ring = [[121.50, 29.90], [121.52, 29.90], [121.52, 29.92], [121.50, 29.92], [121.50, 29.90]]
    body = area_body(
        district,
        boundary={"type": "Polygon", "coordinates": [ring]},
        center_lat=29.91,
        center_lng=121.51,
    )
    response = api.post("/areas", user=district.admin, json=body)
    assert response.status_code == 201
    assert response.get_json()["has_boundary"] is True
    assert response.get_json()["boundary"] == {"type": "Polygon", "coordinates": [ring]}
    multi = {"type": "MultiPolygon", "coordinates": [[ring]]}
    assert (
        api.patch(
            f"/areas/{response.get_json()['id']}", user=district.admin, json={"boundary": multi}
        ).status_code
        == 200
    )


def test_names_are_trimmed(api, district):
    response = api.post("/areas", user=district.admin, json=area_body(district, name="  新网格  "))
    assert response.status_code == 201 and response.get_json()["name"] == "新网格"


# ---------------------------------------------------------------- never a 500

WEIRD_VALUES = [
    None,
    "",
    " ",
    "x" * 5000,
    "\x00",
    "\u202e\ud7ff",
    -1,
    0,
    2**31,
    2**63,
    10**30,
    1.5,
    -0.0,
    1e308,
    True,
    [],
    [1, "a"],
    {},
    {"a": 1},
]


@pytest.mark.parametrize("resource", ["areas", "users", "sites"])
def test_no_value_in_any_field_answers_500(api, district, resource):
    fields = {
        "areas": [
            "name",
            "level",
            "parent_id",
            "code",
            "household_count",
            "population",
            "center_lat",
            "center_lng",
            "boundary",
        ],
        "users": [
            "username",
            "password",
            "display_name",
            "role",
            "force",
            "area_id",
            "grid_ids",
            "phone",
            "active",
        ],
        "sites": [
            "name",
            "kind",
            "area_id",
            "lat",
            "lng",
            "coord_system",
            "radius_m",
            "address",
            "active",
            "visits_per_month",
        ],
    }[resource]
    target = {
        "areas": district.a.grids[0],
        "users": district.a.worker,
        "sites": district.a.sites[0],
    }[resource]
    for actor in (district.admin, district.a.coordinator):
        for field in fields:
            for value in WEIRD_VALUES:
                body = BODIES[resource](district, **{field: value})
                for response in (
                    api.post(f"/{resource}", user=actor, json=body),
                    api.patch(f"/{resource}/{target.id}", user=actor, json={field: value}),
                ):
                    assert response.status_code < 500, (
                        actor.role,
                        field,
                        value,
                        response.get_json(),
                    )
                    if response.status_code == 422:
                        assert field_errors(response), (field, value)


# ---------------------------------------------------------------- datums


@pytest.mark.parametrize("system", ["gcj02", "bd09"])
def test_site_in_another_datum_is_stored_and_answered_in_wgs84(api, district, system):
    wgs = (29.8872, 121.5563)  # a square in Jiangbei
    shifted = geo.from_wgs84(*wgs, system)
    moved = geo.distance_m(*wgs, *shifted)
    assert 300 < moved < 1500  # the datums really differ here, by hundreds of metres
    body = site_body(district, lat=shifted[0], lng=shifted[1], coord_system=system)
    response = api.post("/sites", user=district.a.coordinator, json=body)
    assert response.status_code == 201, response.get_json()
    answered = response.get_json()
    assert "coord_system" not in answered
    assert geo.distance_m(answered["lat"], answered["lng"], *wgs) < 0.5
    stored = db.session.get(Site, answered["id"])
    db.session.refresh(stored)
    assert geo.distance_m(stored.lat, stored.lng, *wgs) < 0.5
    assert geo.distance_m(stored.lat, stored.lng, *shifted) > 300
    fetched = api.get(f"/sites/{stored.id}", user=district.a.worker).get_json()
    assert (fetched["lat"], fetched["lng"]) == (stored.lat, stored.lng)


def test_gcj02_is_about_500_m_off_in_ningbo_and_patch_converts_too(api, district):
    site = district.a.sites[0]
    wgs = (29.9005, 121.5610)
    gcj = geo.from_wgs84(*wgs, "gcj02")
    assert 400 < geo.distance_m(*wgs, *gcj) < 700
    response = api.patch(
        f"/sites/{site.id}",
        user=district.a.coordinator,
        json={"lat": gcj[0], "lng": gcj[1], "coord_system": "gcj02"},
    )
    assert response.status_code == 200
    assert geo.distance_m(response.get_json()["lat"], response.get_json()["lng"], *wgs) < 0.5
    plain = api.patch(
        f"/sites/{site.id}", user=district.a.coordinator, json={"lat": wgs[0], "lng": wgs[1]}
    )
    assert (plain.get_json()["lat"], plain.get_json()["lng"]) == wgs


# ---------------------------------------------------------------- moving areas and totals


def _post_area(api, admin, name, level, parent_id=None, **fields):
    response = api.post(
        "/areas", user=admin, json={"name": name, "level": level, "parent_id": parent_id, **fields}
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _area(api, admin, area_id):
    return api.get(f"/areas/{area_id}", user=admin).get_json()


def _assert_totals_roll_up(api, admin):
    areas = api.get("/areas?per_page=200", user=admin).get_json()["items"]
    for parent in areas:
        children = [a for a in areas if a["parent_id"] == parent["id"]]
        for field in ("household_count", "population"):
            known = [c[field] for c in children if c[field] is not None]
            if known:
                assert parent[field] == sum(known), (parent["name"], field, parent[field], known)


@pytest.fixture
def tree(api):
    """A fresh two-street tree built through the API, so totals were kept from the start."""
    admin = make_user(role="admin")
    db.session.commit()
    s1 = _post_area(api, admin, "东街道", "street")
    s2 = _post_area(api, admin, "西街道", "street")
    c1 = _post_area(api, admin, "东一社区", "community", s1["id"])
    c2 = _post_area(api, admin, "东二社区", "community", s1["id"])
    c3 = _post_area(api, admin, "西一社区", "community", s2["id"])
    g = {
        "g1": _post_area(
            api, admin, "东一网格1", "grid", c1["id"], household_count=100, population=300
        ),
        "g2": _post_area(api, admin, "东一网格2", "grid", c1["id"], household_count=50),
        "g3": _post_area(
            api, admin, "东二网格1", "grid", c2["id"], household_count=20, population=70
        ),
        "g4": _post_area(
            api, admin, "西一网格1", "grid", c3["id"], household_count=7, population=9
        ),
    }
    return admin, {"s1": s1, "s2": s2, "c1": c1, "c2": c2, "c3": c3, **g}


def test_parent_totals_are_the_sums_of_children(api, tree):
    admin, t = tree
    assert (
        _area(api, admin, t["c1"]["id"])["household_count"],
        _area(api, admin, t["c1"]["id"])["population"],
    ) == (150, 300)
    s1 = _area(api, admin, t["s1"]["id"])
    assert (s1["household_count"], s1["population"]) == (170, 370)
    _assert_totals_roll_up(api, admin)

    api.patch(
        f"/areas/{t['g2']['id']}", user=admin, json={"household_count": 80, "population": 200}
    )
    s1 = _area(api, admin, t["s1"]["id"])
    assert (s1["household_count"], s1["population"]) == (200, 570)
    # a parent's own figure cannot contradict its children's
    response = api.patch(f"/areas/{t['c1']['id']}", user=admin, json={"household_count": 9999})
    assert response.status_code == 200 and response.get_json()["household_count"] == 180
    _assert_totals_roll_up(api, admin)


def test_moving_a_community_repaths_its_subtree_and_moves_the_totals(api, tree, client):
    admin, t = tree
    s1, s2, c2, g3 = t["s1"], t["s2"], t["c2"], t["g3"]
    site = api.post(
        "/sites",
        user=admin,
        json={"name": "东二点位", "kind": "screen", "area_id": g3["id"], "lat": 29.9, "lng": 121.5},
    ).get_json()
    east = make_user(role="coordinator", area=db.session.get(Area, s1["id"]))
    west = make_user(role="coordinator", area=db.session.get(Area, s2["id"]))
    db.session.commit()
    assert api.get(f"/sites/{site['id']}", user=east).status_code == 200

    response = api.patch(f"/areas/{c2['id']}", user=admin, json={"parent_id": s2["id"]})
    assert response.status_code == 200, response.get_json()
    moved = response.get_json()
    assert moved["parent_id"] == s2["id"] and moved["path"] == f"{s2['path']}{c2['id']}/"
    grid = _area(api, admin, g3["id"])
    assert grid["path"] == f"{s2['path']}{c2['id']}/{g3['id']}/"
    for area in api.get("/areas?per_page=200", user=admin).get_json()["items"]:
        if area["id"] in (c2["id"], g3["id"]):
            assert area["path"].startswith(s2["path"])

    # scope follows the tree: the grid and its site now belong to the west street
    assert api.get(f"/areas/{g3['id']}", user=east).status_code == 404
    assert api.get(f"/sites/{site['id']}", user=east).status_code == 404
    assert api.get(f"/sites/{site['id']}", user=west).status_code == 200
    west_grids = api.get("/areas?level=grid", user=west).get_json()["items"]
    assert sorted(a["id"] for a in west_grids) == sorted([g3["id"], t["g4"]["id"]])

    s1_now, s2_now = _area(api, admin, s1["id"]), _area(api, admin, s2["id"])
    assert (s1_now["household_count"], s1_now["population"]) == (150, 300)
    assert (s2_now["household_count"], s2_now["population"]) == (27, 79)
    _assert_totals_roll_up(api, admin)


def test_moving_a_grid_between_communities(api, tree):
    admin, t = tree
    response = api.patch(f"/areas/{t['g1']['id']}", user=admin, json={"parent_id": t["c3"]["id"]})
    assert response.status_code == 200
    assert response.get_json()["path"] == f"{t['c3']['path']}{t['g1']['id']}/"
    assert _area(api, admin, t["c1"]["id"])["household_count"] == 50
    assert _area(api, admin, t["s2"]["id"])["household_count"] == 107
    _assert_totals_roll_up(api, admin)


def test_a_move_to_a_parent_of_the_wrong_level_changes_nothing(api, tree):
    admin, t = tree
    response = api.patch(f"/areas/{t['c2']['id']}", user=admin, json={"parent_id": t["c1"]["id"]})
    assert_names(response, "parent_id")
    assert _area(api, admin, t["c2"]["id"])["parent_id"] == t["s1"]["id"]
    _assert_totals_roll_up(api, admin)


def test_a_move_onto_a_name_taken_there_is_409(api, tree):
    admin, t = tree
    _post_area(api, admin, t["c2"]["name"], "community", t["s2"]["id"])
    response = api.patch(f"/areas/{t['c2']['id']}", user=admin, json={"parent_id": t["s2"]["id"]})
    assert_names(response, "name", status=409)
    assert _area(api, admin, t["g3"]["id"])["path"].startswith(t["s1"]["path"])


# ---------------------------------------------------------------- the same rules behind the pages


def test_services_refuse_values_the_database_cannot_hold_whoever_calls(district):
    """The coordinator pages call the same services with their own forms' data."""
    from app.errors import Invalid
    from app.services import areas, sites, users

    d = district
    calls = [
        (
            lambda: areas.create_area(
                d.admin,
                {
                    "name": "大",
                    "level": "grid",
                    "parent_id": d.a.community.id,
                    "household_count": 2**40,
                },
            ),
            "household_count",
        ),
        (lambda: areas.update_area(d.admin, d.a.grids[0], {"name": "a\x00"}), "name"),
        (lambda: sites.update_site(d.admin, d.a.sites[0], {"address": "\x00"}), "address"),
        (
            lambda: sites.create_site(
                d.admin,
                {
                    "name": "s",
                    "kind": "board",
                    "area_id": d.a.grids[0].id,
                    "lat": 29.9,
                    "lng": 121.5,
                    "radius_m": 2**35,
                },
            ),
            "radius_m",
        ),
        (
            lambda: users.create_user(
                d.admin,
                {
                    "username": "has space",
                    "password": GOOD_PASSWORD,
                    "role": "worker",
                    "area_id": d.a.community.id,
                },
            ),
            "username",
        ),
        (lambda: users.update_user(d.admin, d.a.worker, {"username": "nul\x00"}), "username"),
        (lambda: users.update_user(d.admin, d.a.worker, {"phone": "138\x00"}), "phone"),
    ]
    for call, field in calls:
        with pytest.raises(Invalid) as caught:
            call()
        assert field in caught.value.errors
        db.session.rollback()


def test_coordinator_page_with_a_huge_count_is_a_form_error_not_a_500(client, district, login_as):
    login_as(district.a.coordinator)
    response = client.post(
        "/coordinate/areas",
        data={
            "name": "大数网格",
            "level": "grid",
            "parent_id": district.a.community.id,
            "household_count": "99999999999",
        },
    )
    assert response.status_code == 422
