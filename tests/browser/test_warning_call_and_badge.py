"""On a real phone: the grid worker taps 拨打 on a warning, the number is revealed (audited) and the
call button dials it; the notification badge counts what is unread and empties as it is read."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent
from app.services.warnings import handling
from tests.browser.phone import BROWSER
from tests.factories import PASSWORD

pytestmark = BROWSER


def _login(page, user):
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def _reveals() -> int:
    db.session.rollback()
    return db.session.scalar(
        select(func.count()).where(AuditEvent.action == "warning.reveal_phone")
    )


def test_the_worker_reveals_and_calls_and_the_badge_follows_what_is_read(
    live_server, district, phone_factory
):
    a = district.a
    warning = handling.create_warning(
        a.police,
        {
            "level": "high",
            "area_id": a.grids[0].id,
            "subject_label": "王某",
            "phone": "13800131234",
        },
    )
    db.session.commit()
    warning_id, worker = warning.id, a.worker
    page = phone_factory().new_page()
    page.goto("/")
    _login(page, worker)
    page.wait_for_selector("#unread-count")
    assert page.inner_text("#unread-count") == "1"  # the new warning
    page.tap("#notifications-link")
    page.wait_for_selector("#notifications-list")
    assert "王某" in page.inner_text("#notifications-list")
    assert "13800131234" not in page.content() and "138****1234" not in page.content()
    page.tap("#notifications-list button.item")  # opens the warning, marks it read
    page.wait_for_selector("#reveal")
    assert page.url.endswith(f"/worker/warnings/{warning_id}")
    assert page.locator("#unread-count").count() == 0
    assert "138****1234" in page.inner_text("#phone") and page.locator("#call").count() == 0
    before = _reveals()
    page.tap("#reveal button")
    page.wait_for_selector("#call")
    assert page.inner_text("#phone") == "13800131234"
    assert page.get_attribute("#call", "href") == "tel:13800131234"
    assert _reveals() == before + 1
