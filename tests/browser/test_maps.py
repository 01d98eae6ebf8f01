"""Maps people recognise, in a real Chromium: a GeoJSON of grids in GCJ-02 imported on its page
(previewed, then saved) draws, named, on the leaders' map; with no tiles the map carries a scale
bar, and with tiles configured they come from a local server; no console errors, desktop and phone."""

from __future__ import annotations

import json
from pathlib import Path

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


@pytest.mark.parametrize("device", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_case_map_shows_the_periods_cases_with_cards_and_exports_a_png(
    browse, district, device
):
    from datetime import date, timedelta

    from app.services.localtime import today

    district.a.community.population = district.b.community.population = 10000
    for community, lng in ((district.a.community, 121.54), (district.b.community, 121.56)):
        community.boundary = {
            "type": "Polygon",
            "coordinates": [
                [[lng, 29.9], [lng + 0.02, 29.9], [lng + 0.02, 29.92], [lng, 29.92], [lng, 29.9]]
            ],
        }
    factories.make_case(area=district.a.community, occurred_on=date(2026, 3, 5), loss="800")
    factories.make_case(area=district.a.community, occurred_on=date(2026, 3, 9), loss="200")
    last_month = today().replace(day=1) - timedelta(days=1)
    for day in (1, 2):  # 2 per 10,000 last month: a yellow card held now
        factories.make_case(area=district.b.community, occurred_on=last_month.replace(day=day))
    db.session.commit()
    open_page, problems = browse
    page = open_page(district.leader, "/dashboard/case-map?from=2026-03-01&to=2026-03-31", device)
    page.wait_for_selector('#case-map[data-ready="1"]')
    box = page.locator("#case-map")
    assert box.get_attribute("data-drawn") == "2" and box.get_attribute("data-cases") == "2"
    rows = page.eval_on_selector_all(
        "#case-map-table tbody tr", "rows => rows.map(r => Array.from(r.cells, c => c.textContent))"
    )
    by_name = {row[0]: row for row in rows}
    assert by_name[district.a.community.name][1:4] == ["2", "1000.00", "2.00"]
    assert by_name[district.b.community.name][4] == "黄牌"
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1  # the table scrolls in its box; the map fits the screen
    with page.expect_download() as download:
        page.click("#case-map-export")
    png = Path(download.value.path()).read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000
    assert download.value.suggested_filename == "发案地图-2026-03-01-2026-03-31.png"
    assert problems == []


@pytest.mark.parametrize("tiles", [False, True], ids=["no-tiles", "tiles"])
def test_my_sites_sorted_by_distance_with_done_marked(request, browse, district, tiles):
    from datetime import timedelta

    from app.models.base import utcnow

    server = request.getfixturevalue("tile_server") if tiles else None
    worker = district.a.worker
    near = factories.make_site(area=district.a.grids[0], name="近处展板", lat=29.95, lng=121.60)
    far = factories.make_site(area=district.a.grids[0], name="远处横幅", lat=29.80, lng=121.40)
    done = district.a.sites[0]
    factories.make_checkin(site=done, user=worker, at=utcnow() - timedelta(minutes=3))
    db.session.commit()
    open_page, problems = browse
    page = open_page(
        worker,
        "/worker/sites",
        PHONE,
        geolocation={"latitude": 29.951, "longitude": 121.601, "accuracy": 10},
        permissions=["geolocation"],
    )
    page.wait_for_selector('#my-sites[data-sorted="distance"]')
    order = page.eval_on_selector_all(
        "#my-sites li.site", "items => items.map(i => i.dataset.name)"
    )
    assert order == [near.name, done.name, far.name]
    assert page.locator(f'#my-sites li[data-id="{done.id}"]').get_attribute("data-done") == "1"
    assert "m" in page.inner_text(f'#my-sites li[data-id="{near.id}"] .distance')
    page.wait_for_selector('#my-sites-map[data-ready="1"]')
    assert page.locator("#my-sites-map .leaflet-control-scale").count() == 1
    amap = page.get_attribute(f'#my-sites li[data-id="{near.id}"] a.nav-amap', "href")
    assert amap.startswith("https://uri.amap.com/navigation?to=") and "coordinate=gaode" in amap
    if server is not None:
        page.wait_for_selector("#my-sites-map .leaflet-tile-loaded")
        assert server.paths
    assert problems == []


def test_a_coordinator_places_a_site_by_map_position_and_pasted_baidu_coordinates(browse, district):
    site = district.a.sites[0]
    site.area.boundary = {
        "type": "Polygon",
        "coordinates": [
            [[121.54, 29.89], [121.56, 29.89], [121.56, 29.91], [121.54, 29.91], [121.54, 29.89]]
        ],
    }
    db.session.commit()
    open_page, problems = browse
    page = open_page(
        district.a.coordinator,
        f"/coordinate/sites/{site.id}",
        PHONE,
        geolocation={"latitude": 29.8987, "longitude": 121.5523, "accuracy": 5},
        permissions=["geolocation"],
    )
    page.wait_for_selector('#site-picker[data-ready="1"]')
    page.locator("#site-picker").scroll_into_view_if_needed()
    box = page.locator("#site-picker").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.4)
    assert page.locator("#site-picker").get_attribute("data-placed") == "wgs84"  # no tiles: WGS-84
    clicked = float(page.input_value("#lat")), float(page.input_value("#lng"))
    assert clicked != (29.9, 121.55) and 29.88 < clicked[0] < 29.92
    page.click("#site-use-position")
    page.wait_for_selector('#site-picker-status:has-text("29.898700")')
    assert page.input_value("#lng") == "121.552300" and page.input_value("#coord_system") == "wgs84"
    page.fill("#site-paste", "121.563312，29.906101")
    page.select_option("#site-paste-datum", "bd09")
    page.click("#site-paste-apply")
    assert page.input_value("#coord_system") == "bd09" and page.input_value("#lat") == "29.906101"
    page.click("main form[method=post]:not(#browser-link-form) button.primary")
    page.wait_for_load_state("networkidle")
    db.session.expire_all()
    want = geo.bd09_to_wgs84(29.906101, 121.563312)
    assert abs(site.lat - want[0]) < 1e-6 and abs(site.lng - want[1]) < 1e-6
    assert problems == []
