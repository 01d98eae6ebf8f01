"""The people list for assignment in a real Chromium, at phone and desktop sizes: the filters
narrow the list, the pager pages it, and "assign all shown" puts everyone matched (not only the
page) onto the task the campaign page sent us with."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.task import task_assignees
from tests.browser.conftest import DESKTOP
from tests.browser.phone import BROWSER, PHONE
from tests.factories import build_district, make_checkin, make_task, make_user

pytestmark = BROWSER


@pytest.fixture
def crowd(live_server):
    district = build_district()
    a = district.a
    riders = [
        make_user(area=a.community, force="rider", display_name=f"骑手{i:03d}", phone=f"139{i:08d}")
        for i in range(55)
    ]
    for i in range(5):
        make_user(area=a.community, force="militia", display_name=f"民兵{i}")
    make_user(area=district.b.community, force="rider", display_name="乙街道骑手")
    make_checkin(user=riders[7], site=a.sites[0])
    task = make_task(area=a.grids[0], kind="rider_drop", title="送单宣传")
    db.session.commit()
    return district, riders, task


def shown(page) -> list[str]:
    return page.eval_on_selector_all(
        "#people tbody tr[data-user-id]", "rows => rows.map(r => r.dataset.userId)"
    )


def assigned(task_id: int) -> set[int]:
    db.session.rollback()
    rows = db.session.execute(
        select(task_assignees.c.user_id).where(task_assignees.c.task_id == task_id)
    )
    return {user_id for (user_id,) in rows}


@pytest.mark.parametrize("device", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_filter_page_and_assign_all_shown(browse, crowd, device):
    district, riders, task = crowd
    open_page, problems = browse
    page = open_page(district.a.coordinator, f"/coordinate/assign?task_id={task.id}", device)
    assert (
        page.locator(".pager").get_attribute("data-total") == "62"
    )  # every field worker of street a
    assert "乙街道骑手" not in page.content()
    page.select_option("#f-force", "rider")
    page.click("#people-filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator(".pager").get_attribute("data-total") == "55"
    assert len(shown(page)) == 50 and "task_id=" in page.url
    page.click(".pager a[rel=next]")
    page.wait_for_load_state("networkidle")
    assert len(shown(page)) == 5
    # The search: 4+ digits match the phone, which is shown masked.
    page.fill("#f-q", "00000007")
    page.click("#people-filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert shown(page) == [str(riders[7].id)]
    assert "139****0007" in page.inner_text("#people") and "13900000007" not in page.content()
    page.fill("#f-q", "")
    page.select_option("#f-active", "0")
    page.click("#people-filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator(".pager").get_attribute("data-total") == "54"
    # Nothing overflows the screen sideways: the table scrolls inside its card.
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= device["viewport"]["width"] + 1
    assert page.locator("#task_id").input_value() == str(task.id)
    page.click("#assign-all button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "共 54 人：新分配 54 项" in page.inner_text(".flash.ok")
    assert assigned(task.id) == {r.id for r in riders if r is not riders[7]}
    # Again: nothing changes, and the page says they were already there.
    page.click("#assign-all button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "54 人已在其中" in page.inner_text("body")
    assert len(assigned(task.id)) == 54
    assert problems == []
