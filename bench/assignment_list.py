"""The people list for assignment at 2,000 people: what the page weighs and how soon it answers
in a real Chromium, as ratios to the bare login page measured in the same run.

    .venv/bin/python bench/assignment_list.py                          # SQLite: a fresh file
    .venv/bin/python bench/assignment_list.py postgresql://USER@127.0.0.1:PORT/DB --people 2000

A fresh schema (SQLite: a new file; PostgreSQL: a new database next to the one named, dropped
afterwards); a street of one community and 20 grids; PEOPLE workers imported by the street's
coordinator through the people import service (a sixth of each force but police, a grid each for
the grid workers), a campaign fanned out over the grids (the grid workers get its tasks) and a
check-in each for one person in ten (active this month). Then gunicorn (2 workers: sync on
SQLite, gthread on PostgreSQL) on a free loopback port, and Debian's Chromium (playwright) at
desktop (1280×900) and phone (390×844) sizes. Each page is opened --repeats times in a fresh
browser context (a cold cache; logged in for the list pages): bytes moved (every response body,
uncompressed, and on the wire with headers), the time to the first byte, DOMContentLoaded and the
load event from the navigation's start, and the first input's delay (a key pressed in the search
box once loaded: the Event Timing API's first-input entry). Medians; each as a ratio to the login
page (logged out) measured the same way in the same run. The machine is shared: ratios are the
figures to compare.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.checkin_load import (  # noqa: E402
    child,
    free_port,
    fresh_postgres,
    start_gunicorn,
    stop,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
PASSWORD = "Bench-list-2024!"
DEVICES = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 3,
        "is_mobile": True,
        "has_touch": True,
    },
}
FORCES = ("grid_worker", "militia", "rider", "volunteer", "enterprise_officer")
FORCE_NAMES = {
    "grid_worker": "网格员",
    "militia": "民兵",
    "rider": "骑手",
    "volunteer": "志愿者",
    "enterprise_officer": "企业反诈宣传员",
}
# What the page answers before any script: the first input's delay (ms), measured by the browser.
FIRST_INPUT = """
window.__firstInput = null;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (window.__firstInput === null) window.__firstInput = e.processingStart - e.startTime;
  }
}).observe({type: 'first-input', buffered: true});
"""
TIMINGS = """() => {
  const n = performance.getEntriesByType('navigation')[0];
  const parts = [n, ...performance.getEntriesByType('resource')];
  return {
    body: parts.reduce((s, e) => s + (e.decodedBodySize || 0), 0),
    wire: parts.reduce((s, e) => s + (e.transferSize || 0), 0),
    requests: parts.length,
    ttfb: n.responseStart - n.startTime,
    dcl: n.domContentLoadedEventEnd - n.startTime,
    load: n.loadEventEnd - n.startTime,
    rows: document.querySelectorAll('tr[data-user-id]').length,
  };
}"""


def seed(url: str, people: int) -> dict:
    return child(url, "assignment_list", "_seed_here", people)


def _seed_here(people: int) -> None:
    """(In the child) the street, its people through the import service, a campaign, check-ins."""
    from datetime import timedelta

    from app import create_app
    from app.extensions import db
    from app.models import User
    from app.services import areas, campaigns, sites, users
    from app.services.localtime import today
    from app.services.people_import import import_people
    from config import ProductionConfig
    from tests.factories import make_checkin

    app = create_app(ProductionConfig)
    with app.app_context():
        db.drop_all()
        db.create_all()
        admin = users.build_user({"username": "bench-admin", "password": PASSWORD, "role": "admin"})
        street = areas.create_area(admin, {"name": "压测街道", "level": "street"})
        community = areas.create_area(
            admin, {"name": "压测社区", "level": "community", "parent_id": street.id}
        )
        grids = [
            areas.create_area(
                admin, {"name": f"网格{i:02d}", "level": "grid", "parent_id": community.id}
            )
            for i in range(20)
        ]
        site = sites.create_site(
            admin,
            {"name": "点位", "kind": "board", "area_id": grids[0].id, "lat": 29.9, "lng": 121.5},
        )
        coordinator = users.create_user(
            admin,
            {
                "username": "bench-coordinator",
                "password": PASSWORD,
                "display_name": "协调员",
                "role": "coordinator",
                "area_id": street.id,
            },
        )
        lines = ["姓名,手机号,力量类型,区域,用户名,网格"]
        for i in range(people):
            force = FORCES[i % len(FORCES)]
            grid = grids[i % len(grids)].name if force == "grid_worker" else ""
            area = community.name if force == "grid_worker" else street.name
            lines.append(f"人员{i:04d},139{i:08d},{FORCE_NAMES[force]},{area},,{grid}")
        report = import_people(coordinator, ("\r\n".join(lines) + "\r\n").encode())
        assert report.ok and report.created == people, report.errors[:3]
        campaigns.create_campaign(
            coordinator,
            {
                "title": "入户宣传",
                "kind": "door_to_door",
                "area_id": community.id,
                "starts_on": today(),
                "ends_on": today() + timedelta(days=20),
            },
        )
        for person in db.session.scalars(db.select(User).where(User.role == "worker")).all()[::10]:
            make_checkin(user=person, site=site)
        db.session.commit()
    print(json.dumps({"coordinator": "bench-coordinator", "people": people}))


def log_in(browser, base: str, device: dict) -> dict:
    context = browser.new_context(base_url=base, locale="zh-CN", **device)
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=username]", "bench-coordinator")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    state = context.storage_state()
    context.close()
    return state


def measure(browser, base: str, device: dict, path: str, field: str, state, repeats: int) -> dict:
    """Median figures of `path`, each open in a fresh context (cold cache)."""
    runs = []
    for _ in range(repeats):
        context = browser.new_context(base_url=base, locale="zh-CN", storage_state=state, **device)
        context.add_init_script(FIRST_INPUT)
        page = context.new_page()
        page.goto(path, wait_until="load")
        page.click(field)
        page.keyboard.press("a")
        page.wait_for_function("() => window.__firstInput !== null", timeout=10_000)
        figures = page.evaluate(TIMINGS)
        figures["input"] = page.evaluate("() => window.__firstInput")
        runs.append(figures)
        context.close()
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


PAGES = (
    ("login page (baseline)", "/login", "input[name=username]", False),
    ("people list, everyone (page 1)", "/coordinate/assign", "#f-q", True),
    ("people list, riders not active", "/coordinate/assign?force=rider&active=0", "#f-q", True),
    ("people list, search by phone", "/coordinate/assign?q=00001234", "#f-q", True),
    ("people list, page 30", "/coordinate/assign?page=30", "#f-q", True),
)


def row(title: str, got: dict, baseline: dict) -> str:
    def ratio(key: str) -> float:
        return got[key] / baseline[key] if baseline[key] else float("nan")

    return (
        f"  {title:34} {got['body']:>8.0f} {got['wire']:>8.0f} {got['requests']:>4.0f}"
        f" {got['ttfb']:>5.0f}ms {got['dcl']:>5.0f}ms {got['load']:>5.0f}ms"
        f" {got['input']:>4.1f}ms {got['rows']:>5.0f}"
        f"   {ratio('body'):5.2f} {ratio('dcl'):5.2f} {ratio('load'):5.2f}"
    )


def run_database(label: str, url: str, args) -> None:
    from playwright.sync_api import sync_playwright

    plan = seed(url, args.people)
    port = free_port()
    server = start_gunicorn(url, port, args)
    base = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for name, device in DEVICES.items():
                state = log_in(browser, base, device)
                print(f"\n{label}, {plan['people']} people, {name}, medians of {args.repeats}:")
                print(
                    f"  {'page':34} {'bytes':>8} {'wire':>8} {'req':>4} {'TTFB':>7} {'DCL':>7}"
                    f" {'load':>7} {'input':>6} {'rows':>5}   ratios: bytes  DCL  load"
                )
                baseline = None
                for title, path, field, signed_in in PAGES:
                    got = measure(
                        browser,
                        base,
                        device,
                        path,
                        field,
                        state if signed_in else None,
                        args.repeats,
                    )
                    baseline = baseline or got
                    print(row(title, got, baseline))
            browser.close()
    finally:
        stop(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("database_url", nargs="?", help="a PostgreSQL server (default: SQLite)")
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--gunicorn-workers", type=int, default=2)
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"needs Debian's chromium at {CHROMIUM}")
    if args.database_url:
        args.worker_class, args.threads = "gthread", 4
        url, drop = fresh_postgres(args.database_url)
        try:
            run_database("PostgreSQL", url, args)
        finally:
            drop()
    else:
        args.worker_class, args.threads = "sync", 1
        folder = Path(tempfile.mkdtemp(prefix="gridreach-assign-bench-"))
        run_database("SQLite", f"sqlite:///{folder / 'bench.db'}", args)


if __name__ == "__main__":
    main()
