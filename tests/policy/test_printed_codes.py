"""A printed code is a read: whoever may fetch it from the API may print its poster, and no one else.

Before the policy table a street leader got 200 from GET /api/v1/sites/ID/qr.png and 403 from the
poster page of the same site."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("actor", ["street_leader", "coordinator", "admin", "district_leader"])
def test_who_prints_the_code_may_print_the_poster(api, client, login_as, district, actor):
    user = {
        "street_leader": district.a.leader,
        "coordinator": district.a.coordinator,
        "admin": district.admin,
        "district_leader": district.leader,
    }[actor]
    site = district.a.sites[0]
    assert api.get(f"/sites/{site.id}/qr.png", user=user).status_code == 200
    login_as(user)
    poster = client.get(f"/coordinate/sites/{site.id}/poster")
    assert poster.status_code == 200
    html = poster.get_data(as_text=True)
    assert site.name in html and "<svg" in html
    assert client.get(f"/coordinate/areas/{district.a.grids[0].id}/posters").status_code == 200


def test_a_leader_prints_no_code_of_another_street(api, client, login_as, district):
    site = district.b.sites[0]
    assert api.get(f"/sites/{site.id}/qr.png", user=district.a.leader).status_code == 404
    login_as(district.a.leader)
    assert client.get(f"/coordinate/sites/{site.id}/poster").status_code == 404
    assert client.get(f"/coordinate/areas/{district.b.grids[0].id}/posters").status_code == 404


def test_a_worker_prints_neither(api, client, login_as, district):
    site = district.a.sites[0]
    assert api.get(f"/sites/{site.id}/qr.png", user=district.a.worker).status_code in (403, 404)
    login_as(district.a.worker)
    assert client.get(f"/coordinate/sites/{site.id}/poster").status_code in (403, 404)


def test_a_leader_still_changes_nothing_on_the_coordinators_pages(api, client, login_as, district):
    login_as(district.a.leader)
    assert client.get("/coordinate/sites").status_code == 403
    assert (
        api.post(f"/sites/{district.a.sites[0].id}/rotate-qr", user=district.a.leader).status_code
        == 403
    )
