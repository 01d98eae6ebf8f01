"""A site placed outside its grid's boundary is flagged on the coordinator's site list and page."""

from app.extensions import db


def square(lng: float, lat: float, size: float = 0.01) -> dict:
    ring = [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_the_site_outside_its_imported_grid_is_flagged(district, api, login_as):
    grid1, grid2 = district.a.grids
    # Site 0 (29.900, 121.55) sits in grid 1, site 1 (29.901, 121.55) in grid 2.
    body = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": grid1.name},
                "geometry": square(121.60, 29.90),
            },
            {
                "type": "Feature",
                "properties": {"name": grid2.name},
                "geometry": square(121.545, 29.895),
            },
        ],
    }
    assert api.post("/areas/boundaries", user=district.a.coordinator, json=body).status_code == 200
    db.session.expire_all()
    outside, inside = district.a.sites  # grid 1's site is now outside its grid; grid 2's inside
    client = login_as(district.a.coordinator)
    listing = client.get("/coordinate/sites").get_data(as_text=True)
    assert listing.count('class="outside-grid"') == 1
    row = listing[listing.index('class="outside-grid"') :].split("</tr>")[0]
    assert outside.name in row and "不在网格边界内" in row
    assert 'id="outside-grid"' in client.get(f"/coordinate/sites/{outside.id}").get_data(
        as_text=True
    )
    assert 'id="outside-grid"' not in client.get(f"/coordinate/sites/{inside.id}").get_data(
        as_text=True
    )


def test_no_boundary_no_flag(district, login_as):
    client = login_as(district.a.coordinator)
    assert 'class="outside-grid"' not in client.get("/coordinate/sites").get_data(as_text=True)
