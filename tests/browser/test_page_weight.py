"""The leader's dashboard and the phones' first visits stay under their weights (bytes transferred,
compressed, through deploy's nginx in front of gunicorn, as bench/page_weight.py measures them),
and a phone's first visit fetches no file twice. Sizes, not times: the same on any machine."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.browser.phone import BROWSER

pytestmark = BROWSER


@pytest.fixture(scope="module")
def weights():
    if not (shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")):
        pytest.skip("nginx (Debian's package) is needed; .ci/run installs it")
    pytest.importorskip("playwright.sync_api")
    # In a process of its own: the suite's browser fixture already runs playwright's sync API in
    # this one, and a second one may not start inside it.
    found = subprocess.run(
        [sys.executable, "-c", _MEASURE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert found.returncode == 0, found.stderr[-3000:]
    from bench.page_weight import Weight

    rows = json.loads(found.stdout.strip().splitlines()[-1])
    return {row["name"]: Weight(row["name"], row["limit"], row["requests"]) for row in rows}


ROOT = Path(__file__).resolve().parents[2]
_MEASURE = (
    "import json, sys; sys.path.insert(0, '.'); from bench import page_weight; "
    "print(json.dumps([{'name': w.name, 'limit': w.limit, 'requests': w.requests} "
    "for w in page_weight.run()]))"
)


def test_the_leaders_dashboard_moves_under_1_mb(weights):
    dashboard = weights["leader's dashboard, district"]
    assert dashboard.transferred < 1_000_000, dashboard.requests
    assert any("echarts" in url for _, _, url in dashboard.requests)


@pytest.mark.parametrize("name", ["check-in page, first visit", "task list, first visit"])
def test_a_phones_first_visit_moves_under_60_kb(weights, name):
    visit = weights[name]
    assert visit.transferred < 60_000, visit.requests
    assert not any("echarts" in url or "leaflet" in url for _, _, url in visit.requests)
    # The service worker keeps the files the page already has from the browser's cache.
    fetched = Counter(
        url for transferred, _, url in visit.requests if transferred and "/static/" in url
    )
    assert [url for url, n in fetched.items() if n > 1] == []


def test_the_first_visit_of_the_check_in_page_ran_the_service_worker(weights):
    urls = [url for _, _, url in weights["check-in page, first visit"].requests]
    assert any(url.endswith("/sw.js") for url in urls) and any("/c/offline" in url for url in urls)
