"""Drawing an area's boundary on its page, in a real Chromium: a rectangle drawn with the vendored
drawing tools is saved through the boundary import (as WGS-84); an unchanged boundary shown on GCJ-02
tiles comes back as the same WGS-84 positions; no console error and nothing leaves 127.0.0.1."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import AuditEvent
from tests import factories
from tests.browser.phone import BROWSER

pytestmark = BROWSER

SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [
            [121.548, 29.898],
            [121.552, 29.898],
            [121.552, 29.902],
            [121.548, 29.902],
            [121.548, 29.898],
        ]
    ],
}


@pytest.fixture
def district(live_server):
    district = factories.build_district()
    db.session.commit()
    return district


def saved(page, problems) -> None:
    page.click("#area-boundary-save")
    page.wait_for_selector('#area-map[data-ready="saved"], #area-map[data-ready="refused"]')
    said = page.inner_text("#area-boundary-status"), page.inner_text("#area-boundary-errors")
    assert page.get_attribute("#area-map", "data-ready") == "saved", (said, problems)


def test_a_drawn_rectangle_is_saved_as_the_grids_boundary(browse, district):
    grid = district.a.grids[0]
    open_page, problems = browse
    page = open_page(district.a.coordinator, f"/coordinate/areas/{grid.id}")
    page.wait_for_selector('#area-map[data-ready="1"]')
    page.click("#area-boundary-save")  # nothing drawn yet: nothing sent
    page.wait_for_selector('#area-map[data-ready="empty"]')
    page.click("#area-map .leaflet-pm-icon-rectangle")
    page.locator("#area-map").scroll_into_view_if_needed()
    box = page.locator("#area-map").bounding_box()
    page.mouse.click(box["x"] + 150, box["y"] + 100)
    page.mouse.click(box["x"] + 300, box["y"] + 220)
    saved(page, problems)
    db.session.expire_all()
    boundary = grid.boundary
    assert boundary["type"] == "Polygon" and len(boundary["coordinates"][0]) == 5
    lngs = {round(p[0], 6) for p in boundary["coordinates"][0]}
    lats = {round(p[1], 6) for p in boundary["coordinates"][0]}
    assert len(lngs) == 2 and len(lats) == 2  # an upright rectangle
    assert all(119 < lng < 121 for lng in lngs) and all(29 < lat < 31 for lat in lats)
    events = db.session.query(AuditEvent).filter_by(action="area.boundary").count()
    assert events == 1
    assert problems == []


def test_an_unchanged_boundary_on_gcj02_tiles_saves_as_the_same_wgs84(
    browse, district, tile_server
):
    grid = district.a.grids[0]
    grid.boundary = SQUARE
    db.session.commit()
    open_page, problems = browse
    page = open_page(district.a.coordinator, f"/coordinate/areas/{grid.id}")
    page.wait_for_selector('#area-map[data-ready="1"]')
    page.wait_for_selector("#area-map .leaflet-tile-loaded")
    saved(page, problems)
    db.session.expire_all()
    ring = grid.boundary["coordinates"][0]
    for got, want in zip(ring, SQUARE["coordinates"][0], strict=True):
        assert abs(got[0] - want[0]) < 1e-6 and abs(got[1] - want[1]) < 1e-6
    assert tile_server.paths and problems == []
