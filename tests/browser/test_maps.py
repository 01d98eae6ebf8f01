"""Maps people recognise, in a real Chromium: a GeoJSON of grids in GCJ-02 imported on its page
(previewed, then saved) draws, named, on the leaders' map; with no tiles the map carries a scale
bar, and with tiles configured they come from a local server; no console errors, desktop and phone."""

from __future__ import annotations

import json

import pytest

from app import geo
from app.extensions import db
from tests import factories
from tests.browser.conftest import DESKTOP
from tests.browser.phone import BROWSER, PHONE

pytestmark = BROWSER


def gcj02_square(lng: float, lat: float, size: float = 0.004) -> list:
    ring = [(lng, lat), (lng + size, lat), (lng + size, lat + size), (lng, lat + size), (lng, lat)]
    return [[list(reversed(geo.from_wgs84(y, x, "gcj02"))) for x, y in ring]]


@pytest.fixture
def district(live_server):
    district = factories.build_district()
    db.session.commit()
    return district


def grids_file(tmp_path, district) -> str:
    grid1, grid2 = district.a.grids
    body = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": grid.name, "parent": district.a.community.name},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": gcj02_square(121.548 + i * 0.004, 29.898),
                },
            }
            for i, grid in enumerate((grid1, grid2))
        ],
    }
    path = tmp_path / "grids.geojson"
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return str(path)


def import_on_the_page(open_page, district, tmp_path):
    page = open_page(district.a.coordinator, "/coordinate/areas/boundaries")
    page.set_input_files("#boundary-file", grids_file(tmp_path, district))
    page.select_option("#boundary-datum", "gcj02")
    page.click("#boundary-preview")
    page.wait_for_selector('#boundary-map[data-ready="preview"]')
    names = page.locator("#boundary-map .area-label").all_inner_texts()
    assert sorted(names) == sorted(g.name for g in district.a.grids)
    assert district.a.grids[0].boundary is None  # a preview saves nothing
    page.click("#boundary-save")
    page.wait_for_selector('#boundary-map[data-ready="saved"]')
    assert "2" in page.inner_text("#boundary-status")
    return page


@pytest.mark.parametrize("device", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("tiles", [False, True], ids=["no-tiles", "tiles"])
def test_imported_gcj02_grids_draw_named_on_the_map(
    request, browse, district, tmp_path, device, tiles
):
    server = request.getfixturevalue("tile_server") if tiles else None
    open_page, problems = browse
    import_on_the_page(open_page, district, tmp_path)
    db.session.expire_all()
    stored = district.a.grids[0].boundary["coordinates"][0][0]
    assert abs(stored[0] - 121.548) < 1e-6 and abs(stored[1] - 29.898) < 1e-6  # WGS-84 again

    page = open_page(district.a.leader, f"/dashboard/map?area_id={district.a.community.id}", device)
    page.wait_for_selector('#coverage-map[data-ready="1"]')
    names = page.locator("#coverage-map .area-label").all_inner_texts()
    assert sorted(names) == sorted(g.name for g in district.a.grids)
    assert page.locator("#coverage-map .leaflet-control-scale").is_visible()
    if server is None:
        assert page.locator("#coverage-map .leaflet-tile").count() == 0
    else:
        page.wait_for_selector("#coverage-map .leaflet-tile-loaded")
        assert server.paths and all(p.startswith("/tiles/") for p in server.paths)
    assert problems == []
