"""A real Chromium (Debian's package, never a downloaded one) against the real app served on
127.0.0.1, on the test database with real commits, and a phone to hold in the hand."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import pytest
from werkzeug.serving import make_server

from tests.browser.phone import CHROMIUM, CHROMIUM_ARGS, PHONE
from tests.factories import PASSWORD


@dataclass
class Served:
    """What the server was asked (method, path) and sent (method, path, status, body bytes)."""

    url: str
    asked: list[tuple[str, str]] = field(default_factory=list)
    log: list[list] = field(default_factory=list)

    def bytes_sent(self) -> int:
        return sum(entry[3] for entry in self.log)

    def count(self, method: str, path: str) -> int:
        """Requests for `path` the server has started answering."""
        return self.asked.count((method, path))


class CountingMiddleware:
    """Counts the body bytes of every answer as they leave the server (uncompressed). An entry is
    logged when the status is set and each chunk counted before it is sent, so whatever the browser
    has received is already in the log."""

    def __init__(self, wsgi_app, served: Served):
        self.wsgi_app, self.served = wsgi_app, served

    def __call__(self, environ, start_response):
        method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"]
        self.served.asked.append((method, path))
        entry = [method, path, 0, 0]

        def remember(code, headers, exc_info=None):
            if not entry[2]:
                self.served.log.append(entry)
            entry[2] = int(code.split()[0])
            return start_response(code, headers, exc_info)

        body = self.wsgi_app(environ, remember)
        try:
            for chunk in body:
                entry[3] += len(chunk)
                yield chunk
        finally:
            if hasattr(body, "close"):
                body.close()


@pytest.fixture
def live_server(app, committing):
    """The app on a free port of 127.0.0.1 in a thread, with CSRF checked as in production."""
    served = Served(url="")
    previous = app.config["WTF_CSRF_ENABLED"]
    app.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, CountingMiddleware(app.wsgi_app, served), threaded=True)
    served.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        thread.join(10)
        app.config["WTF_CSRF_ENABLED"] = previous


@pytest.fixture(scope="session")
def chromium():
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="browser tests need the playwright package"
    )
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone_factory(chromium, live_server):
    """new_phone(position=(lat, lng), allow_location=True, service_worker=False): a fresh phone-sized
    browser context; the service worker only where a test is about it, so that no cached page hides
    a slow server."""
    contexts = []

    def new_phone(position=None, allow_location=True, accuracy=8, service_worker=False):
        options = dict(
            PHONE, base_url=live_server.url, service_workers="allow" if service_worker else "block"
        )
        if position is not None:
            options["geolocation"] = {
                "latitude": position[0],
                "longitude": position[1],
                "accuracy": accuracy,
            }
        if allow_location:
            options["permissions"] = ["geolocation"]
        context = chromium.new_context(**options)
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context

    yield new_phone
    for context in contexts:
        context.close()


DESKTOP = {
    "viewport": {"width": 1280, "height": 900},
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
}


@pytest.fixture
def browse(chromium, live_server):
    """open(user, path, device=DESKTOP, **context) → a logged-in page; every console error, page
    error and request to a host other than 127.0.0.1 is recorded in `problems`."""
    contexts, problems = [], []

    def note_request(request):
        host = request.url.split("/")[2] if "://" in request.url else ""
        if request.url.startswith(("http://", "https://")) and not host.startswith("127.0.0.1"):
            problems.append(f"request out: {request.url}")

    def open_page(user, path, device=DESKTOP, **options):
        context = chromium.new_context(base_url=live_server.url, **device, **options)
        context.set_default_timeout(20_000)
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda msg: (
                problems.append(f"console {msg.type}: {msg.text} at {msg.location}")
                if msg.type == "error" and not msg.location.get("url", "").endswith("/favicon.ico")
                else None
            ),
        )
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on("request", note_request)
        page.goto("/login?next=" + path.replace("&", "%26").replace("?", "%3F"))
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        return page

    yield open_page, problems
    for context in contexts:
        context.close()


@dataclass
class TileServer:
    """A tile server on 127.0.0.1 answering every path with one small PNG, counting the requests."""

    url_template: str
    paths: list[str]


@pytest.fixture
def tile_server(app, monkeypatch):
    """Tiles configured (MAP_TILE_URL pointing at a local server), in the datum the test sets."""
    import io
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (220, 230, 220)).save(buffer, "PNG")
    png, paths = buffer.getvalue(), []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the http.server name)
            paths.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(png)))
            self.end_headers()
            self.wfile.write(png)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    template = f"http://127.0.0.1:{server.server_port}/tiles/{{z}}/{{x}}/{{y}}.png"
    monkeypatch.setitem(app.config, "MAP_TILE_URL", template)
    monkeypatch.setitem(app.config, "MAP_TILE_DATUM", "gcj02")
    try:
        yield TileServer(template, paths)
    finally:
        server.shutdown()
        thread.join(10)
