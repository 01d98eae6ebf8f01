"""Shared bits of the browser tests: how Chromium is started, the phone it plays, and small helpers."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import CheckIn
from tests.factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
}

BROWSER = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason=f"needs Debian's chromium at {CHROMIUM}"
    ),
]


def log_in(page, user) -> None:
    """From the public page a scanned code opens (through its staff link) or the login page the
    app redirected to: log in, and wait to land back on the site page."""
    page.wait_for_selector("input[name=username], #staff-login")
    if page.query_selector("#staff-login") is not None:
        page.tap("#staff-login")
        page.wait_for_selector("input[name=username]")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#checkin-btn")
    script_ready(page, "checkin")


def script_ready(page, name: str) -> None:
    """Wait until the page's script has bound its handlers (a tap before that is lost)."""
    page.wait_for_selector(f'html[data-ready="{name}"]', state="attached")


def result(page, state: str):
    """Wait until the result box is in `state` (accepted, queued, sent, error, ...); return it."""
    try:
        return page.wait_for_selector(f'#checkin-result[data-state="{state}"]')
    except Exception as error:
        shown = page.evaluate(
            "() => { const b = document.querySelector('#checkin-result');"
            " return b ? [b.dataset.state, b.innerText] : null; }"
        )
        raise AssertionError(f"waited for {state!r}; the page shows {shown}") from error


def waiting(page, count: int) -> None:
    """Wait until the page says `count` check-ins wait on the phone."""
    page.wait_for_selector(f'#outbox-count[data-count="{count}"]', state="attached")


def checkins(user=None) -> list[CheckIn]:
    """Check-ins in the database as another connection sees them now."""
    db.session.rollback()
    query = select(CheckIn).order_by(CheckIn.id)
    if user is not None:
        query = query.where(CheckIn.user_id == user.id)
    return list(db.session.scalars(query))


def checkin_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(CheckIn.id)))
