"""Page weight as a phone or a leader's browser receives it: bytes transferred (compressed, headers
included) on a first visit with an empty cache, through the production setup, against the targets
and against the bare login page measured in the same run.

    .venv/bin/python bench/page_weight.py            # a table
    .venv/bin/python bench/page_weight.py --detail   # and every request of each page

A scratch SQLite database with the demo district (`flask seed-demo`); gunicorn with
deploy/gunicorn.conf.py (GRIDREACH_ENV=production) behind nginx with deploy/nginx/gridreach.conf
(HTTPS, HTTP/2, its gzip and cache headers), both on 127.0.0.1; Debian's Chromium through
playwright, a fresh browser context (empty cache) for each page:

- login (baseline): the bare login page, logged out;
- dashboard: the district leader's dashboard (the whole district, this month), logged in first and
  the cache emptied before it (the trend's JSON included);
- check-in, first visit: a logged-out phone scans a site's code (/c/TOKEN), taps the staff login,
  logs in as a grid worker of that site and lands on the check-in page; until the service worker
  has installed (its precache fetches count) and kept the page;
- tasks, first visit: a logged-out phone opens /worker/tasks, logs in, lands on the task list.

Transferred bytes are what Chromium reports per response (playwright's request.sizes(): encoded
body plus headers; 0 for an answer from the browser's cache), for the page's requests and the
service worker's; uncompressed, the bodies as the page reads them (the service worker's own
fetches not included). Targets: the dashboard under 1 MB, each phone first visit under 60 kB.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import targets  # noqa: E402
from tests.browser.phone import CHROMIUM, CHROMIUM_ARGS, PHONE  # noqa: E402  (the browser tests' phone)
from tests.deploy.nginx_site import free_port, render  # noqa: E402

DESKTOP = {
    "viewport": {"width": 1280, "height": 900},
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
}
DASHBOARD_LIMIT = 1_000_000
PHONE_LIMIT = 60_000
# Resolves once the service worker runs and has kept this page.
KEPT = """async () => {
  await navigator.serviceWorker.ready;
  for (let i = 0; i < 400; i++) {
    if (navigator.serviceWorker.controller && await caches.match(location.pathname)) return true;
    await new Promise(resolve => setTimeout(resolve, 50));
  }
  return false;
}"""


@dataclass
class Weight:
    name: str
    limit: int | None
    requests: list[tuple[int, int, str]] = field(default_factory=list)  # transferred, decoded, url

    @property
    def transferred(self) -> int:
        return sum(r[0] for r in self.requests)

    @property
    def decoded(self) -> int:
        return sum(r[1] for r in self.requests)


def server_env(database_url: str, log_file: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEST_DATABASE_URL")}
    env.update(
        GRIDREACH_ENV="production",
        SECRET_KEY="bench-page-weight-" + os.urandom(8).hex(),
        DATABASE_URL=database_url,
        TRUSTED_PROXIES="1",
        PUBLIC_BASE_URL="https://gridreach.example",
        LOG_FILE=str(log_file),
        LOG_LEVEL="WARNING",
        WEB_CONCURRENCY="2",
    )
    return env


def seed(env: dict) -> dict:
    """Schema and demo district; then a grid worker and the code of one of their grid's sites."""
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    for args in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run(
            flask + args, env=env, cwd=ROOT, check=True, capture_output=True, timeout=900
        )
    code = f"import sys; sys.path.insert(0, {str(ROOT)!r}); from bench.page_weight import _pick; _pick()"
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _pick() -> None:
    """(In the child) the demo's first grid worker with a site in their grids, and its code."""
    from sqlalchemy import select

    from app import create_app, qr
    from app.demo import DEMO_PASSWORD
    from app.extensions import db
    from app.models import Site, User

    app = create_app()
    with app.app_context():
        workers = db.session.scalars(
            select(User)
            .where(User.role == "worker", User.username.like("wangge%"))
            .order_by(User.id)
        )
        for worker in workers:
            grid_ids = [g.id for g in worker.grids]
            site = db.session.scalar(
                select(Site).where(Site.area_id.in_(grid_ids), Site.active).order_by(Site.id)
            )
            if site is not None:
                print(
                    json.dumps(
                        {
                            "leader": "leader",
                            "worker": worker.username,
                            "password": DEMO_PASSWORD,
                            "checkin": f"/c/{qr.site_token(site)}",
                        }
                    )
                )
                return
    raise SystemExit("no grid worker with a site in the demo")


def _wait(url: str, process: subprocess.Popen, what: str, seconds: float = 60) -> None:
    import ssl

    context = ssl._create_unverified_context()  # the throwaway certificate
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{what} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2, context=context) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{what} did not answer within {seconds}s")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def spki_hash(cert: Path) -> str:
    """The certificate's public key hash as Chromium's --ignore-certificate-errors-spki-list takes
    it: a certificate so named is trusted like a real one (service workers and the HTTP cache work
    as on a real site, which --ignore-certificate-errors would not give)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization

    key = x509.load_pem_x509_certificate(cert.read_bytes()).public_key()
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    digest = hashes.Hash(hashes.SHA256())
    digest.update(der)
    return base64.b64encode(digest.finalize()).decode()


class Stack:
    """gunicorn and nginx on 127.0.0.1 over a scratch demo database; `with Stack() as s: s.base`."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.processes: list[subprocess.Popen] = []

    def __enter__(self) -> Stack:
        nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
        if not nginx:
            raise SystemExit("nginx is needed (Debian's package)")
        env = server_env(f"sqlite:///{self.folder / 'demo.db'}", self.folder / "app.log")
        self.logins = seed(env)
        app_port = free_port()
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.processes.append(
            subprocess.Popen(
                [str(gunicorn), "-c", "deploy/gunicorn.conf.py", "-b", f"127.0.0.1:{app_port}"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        site = render(self.folder / "nginx", app_port)
        # On its own port the browser's Origin and Referer carry the port, which $host drops, and
        # the login form's CSRF check compares them with the Host the app sees: keep the port.
        conf = site.prefix / "gridreach.conf"
        text = conf.read_text(encoding="utf-8")
        for header in ("Host", "X-Forwarded-Host"):
            text = text.replace(
                f"proxy_set_header {header} $host;", f"proxy_set_header {header} $http_host;"
            )
        conf.write_text(text, encoding="utf-8")
        self.processes.append(
            subprocess.Popen(
                site.command("-g", "daemon off;"),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        self.base = f"https://127.0.0.1:{site.https_port}"
        self.spki = spki_hash(site.cert)
        _wait(self.base + "/healthz", self.processes[0], "gunicorn behind nginx")
        return self

    def __exit__(self, *exc) -> None:
        for process in reversed(self.processes):
            _stop(process)


def _record(context) -> list:
    finished: list = []
    context.on("requestfinished", lambda request: finished.append(request))
    return finished


def _weigh(name: str, limit: int | None, finished: list) -> Weight:
    weight = Weight(name, limit)
    for request in finished:
        sizes = request.sizes()
        # Chromium's encodedDataLength: 0 for an answer from the browser's own cache.
        transferred = max(0, sizes["responseBodySize"] + sizes["responseHeadersSize"])
        decoded = 0
        if transferred:
            try:
                decoded = len(request.response().body())  # as the page reads it, uncompressed
            except Exception:  # a service worker's fetch: its body is not kept for us
                decoded = 0
        weight.requests.append((transferred, decoded, request.url))
    return weight


def _log_in(page, username: str, password: str) -> None:
    page.wait_for_selector("input[name=username]")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def measure(base: str, logins: dict, spki: str) -> list[Weight]:
    from playwright.sync_api import sync_playwright

    weights = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[*CHROMIUM_ARGS, f"--ignore-certificate-errors-spki-list={spki}"],
        )

        def context(device, service_workers="allow"):
            made = browser.new_context(
                base_url=base,
                service_workers=service_workers,
                **device,
            )
            made.set_default_timeout(30_000)
            return made

        # The baseline: the bare login page.
        phone = context(PHONE)
        finished = _record(phone)
        page = phone.new_page()
        page.goto("/login")
        page.wait_for_load_state("networkidle")
        weights.append(_weigh("login page (baseline)", None, finished))
        phone.close()

        # The leader's dashboard for the district, the cache emptied after logging in.
        desk = context(DESKTOP)
        page = desk.new_page()
        page.goto("/login")
        _log_in(page, logins["leader"], logins["password"])
        page.wait_for_load_state("networkidle")
        page.context.new_cdp_session(page).send("Network.clearBrowserCache")
        finished = _record(desk)
        page.goto("/dashboard/")
        page.wait_for_selector('#trend-chart[data-ready="1"]')
        page.wait_for_load_state("networkidle")
        weights.append(_weigh("leader's dashboard, district", DASHBOARD_LIMIT, finished))
        desk.close()

        # A phone scans a site's code: public page, staff login, the check-in page, kept offline.
        phone = context(PHONE)
        finished = _record(phone)
        page = phone.new_page()
        page.goto(logins["checkin"])
        page.wait_for_selector("#staff-login")
        page.tap("#staff-login")
        _log_in(page, logins["worker"], logins["password"])
        page.wait_for_selector("#checkin-btn")
        if not page.evaluate(KEPT):
            raise SystemExit("the service worker did not keep the check-in page")
        page.wait_for_load_state("networkidle")
        weights.append(_weigh("check-in page, first visit", PHONE_LIMIT, finished))
        phone.close()

        # A phone opens its task list: login, then the list.
        phone = context(PHONE)
        finished = _record(phone)
        page = phone.new_page()
        page.goto("/worker/tasks")
        _log_in(page, logins["worker"], logins["password"])
        page.wait_for_url("**/worker/tasks")
        page.wait_for_load_state("networkidle")
        weights.append(_weigh("task list, first visit", PHONE_LIMIT, finished))
        phone.close()

        browser.close()
    return weights


def run() -> list[Weight]:
    with (
        tempfile.TemporaryDirectory(prefix="gridreach-weight-") as folder,
        Stack(Path(folder)) as stack,
    ):
        return measure(stack.base, stack.logins, stack.spki)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--detail", action="store_true", help="list every request of each page")
    args = parser.parse_args()
    weights = run()
    baseline = weights[0].transferred
    print(
        f"{'page':<32} {'requests':>8} {'uncompressed':>12} {'transferred':>12} {'× login':>8} "
        f"{'target':>10}  verdict"
    )
    for w in weights:
        target = f"{w.limit:,}" if w.limit else "—"
        verdict = "" if w.limit is None else ("under" if w.transferred < w.limit else "OVER")
        ratio = f"{w.transferred / w.limit:.2f} of target" if w.limit else ""
        print(
            f"{w.name:<32} {len(w.requests):>8} {w.decoded:>12,} {w.transferred:>12,} "
            f"{w.transferred / baseline:>8.2f} {target:>10}  {verdict} {ratio}".rstrip()
        )
        if w.limit:
            targets.record(
                f"page weight: {w.name}",
                f"{w.transferred:,} B",
                f"< {w.limit:,} B",
                w.transferred < w.limit,
            )
        if args.detail:
            for transferred, decoded, url in sorted(w.requests, reverse=True):
                path = url.split("127.0.0.1", 1)[-1].split("/", 1)[-1]
                print(f"{'':<4}{decoded:>9,} {transferred:>9,}  /{path[:100]}")


if __name__ == "__main__":
    main()
