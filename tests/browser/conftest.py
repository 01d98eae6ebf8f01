"""A real Chromium (Debian's package, never a downloaded one) against the real app served on
127.0.0.1, on the test database with real commits, and a phone to hold in the hand."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import pytest
from werkzeug.serving import make_server

from tests.browser.phone import CHROMIUM, CHROMIUM_ARGS, PHONE


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
