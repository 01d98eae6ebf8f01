"""Security headers on every answer (pages, JSON, images, static files, errors).

The Content-Security-Policy allows no inline script or style: templates keep their code in
static/ and pass data through data-* attributes or <script type="application/json"> blocks,
which the browser never executes.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from flask import Flask, Response, current_app

PERMISSIONS_POLICY = "geolocation=(self), camera=(self), microphone=(), payment=()"


def tile_source(url_template: str) -> str | None:
    """The CSP source that lets map tiles from a URL template load, or None when there are none.

    Tile templates name servers such as `t{s}.tianditu.gov.cn` or `webrd0{s}.is.autonavi.com`:
    the templated label becomes a wildcard (`*.tianditu.gov.cn`), the only form CSP allows."""
    if not url_template:
        return None
    parts = urlsplit(url_template.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    labels = parts.netloc.rsplit("@", 1)[-1].split(".")
    if any("{" in label for label in labels[1:]):
        return None  # a template in the domain itself: too broad to allow
    if "{" in labels[0]:
        labels[0] = "*"
    return f"{parts.scheme}://{'.'.join(labels)}"


@lru_cache(maxsize=8)
def content_security_policy(tile_url: str) -> str:
    """The policy for the configured tile server (images only come from it, ourselves, data: and blob:)."""
    img = ["'self'", "data:", "blob:"]
    tiles = tile_source(tile_url)
    if tiles:
        img.append(tiles)
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": " ".join(img),
        "connect-src": "'self'",
        # The check-in pages' service worker (/sw.js) is ours.
        "worker-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


@lru_cache(maxsize=8)
def security_headers(tile_url: str, hsts_max_age: int) -> tuple[tuple[str, str, str], ...]:
    """(lowercase name, name, value) of every header an answer gets unless it set its own."""
    headers = [
        ("Content-Security-Policy", content_security_policy(tile_url)),
        ("X-Content-Type-Options", "nosniff"),
        # Check-in links carry the site's QR token in their path: never send it to another site.
        ("Referrer-Policy", "same-origin"),
        ("Permissions-Policy", PERMISSIONS_POLICY),
    ]
    if hsts_max_age:
        headers.append(("Strict-Transport-Security", f"max-age={hsts_max_age}"))
    return tuple((name.lower(), name, value) for name, value in headers)


def add_security_headers(response: Response) -> Response:
    """Set the headers unless the view chose its own (one pass over the answer's headers)."""
    config = current_app.config
    headers = response.headers
    present = {name.lower() for name, _value in headers.items()}
    for lower, name, value in security_headers(
        config.get("MAP_TILE_URL") or "", int(config.get("HSTS_MAX_AGE") or 0)
    ):
        if lower not in present:
            headers.add(name, value)
    return response


def register_security_headers(app: Flask) -> None:
    app.after_request(add_security_headers)
