"""Every answer carries the security headers: pages, JSON, images, static files, errors."""

from __future__ import annotations

import pytest

from app import create_app
from app.security_headers import tile_source
from config import ProductionConfig, TestingConfig

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
    "worker-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def assert_secured(response) -> None:
    headers = response.headers
    assert headers["Content-Security-Policy"] == CSP, response.request.path
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert (
        headers["Permissions-Policy"]
        == "geolocation=(self), camera=(self), microphone=(), payment=()"
    )
    assert "Strict-Transport-Security" not in headers  # only in production


def test_pages_json_images_static_files_and_errors_carry_the_headers(
    client, api, district, login_as
):
    site = district.a.sites[0]
    answers = {
        "login page": client.get("/login"),
        "redirect": client.get("/"),
        "health JSON": client.get("/healthz"),
        "API JSON": api.get("/me", user=district.a.coordinator),
        "API error JSON": api.get("/me"),
        "QR image": api.get(f"/sites/{site.id}/qr.png", user=district.a.coordinator),
        "QR SVG": api.get(f"/sites/{site.id}/qr.svg", user=district.a.coordinator),
        "stylesheet": client.get("/static/css/app.css"),
        "script": client.get("/static/js/checkin.js"),
        "service worker": client.get("/sw.js"),
        "missing static file": client.get("/static/nothing.js"),
        "missing page": client.get("/no/such/page"),
    }
    login_as(district.a.coordinator)
    answers["coordinator page"] = client.get("/coordinate/sites")
    answers["poster"] = client.get(f"/coordinate/sites/{site.id}/poster")
    statuses = {name: response.status_code for name, response in answers.items()}
    assert statuses == {
        "login page": 200,
        "redirect": 302,
        "health JSON": 200,
        "API JSON": 200,
        "API error JSON": 401,
        "QR image": 200,
        "QR SVG": 200,
        "stylesheet": 200,
        "script": 200,
        "service worker": 200,
        "missing static file": 404,
        "missing page": 404,
        "coordinator page": 200,
        "poster": 200,
    }
    assert answers["QR image"].mimetype == "image/png"
    for response in answers.values():
        assert_secured(response)
        response.close()


def test_the_configured_tile_server_may_serve_map_images(app, client, monkeypatch):
    monkeypatch.setitem(
        app.config,
        "MAP_TILE_URL",
        "https://t{s}.tianditu.gov.cn/vec_w/wmts?tk=KEY&TILECOL={x}&TILEROW={y}&TILEMATRIX={z}",
    )
    policy = client.get("/login").headers["Content-Security-Policy"]
    assert "img-src 'self' data: blob: https://*.tianditu.gov.cn;" in policy
    assert "connect-src 'self';" in policy


@pytest.mark.parametrize(
    ("template", "source"),
    [
        (
            "https://webrd0{s}.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}",
            "https://*.is.autonavi.com",
        ),
        ("http://tiles.example.cn:8080/{z}/{x}/{y}.png", "http://tiles.example.cn:8080"),
        # CSP allows a wildcard only as the leftmost label
        ("https://tiles.{s}.example.cn/{z}/{x}/{y}.png", None),
        ("javascript:alert(1)//{z}", None),
        ("", None),
    ],
)
def test_tile_sources(template, source):
    assert tile_source(template) == source


def test_production_adds_strict_transport_security():
    class Production(ProductionConfig):
        SECRET_KEY = "a-real-secret-for-this-test"
        SQLALCHEMY_DATABASE_URI = TestingConfig.SQLALCHEMY_DATABASE_URI
        HSTS_MAX_AGE = 31536000

    response = create_app(Production).test_client().get("/healthz")
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
