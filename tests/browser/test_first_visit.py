"""The first visit of a logged-out phone stays small, and after it the page works without signal."""

from __future__ import annotations

import pytest

from app import qr
from tests.browser.phone import BROWSER, checkins, log_in, result, script_ready, waiting

pytestmark = BROWSER

BUDGET = 100_000  # bytes, uncompressed: the contract's "first visit under 100 kB"
NEAR = (29.9002, 121.5501)
# Resolves once the service worker runs and has kept this page (evaluate awaits; wait_for_function would not).
KEPT = """async () => {
  await navigator.serviceWorker.ready;
  for (let i = 0; i < 400; i++) {
    if (navigator.serviceWorker.controller && await caches.match(location.pathname)) return true;
    await new Promise(resolve => setTimeout(resolve, 50));
  }
  return false;
}"""


@pytest.fixture
def world(live_server, district):
    site = district.a.sites[0]
    return {
        "site": site,
        "worker": district.a.worker,
        "path": f"/c/{qr.site_token(site)}",
        "district": district,
    }


def first_visit(phone, world):
    """Scan, see the public page, tap the staff login, log in, land on the site page, and wait
    until the service worker has kept it."""
    page = phone.new_page()
    page.goto(world["path"])
    page.wait_for_selector("#public-tips")
    page.tap("#staff-login")
    log_in(page, world["worker"])
    assert page.evaluate(KEPT), "the service worker did not keep the page"
    return page


def test_first_visit_of_a_logged_out_phone_moves_under_100_kb(phone_factory, world, live_server):
    phone = phone_factory(position=NEAR, service_worker=True)
    finished = []
    phone.on(
        "requestfinished", lambda request: finished.append(request)
    )  # pages and the service worker
    page = first_visit(phone, world)

    seen = [(r.url, r.sizes()["responseBodySize"]) for r in finished]
    in_browser = sum(size for _, size in seen)
    on_the_wire = live_server.bytes_sent()
    report = (
        "\n".join(f"{size:>7} {url}" for url, size in seen)
        + "\nserver:\n"
        + "\n".join(
            f"{size:>7} {status} {method} {path}" for method, path, status, size in live_server.log
        )
    )
    print(
        f"\nfirst visit: {in_browser} bytes of response bodies in the browser's network events, "
        f"{on_the_wire} bytes of bodies sent by the server\n{report}"
    )
    assert in_browser < BUDGET, report
    assert on_the_wire < BUDGET, live_server.log
    urls = " ".join(url for url, _ in seen)
    assert "/login" in urls and world["path"] in urls and "app.css" in urls and "checkin.js" in urls
    assert "public.css" in urls and live_server.count("GET", world["path"]) >= 2  # public, then own
    assert "echarts" not in urls and "leaflet" not in urls
    assert page.url.endswith(world["path"])


def test_the_page_opens_again_without_signal_and_its_check_in_waits(
    phone_factory, world, live_server
):
    phone = phone_factory(position=NEAR, service_worker=True)
    page = first_visit(phone, world)
    page_loads = live_server.count("GET", world["path"])

    phone.set_offline(True)
    page.reload()
    assert world["site"].name in page.inner_text("#site-name")
    assert live_server.count("GET", world["path"]) == page_loads  # it came from the phone
    script_ready(page, "checkin")
    page.tap("#checkin-btn")
    result(page, "queued")
    waiting(page, 1)

    phone.set_offline(False)
    result(page, "sent")
    waiting(page, 0)
    assert [row.site_id for row in checkins(world["worker"])] == [world["site"].id]


def test_a_code_never_opened_before_gets_the_offline_shell(phone_factory, world):
    phone = phone_factory(
        position=(29.9012, 121.5501), service_worker=True
    )  # near the worker's other site
    first_visit(phone, world)
    other = world["district"].a.sites[1]

    phone.set_offline(True)
    page = phone.new_page()
    page.goto(f"/c/{qr.site_token(other)}")
    page.wait_for_selector("#offline-note")
    script_ready(page, "checkin")
    page.tap("#checkin-btn")
    result(page, "queued")

    phone.set_offline(False)
    result(page, "sent")
    [row] = checkins(world["worker"])
    assert row.site_id == other.id


CACHED_PAGES = """async () => {
  let n = 0;
  for (const key of await caches.keys()) n += (await (await caches.open(key)).keys()).length;
  return n;
}"""


def test_logging_out_forgets_the_pages_kept_offline_but_not_waiting_check_ins(phone_factory, world):
    phone = phone_factory(position=NEAR, service_worker=True)
    page = first_visit(phone, world)
    assert page.evaluate(CACHED_PAGES) > 0
    phone.route(
        "**/api/v1/checkins", lambda route: route.abort()
    )  # the check-in cannot get out yet
    script_ready(page, "checkin")
    page.tap("#checkin-btn")
    result(page, "queued")
    page.click("#menu summary")
    page.click("#logout-form button")
    page.wait_for_selector("input[name=username]")
    assert page.evaluate(CACHED_PAGES) == 0  # nothing of the person is left to read offline
    assert checkins(world["worker"]) == []

    phone.unroute("**/api/v1/checkins")
    page.goto(world["path"])
    page.tap("#staff-login")  # signed out: the public page, whose staff link comes back
    log_in(page, world["worker"])  # the outbox survived and sends on this load
    waiting(page, 0)
    assert len(checkins(world["worker"])) == 1
