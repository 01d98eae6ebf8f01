"""Session and remember cookies as a browser receives them, in development and in production."""

from __future__ import annotations

import logging
import re

import pytest

from app.extensions import db
from config import ProductionConfig
from tests.factories import PASSWORD


@pytest.fixture
def production_app(make_app):
    def _make(**settings):
        return make_app(ProductionConfig, SECRET_KEY="a-long-random-production-secret", **settings)

    return _make


def set_cookies(response) -> dict[str, str]:
    """Each Set-Cookie header by cookie name."""
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


def log_in(app, base_url, who):
    """Through the login form, CSRF token included, as in production."""
    client = app.test_client()
    form = client.get("/login", base_url=base_url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    response = client.post(
        "/login",
        base_url=base_url,
        headers={"Referer": f"{base_url}/login"},
        data={"username": who, "password": PASSWORD, "remember": "y", "csrf_token": token},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client, set_cookies(response)


def test_production_cookies_are_host_only_secure_and_same_site(
    committing, district, production_app
):
    db.session.commit()  # the other app reads the user through its own connection
    app = production_app()
    client, cookies = log_in(app, "https://gridreach.example", district.a.worker.username)
    assert set(cookies) == {"__Host-session", "__Host-remember_token"}, cookies
    for header in cookies.values():
        attributes = [part.strip().lower() for part in header.split(";")[1:]]
        assert "secure" in attributes and "httponly" in attributes and "path=/" in attributes, (
            header
        )
        assert "samesite=lax" in attributes, header
        assert not any(attribute.startswith("domain=") for attribute in attributes), header
    # and they log the person in, each on its own
    for name in cookies:
        browser = app.test_client()
        browser.set_cookie(
            name,
            client.get_cookie(name, domain="gridreach.example").value,
            domain="gridreach.example",
            secure=True,
        )
        assert browser.get("/", base_url="https://gridreach.example").status_code == 200, name


def test_production_without_secure_cookies_keeps_plain_names(committing, district, production_app):
    db.session.commit()
    app = production_app(
        SESSION_COOKIE_SECURE=False,
        REMEMBER_COOKIE_SECURE=False,
        SESSION_COOKIE_NAME="session",
        REMEMBER_COOKIE_NAME="remember_token",
    )
    _, cookies = log_in(app, "http://gridreach.example", district.a.worker.username)
    assert set(cookies) == {"session", "remember_token"}


def test_development_remember_cookie_is_same_site_lax(client, district):
    response = client.post(
        "/login",
        data={"username": district.a.worker.username, "password": PASSWORD, "remember": "y"},
    )
    remember = set_cookies(response)["remember_token"]
    assert "samesite=lax" in remember.lower() and "httponly" in remember.lower()


def test_production_warns_loudly_when_login_limits_count_in_memory(district, production_app):
    # The app's own dictConfig replaces the root handlers (pytest's caplog handler among
    # them) when the app is built: listen on the app's logger itself.
    records: list[logging.LogRecord] = []
    listener = logging.Handler(logging.WARNING)
    listener.emit = records.append
    logger = logging.getLogger("app")
    logger.addHandler(listener)
    try:
        production_app()
        assert any(
            "RATELIMIT_STORAGE_URI" in record.getMessage() and record.levelno == logging.WARNING
            for record in records
        )
        records.clear()
        production_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
        assert not any("RATELIMIT_STORAGE_URI" in record.getMessage() for record in records)
    finally:
        logger.removeHandler(listener)
