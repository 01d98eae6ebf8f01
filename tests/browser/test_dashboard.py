"""The dashboard and the coverage map in a real Chromium: charts and map draw, sorting and
drilling down work, a street leader sees only their street, and no page logs an error."""

from __future__ import annotations

import pytest

from tests.services.coverage_helpers import build_march_district

# The live server and Chromium fixtures are the shared ones of tests/browser (conftest.py, phone.py).
phone = pytest.importorskip(
    "tests.browser.phone", reason="needs the shared browser fixtures of tests/browser"
)
pytestmark = phone.BROWSER
PERIOD = "from=2026-03-01&to=2026-03-31"
DESKTOP = {
    "viewport": {"width": 1280, "height": 900},
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
}


@pytest.fixture
def march(live_server):
    district = build_march_district()
    district.s1.boundary = {
        "type": "Polygon",
        "coordinates": [
            [[121.54, 29.89], [121.56, 29.89], [121.56, 29.91], [121.54, 29.91], [121.54, 29.89]]
        ],
    }
    from app.extensions import db

    db.session.commit()
    return district


def ranking_names(page) -> list[str]:
    return page.eval_on_selector_all("#ranking tbody tr", "rows => rows.map(r => r.dataset.name)")


def test_dashboard_draws_sorts_and_drills_down(browse, march):
    open_page, problems = browse
    page = open_page(march.district_leader, f"/dashboard/?{PERIOD}")
    assert page.inner_text('[data-figure="site_coverage"]') == "75.0%"
    page.wait_for_selector('#trend-chart[data-ready="1"] canvas')
    page.wait_for_selector('#coverage-chart[data-ready="1"] canvas')
    page.click('#ranking button[data-sort="site_coverage"]')
    assert ranking_names(page) == ["东街道", "西街道"]
    page.click('#ranking button[data-sort="site_coverage"]')
    assert ranking_names(page) == ["西街道", "东街道"]
    page.click("#ranking a:text('东街道')")
    page.wait_for_selector("#ranking tbody tr[data-name='东一社区']")
    assert ranking_names(page) == ["东一社区"]
    page.wait_for_selector('#trend-chart[data-ready="1"] canvas')
    assert problems == []


def test_street_leader_sees_only_their_street(browse, march):
    open_page, problems = browse
    page = open_page(march.leader1, f"/dashboard/?{PERIOD}")
    assert ranking_names(page) == ["东一社区"]
    assert "西街道" not in page.content()
    page.wait_for_selector('#trend-chart[data-ready="1"] canvas')
    assert problems == []


def test_map_draws_sites_and_areas_without_tiles(browse, march):
    open_page, problems = browse
    page = open_page(march.district_leader, f"/dashboard/map?{PERIOD}")
    page.wait_for_selector('#coverage-map[data-ready="1"]')
    box = page.locator("#coverage-map")
    assert box.get_attribute("data-sites") == "4" and box.get_attribute("data-areas") == "2"
    assert page.locator("#coverage-map .leaflet-tile").count() == 0  # no tile source configured
    assert (
        page.locator("#coverage-map canvas").count() >= 1
    )  # points and boundaries drawn on canvas
    assert problems == []


def test_dashboard_on_a_phone(browse, march):
    open_page, problems = browse
    page = open_page(march.leader1, f"/dashboard/?{PERIOD}", PHONE)
    page.wait_for_selector('#trend-chart[data-ready="1"] canvas')
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1  # the wide table scrolls inside its box, not the page
    page.goto(f"/dashboard/map?{PERIOD}")
    page.wait_for_selector('#coverage-map[data-ready="1"]')
    assert page.locator("#coverage-map").get_attribute("data-sites") == "3"
    assert problems == []


def test_report_and_cases_pages(browse, march):
    open_page, problems = browse
    page = open_page(march.district_leader, "/dashboard/report?date=2026-03-31")
    assert "【反诈日报】2026年3月31日" in page.input_value("#report-text")
    page.goto(f"/dashboard/cases?{PERIOD}")
    page.wait_for_selector('[data-figure="cases"]')
    assert problems == []
