"""Every page runs with the Content-Security-Policy enforced and reports no violation.

The demo district is seeded and each role (admin, district and street leader, coordinator,
worker, police) walks every page its links reach, one page per route and set of query keys,
in a real Chromium; so does a logged-out phone, and the phone's check-in, visit and warning
pages are used the way a worker uses them. Any `securitypolicyviolation` event, CSP console
message or script error fails the test."""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from sqlalchemy import select

from app import qr
from app.demo import DEMO_PASSWORD, seed_demo
from app.extensions import db
from app.models import Site, User
from tests.browser.phone import BROWSER, PHONE, script_ready

pytestmark = BROWSER

DESKTOP = {
    "viewport": {"width": 1280, "height": 900},
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
}
ROLES = {  # demo login → device
    "admin": DESKTOP,
    "leader": DESKTOP,
    "zhuangqiao.leader": PHONE,
    "zhuangqiao.coord": DESKTOP,
    "wangge01": PHONE,
    "police01": PHONE,
}
MAX_PAGES = 80  # per person; the demo has about 40 routes
# Downloads, and links that change state rather than show a page.
NOT_PAGES = re.compile(r"\.(csv|xlsx|txt)(\?|$)|[?&]format=(csv|xlsx|text)|^/lang/|^/logout")
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.cspViolation([e.effectiveDirective, "blocked", e.blockedURI || "inline", "in",
                       e.sourceFile + ":" + e.lineNumber, e.sample].join(" "));
});
"""
CSP = "default-src 'self'; script-src 'self'; style-src 'self'"
SHOW_TOOLTIPS = """() => document.querySelectorAll(".chart").forEach(function (node) {
  var chart = window.echarts && echarts.getInstanceByDom(node);
  if (chart) { chart.dispatchAction({ type: "showTip", seriesIndex: 0, dataIndex: 0 }); }
})"""


@pytest.fixture
def demo(live_server):
    seed_demo()
    db.session.commit()
    users = {name: db.session.scalar(select(User).where(User.username == name)) for name in ROLES}
    return users


@pytest.fixture
def browse(chromium, live_server):
    """new_context(device, **options) → a context whose every CSP violation, CSP console message
    and script error lands in `problems`."""
    contexts, problems = [], []

    def new_context(device, **options):
        context = chromium.new_context(base_url=live_server.url, **device, **options)
        context.set_default_timeout(20_000)
        context.expose_function("cspViolation", lambda text: problems.append(f"violation: {text}"))
        context.add_init_script(REPORT_VIOLATIONS)
        context.on(
            "console",
            lambda msg: (
                problems.append(f"console: {msg.text} at {msg.location}")
                if "Content Security Policy" in msg.text
                or msg.type == "error"
                and "Refused" in msg.text
                else None
            ),
        )
        context.on("weberror", lambda error: problems.append(f"page error: {error.error}"))
        contexts.append(context)
        return context

    yield new_context, problems
    for context in contexts:
        context.close()


def log_in(page, username: str) -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def route_of(url: str) -> str:
    """One page per route and set of query keys: /sites/12?page=2 and /sites/31?page=3 are the same."""
    parts = urlsplit(url)
    path = re.sub(r"^/c/[^/]+$", "/c/TOKEN", re.sub(r"/\d+(?=/|$)", "/ID", parts.path))
    return path + "?" + "&".join(sorted({key for key, _ in parse_qsl(parts.query)}))


def visit(page, url: str) -> list[str]:
    """Open a page, let its scripts draw, hover its charts; return the same-origin links it shows."""
    response = page.goto(url)
    assert response is not None and CSP in response.headers.get("content-security-policy", ""), url
    page.wait_for_load_state("networkidle")
    if page.locator(".chart canvas").count():  # ECharts builds its tooltips when one shows
        page.evaluate(SHOW_TOOLTIPS)
        page.wait_for_timeout(300)
    origin = urlsplit(page.url)
    links = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    found = []
    for link in links:
        parts = urlsplit(urljoin(page.url, link))
        if parts.netloc == origin.netloc and parts.scheme in ("http", "https"):
            found.append(parts.path + ("?" + parts.query if parts.query else ""))
    return found


def crawl(page, start: list[str]) -> list[str]:
    """Every page reachable from `start`, one per route; returns the routes visited."""
    queue, seen, visited = deque(start), set(), []
    while queue and len(visited) < MAX_PAGES:
        url = queue.popleft()
        route = route_of(url)
        if route in seen or NOT_PAGES.search(url):
            continue
        seen.add(route)
        visited.append(route)
        queue.extend(visit(page, url))
    return visited


@pytest.mark.parametrize("username", list(ROLES))
def test_every_page_of_each_role_runs_under_the_csp(browse, demo, username):
    new_context, problems = browse
    page = new_context(ROLES[username]).new_page()
    log_in(page, username)
    start = [
        "/",
        "/dashboard/",
        "/dashboard/map",
        "/coordinate/sites",
        "/coordinate/areas",
        "/worker/tasks",
        "/worker/warnings",
        "/visits",
    ]
    visited = crawl(page, start)
    print(f"\n{username}: {len(visited)} pages\n" + "\n".join(visited))
    assert len(visited) >= 5, visited
    assert problems == [], "\n".join(sorted(set(problems)))


def test_the_phone_pages_run_under_the_csp_when_used(browse, demo):
    new_context, problems = browse
    worker = demo["wangge01"]
    site = db.session.scalar(
        select(Site)
        .where(Site.area_id.in_([g.id for g in worker.grids]), Site.active.is_(True))
        .order_by(Site.id)
    )
    near = {"latitude": site.lat + 0.0002, "longitude": site.lng, "accuracy": 8}
    phone = new_context(
        PHONE, geolocation=near, permissions=["geolocation"], service_workers="allow"
    )
    page = phone.new_page()
    page.goto(f"/c/{qr.site_token(site)}")  # logged out: the public page, then its staff link
    page.tap("#staff-login")
    page.wait_for_selector("input[name=username]")
    page.fill("input[name=username]", worker.username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    script_ready(page, "checkin")
    assert page.evaluate("async () => !!(await navigator.serviceWorker.ready)")
    page.tap("#checkin-btn")
    page.wait_for_selector(
        "#checkin-result[data-state=accepted], #checkin-result[data-state=flagged]"
    )

    page.goto("/visits")
    page.click("a[href*='/visits/']")
    script_ready(page, "visits")
    page.wait_for_selector("#gps-status[data-state=ok]", state="attached")
    page.locator(".hh .outcome[data-outcome=not_home]").first.tap()
    page.wait_for_selector(".hh-msg[data-state]:not([hidden])")

    page.goto("/worker/warnings")
    page.wait_for_load_state("networkidle")
    warning = page.locator("a[href*='/worker/warnings/']")
    if warning.count():
        warning.first.click()
        page.wait_for_load_state("networkidle")
    assert problems == [], "\n".join(sorted(set(problems)))


def test_logged_out_pages_run_under_the_csp(browse, demo, live_server):
    new_context, problems = browse
    page = new_context(PHONE).new_page()
    site = db.session.scalar(select(Site).order_by(Site.id))
    for url in (
        "/login",
        f"/c/{qr.site_token(site)}",
        "/c/offline",
        "/c/not-a-code",
        "/no/such/page",
        "/healthz",
        "/api/v1/me",
    ):
        visit(page, url)
    page.goto("/login")
    page.fill("input[name=username]", "nobody")
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    page.wait_for_selector(".errors, .flash")
    assert problems == [], "\n".join(sorted(set(problems)))


def test_map_tiles_load_from_the_configured_tile_server(browse, demo, app, monkeypatch):
    """img-src names the tile server of MAP_TILE_URL (its {s} subdomains as a wildcard)."""
    monkeypatch.setitem(app.config, "MAP_TILE_URL", "https://t{s}.tiles.test/{z}/{x}/{y}.png")
    new_context, problems = browse
    context = new_context(DESKTOP)
    tile = (Path(app.static_folder) / "vendor/leaflet/images/layers.png").read_bytes()
    context.route(
        "https://*.tiles.test/**", lambda route: route.fulfill(body=tile, content_type="image/png")
    )
    page = context.new_page()
    log_in(page, "leader")
    page.goto("/dashboard/map")
    page.wait_for_selector("#coverage-map[data-ready='1'] img.leaflet-tile-loaded")
    src = page.eval_on_selector("img.leaflet-tile-loaded", "img => img.src")
    assert re.match(r"https://t[abc]\.tiles\.test/", src), src
    assert problems == [], "\n".join(sorted(set(problems)))
