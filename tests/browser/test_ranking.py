"""The ranking in a real Chromium: ranked by a measure with rank numbers, re-ranked by another
heading, one-click periods; no console errors, desktop and phone."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.browser.conftest import DESKTOP
from tests.browser.phone import BROWSER, PHONE
from tests.factories import local, make_checkin
from tests.services.coverage_helpers import build_march_district

pytestmark = BROWSER
PERIOD = "from=2026-03-01&to=2026-03-31"


@pytest.fixture
def march(live_server):
    m = build_march_district()
    # Both streets at full site coverage; 西街道 leads by check-ins.
    for hour in range(9, 14):
        make_checkin(site=m.g3_site, user=m.militia, at=local(2026, 3, 5, hour))
    db.session.commit()
    return m


def ranks(page) -> list[tuple[str, str]]:
    return page.eval_on_selector_all(
        "#ranking tbody tr",
        "rows => rows.map(r => [r.querySelector('td.rank').textContent, r.dataset.name])",
    )


@pytest.mark.parametrize("device", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_ranking_reranks_by_the_clicked_measure(browse, march, device):
    open_page, problems = browse
    page = open_page(march.district_leader, f"/dashboard/?{PERIOD}", device)
    assert ranks(page) == [["1", "东街道"], ["1", "西街道"]]  # a shared first rank
    page.click('#ranking button[data-sort="checkins"]')
    assert ranks(page) == [["1", "西街道"], ["2", "东街道"]]
    assert page.locator("#ranking th.ranked-by button").get_attribute("data-sort") == "checkins"
    page.click('.period-presets a[data-preset="last_month"]')
    page.wait_for_load_state("networkidle")
    assert (
        "from=" in page.url
        and page.locator('.period-presets a[aria-current="true"]').get_attribute("data-preset")
        == "last_month"
    )
    assert problems == []
