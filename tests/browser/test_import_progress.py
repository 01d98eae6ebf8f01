"""A large household import in a real Chromium: the page follows the background job, then shows its report."""

from __future__ import annotations

import threading

import pytest

from app.extensions import db
from app.services import jobs
from tests.factories import PASSWORD, build_district
from tests.services.test_importing import csv_bytes

phone = pytest.importorskip(
    "tests.browser.phone", reason="needs the shared browser fixtures of tests/browser"
)
pytestmark = phone.BROWSER
DESKTOP = {
    "viewport": {"width": 1280, "height": 900},
    "locale": "en-US",
    "timezone_id": "Asia/Shanghai",
}


def test_the_page_shows_progress_then_the_report(app, chromium, live_server, tmp_path):
    district = build_district()
    db.session.commit()
    grids = district.a.grids
    rows = [["grid", "label"]] + [[grids[i % 2].id, f"{i}-1-101"] for i in range(5_001)]
    rows[5_001][0] = "nowhere"  # one bad row, at the very end
    upload = tmp_path / "big.csv"
    upload.write_bytes(csv_bytes(rows))

    context = chromium.new_context(base_url=live_server.url, **DESKTOP)
    context.set_default_timeout(20_000)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto("/login?lang=en")
    page.fill("input[name=username]", district.a.coordinator.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto("/lang/en")
    page.goto("/coordinate/households/import")
    page.set_input_files("input[type=file]", str(upload))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_selector("#import-job")
    assert "Waiting for the import to start" in page.inner_text("#import-job-status")

    def worker():
        with app.app_context():
            jobs.work(once=True)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(60)
    page.wait_for_selector("#import-job[data-status=done]")
    assert (
        page.inner_text("#import-job-status")
        == "Nothing was imported. Fix these rows and try again:"
    )
    assert page.inner_text("#import-errors li") == "Row 5002: unknown grid 'nowhere'"
    assert page.eval_on_selector("#import-job-progress", "bar => bar.value === bar.max")
    assert problems == []
    context.close()
