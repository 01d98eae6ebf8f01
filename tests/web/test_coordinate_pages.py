"""Coordinators keep areas, sites and people through pages, within their own street."""

import pytest
from sqlalchemy import select

from app import geo
from app.extensions import db
from app.models import Area, Site, User


def test_area_tree_shows_only_own_street(district, login_as):
    client = login_as(district.a.coordinator)
    page = client.get("/coordinate/areas").get_data(as_text=True)
    assert district.a.grids[0].name in page
    assert district.b.street.name not in page


def test_coordinator_adds_community_under_own_street(district, login_as):
    client = login_as(district.a.coordinator)
    response = client.post(
        "/coordinate/areas",
        data={"name": "新社区", "level": "community", "parent_id": district.a.street.id},
    )
    assert response.status_code == 302
    area = db.session.scalar(select(Area).where(Area.name == "新社区"))
    assert (
        area.parent_id == district.a.street.id
        and area.path == f"{district.a.street.path}{area.id}/"
    )


def test_adding_under_another_street_is_refused(district, login_as):
    client = login_as(district.a.coordinator)
    response = client.post(
        "/coordinate/areas",
        data={"name": "越界", "level": "community", "parent_id": district.b.street.id},
    )
    assert response.status_code == 403  # outside the coordinator's area, as in the API
    assert db.session.scalar(select(Area).where(Area.name == "越界")) is None


def test_duplicate_name_shows_message_on_field(district, login_as):
    client = login_as(district.a.coordinator)
    response = client.post(
        "/coordinate/areas",
        data={
            "name": district.a.community.name,
            "level": "community",
            "parent_id": district.a.street.id,
        },
    )
    assert response.status_code == 409  # a duplicate name: Conflict
    assert 'data-field="name"' in response.get_data(as_text=True)


def test_site_from_amap_is_stored_in_wgs84(district, login_as):
    client = login_as(district.a.coordinator)
    wgs = (29.9012, 121.5543)
    gcj = geo.from_wgs84(*wgs, "gcj02")
    response = client.post(
        "/coordinate/sites",
        data={
            "name": "菜场电子屏",
            "kind": "screen",
            "area_id": district.a.grids[0].id,
            "lat": f"{gcj[0]:.6f}",
            "lng": f"{gcj[1]:.6f}",
            "coord_system": "gcj02",
            "radius_m": 80,
            "visits_per_month": 2,
            "active": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    site = db.session.scalar(select(Site).where(Site.name == "菜场电子屏"))
    assert geo.distance_m(site.lat, site.lng, *wgs) < 0.5


def test_coordinator_adds_worker_with_grids(district, login_as):
    client = login_as(district.a.coordinator)
    response = client.post(
        "/coordinate/users",
        data={
            "username": "newworker",
            "display_name": "新网格员",
            "password": "Strong-Pass-77",
            "role": "worker",
            "force": "grid_worker",
            "area_id": district.a.community.id,
            "grid_ids": [district.a.grids[1].id],
            "active": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    user = db.session.scalar(select(User).where(User.username == "newworker"))
    assert [g.id for g in user.grids] == [district.a.grids[1].id]


def test_weak_password_is_refused_on_the_field(district, login_as):
    client = login_as(district.a.coordinator)
    response = client.post(
        "/coordinate/users",
        data={
            "username": "weak",
            "password": "password",
            "role": "worker",
            "force": "",
            "area_id": district.a.community.id,
        },
    )
    assert response.status_code == 422
    assert 'data-field="password"' in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.username == "weak")) is None


def test_coordinator_cannot_open_other_streets_site(district, login_as):
    client = login_as(district.a.coordinator)
    assert client.get(f"/coordinate/sites/{district.b.sites[0].id}").status_code == 404
    assert client.get(f"/coordinate/sites/{district.a.sites[0].id}").status_code == 200


@pytest.mark.parametrize("who", ["leader", "worker"])
def test_leaders_and_workers_cannot_use_coordinator_pages(district, login_as, who):
    client = login_as(getattr(district.a, who))
    assert client.get("/coordinate/areas").status_code == 403


def test_logged_out_is_sent_to_login(client):
    response = client.get("/coordinate/sites")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_site_and_area_lists_link_to_printable_posters(district, login_as):
    client = login_as(district.a.coordinator)
    sites_page = client.get("/coordinate/sites").get_data(as_text=True)
    poster = f"/coordinate/sites/{district.a.sites[0].id}/poster"
    assert poster in sites_page
    assert client.get(poster).status_code == 200
    areas_page = client.get("/coordinate/areas").get_data(as_text=True)
    batch = f"/coordinate/areas/{district.a.community.id}/posters"
    assert (
        batch in areas_page
        and f"/coordinate/areas/{district.a.street.id}/posters" not in areas_page
    )
    assert client.get(batch).status_code == 200


def test_lists_show_words_not_codes(district, login_as):
    client = login_as(district.a.coordinator)
    sites_page = client.get("/coordinate/sites").get_data(as_text=True)
    assert "展板" in sites_page  # the factory's sites are of kind "board"
    users_page = client.get("/coordinate/users?lang=en").get_data(as_text=True)
    assert "Grid workers" in users_page and ">grid_worker<" not in users_page


@pytest.mark.parametrize(
    "field, value",
    [("phone", "call me maybe"), ("username", "no spaces allowed"), ("display_name", "名" * 81)],
)
def test_the_people_page_accepts_what_the_api_accepts_and_nothing_else(
    district, login_as, api, field, value
):
    """One input contract: a value the API refuses is refused on the page too, on its field."""
    body = {
        "username": "newperson",
        "display_name": "新人",
        "password": "Strong-Pass-77",
        "role": "worker",
        "force": "grid_worker",
        "area_id": district.a.grids[0].id,
        field: value,
    }
    by_api = api.post("/users", user=district.a.coordinator, json=body)
    assert by_api.status_code == 422 and field in by_api.get_json()["errors"]["json"]
    client = login_as(district.a.coordinator)
    response = client.post("/coordinate/users", data={**body, "active": "y"})
    assert response.status_code == 422 and f'data-field="{field}"' in response.get_data(
        as_text=True
    )
    assert db.session.scalar(select(User).where(User.username == body["username"])) is None
