"""Helpers for check-in tests: request bodies and positions near a site."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from app import geo, qr
from app.models import Site

METRE = 1 / 110_850  # degrees of latitude per metre near 30°N


def near(site: Site, metres: float = 20.0) -> tuple[float, float]:
    """A point about `metres` north of the site (a few cm off; fine away from boundaries)."""
    return site.lat + metres * METRE, site.lng


def body(site: Site, metres: float = 20.0, **overrides) -> dict:
    """A valid POST /checkins body for a fix `metres` from the site, captured just now."""
    lat, lng = near(site, metres)
    data = {
        "token": qr.site_token(site),
        "lat": lat,
        "lng": lng,
        "accuracy_m": 15.0,
        "client_id": str(uuid.uuid4()),
        "captured_at": datetime.now(UTC).isoformat(),
    }
    data.update(overrides)
    return data


def ago(**delta) -> str:
    return (datetime.now(UTC) - timedelta(**delta)).isoformat()


def distance(site: Site, lat: float, lng: float) -> float:
    return geo.distance_m(site.lat, site.lng, lat, lng)
