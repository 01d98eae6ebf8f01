"""A risk warning on a real phone: at the top of the home page with the time left, one tap for the
outcome with the GPS fix attached, and the stop-loss steps when the person was already defrauded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import RiskWarning
from app.models.base import utcnow
from app.services.warnings import handling
from tests.browser.phone import BROWSER
from tests.factories import PASSWORD, make_task

pytestmark = BROWSER

HERE = (29.9012, 121.5507)


@pytest.fixture
def world(live_server, district):
    a = district.a
    make_task(
        area=a.grids[0],
        kind="lecture",
        target_count=2,
        assignees=[a.worker],
        title="社区讲座",
        due_at=utcnow() + timedelta(days=2),
    )
    warning = handling.create_warning(
        a.police,
        {
            "level": "high",
            "area_id": a.grids[0].id,
            "subject_label": "王某（72岁）",
            "phone": "13800131234",
        },
    )
    db.session.commit()
    return {"worker": a.worker, "warning_id": warning.id}


def stored(warning_id: int) -> RiskWarning:
    db.session.rollback()
    return db.session.scalar(select(RiskWarning).where(RiskWarning.id == warning_id))


def test_the_warning_leads_the_home_page_and_one_tap_records_the_outcome(phone_factory, world):
    page = phone_factory(position=HERE).new_page()
    page.goto("/")
    page.fill("input[name=username]", world["worker"].username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#my-warnings")
    first_link = page.locator("main a.item").first
    assert "王某" in first_link.inner_text()
    assert 0 < int(first_link.locator(".left").get_attribute("data-seconds")) <= 2 * 3600
    assert "138****1234" not in page.content() and "13800131234" not in page.content()
    first_link.tap()
    page.wait_for_selector("#outcome")
    assert "138****1234" in page.inner_text("#phone")
    page.wait_for_function("() => document.getElementById('lat').value !== ''")
    page.tap('button[name=result][value="already_defrauded"]')
    page.wait_for_selector("#stop-loss")
    assert "96110" in page.inner_text("#stop-loss")
    warning = stored(world["warning_id"])
    assert (warning.status, warning.result, warning.handled_by_id) == (
        "handled",
        "already_defrauded",
        world["worker"].id,
    )
    assert warning.handled_lat == pytest.approx(HERE[0]) and warning.handled_lng == pytest.approx(
        HERE[1]
    )


def test_without_location_the_outcome_is_still_recorded(phone_factory, world):
    page = phone_factory(allow_location=False).new_page()
    page.goto(f"/worker/warnings/{world['warning_id']}")
    page.fill("input[name=username]", world["worker"].username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#outcome")
    page.tap('button[name=result][value="dissuaded"]')
    page.wait_for_selector("#warning-facts")
    warning = stored(world["warning_id"])
    assert (warning.result, warning.handled_lat) == ("dissuaded", None)
