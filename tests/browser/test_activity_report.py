"""The structured activity report on a phone: a lecture reported with when, where (a site, or a
free address), audience and materials; a wrong field is named on the page; the page fits the
phone's width."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.task import TaskReport
from tests.factories import PASSWORD, build_district, make_task

phone = pytest.importorskip(
    "tests.browser.phone", reason="needs the shared browser fixtures of tests/browser"
)
pytestmark = phone.BROWSER


def _reports() -> list[TaskReport]:
    db.session.rollback()
    return list(db.session.scalars(select(TaskReport).order_by(TaskReport.id)))


def test_report_a_lecture_at_a_site_then_at_an_address(live_server, phone_factory):
    district = build_district()
    worker, grid = district.a.worker, district.a.grids[0]
    school = district.a.sites[0]
    task = make_task(
        area=grid, kind="lecture", assignees=[worker], title="进校园反诈宣讲", target_count=10
    )
    db.session.commit()
    problems = []
    page = phone_factory(allow_location=False).new_page()
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"/login?next=/worker/tasks/{task.id}")
    page.fill("input[name=username]", worker.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**/worker/tasks/{task.id}")
    page.wait_for_selector("input[name=count]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    held = (datetime.now(ZoneInfo("Asia/Shanghai")) - timedelta(days=1)).replace(
        hour=9, minute=30, second=0, microsecond=0
    )
    page.fill("input[name=count]", "2")
    page.fill("input[name=held_at]", held.strftime("%Y-%m-%dT%H:%M"))
    page.select_option("select[name=site_id]", str(school.id))
    page.fill("input[name=audience]", "-5")  # wrong: named on its field, nothing stored
    page.fill("input[name=materials]", "120")
    page.fill("textarea[name=note]", "三年级两个班")
    page.tap("main form[novalidate] button[type=submit]")
    page.wait_for_selector(".errors")
    assert _reports() == []
    page.fill("input[name=audience]", "86")
    page.tap("main form[novalidate] button[type=submit]")
    page.wait_for_selector(".flash.ok")
    (report,) = _reports()
    assert (report.count, report.site_id, report.audience, report.materials) == (
        2,
        school.id,
        86,
        120,
    )
    assert report.note == "三年级两个班" and report.user_id == worker.id
    assert report.held_at == held.astimezone(report.held_at.tzinfo)

    page.fill("input[name=count]", "1")
    page.select_option("select[name=site_id]", "")
    page.fill("input[name=address]", "庄桥街道文化家园广场")
    page.fill("input[name=audience]", "40")
    page.tap("main form[novalidate] button[type=submit]")
    page.wait_for_selector(".flash.ok")
    second = _reports()[-1]
    assert second.site_id is None and second.address == "庄桥街道文化家园广场"
    assert second.audience == 40
    assert "进校园反诈宣讲" in page.inner_text("h1")
    assert problems == []
