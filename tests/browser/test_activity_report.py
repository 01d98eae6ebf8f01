"""The structured activity report on a phone: a lecture reported with when, where (a site, or a
free address), audience and materials; a wrong field is named on the page; the page fits the
phone's width. The report goes through the phone's outbox: made without signal it is kept on the
phone and stored exactly once when the signal is back."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models.task import TaskReport
from tests.browser.phone import script_ready
from tests.factories import PASSWORD, build_district, make_task

phone = pytest.importorskip(
    "tests.browser.phone", reason="needs the shared browser fixtures of tests/browser"
)
pytestmark = phone.BROWSER


def _reports() -> list[TaskReport]:
    db.session.rollback()
    return list(db.session.scalars(select(TaskReport).order_by(TaskReport.id)))


def _open_task_page(phone, worker, task, problems):
    page = phone.new_page()
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"/login?next=/worker/tasks/{task.id}")
    page.fill("input[name=username]", worker.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**/worker/tasks/{task.id}")
    page.wait_for_selector("input[name=count]")
    script_ready(page, "report")
    return page


def _result(page, state: str):
    """Wait until the report's result line is in `state` (sent, queued, refused); return its text."""
    try:
        return page.wait_for_selector(f'#report-result[data-state="{state}"]').inner_text()
    except Exception as error:
        shown = page.evaluate("() => document.querySelector('#report-result').outerHTML")
        raise AssertionError(f"waited for {state!r}; the page shows {shown}") from error


def _submit(page) -> None:
    page.tap("main form[novalidate] button[type=submit]")


def _lecture(grid, worker):
    task = make_task(
        area=grid, kind="lecture", assignees=[worker], title="进校园反诈宣讲", target_count=10
    )
    db.session.commit()
    return task


def test_report_a_lecture_at_a_site_then_at_an_address(live_server, phone_factory):
    district = build_district()
    worker, grid = district.a.worker, district.a.grids[0]
    school = district.a.sites[0]
    task = _lecture(grid, worker)
    problems = []
    page = _open_task_page(phone_factory(allow_location=False), worker, task, problems)
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
    _submit(page)
    assert _result(page, "refused").startswith("未上报")
    error = page.wait_for_selector('.errors[data-field="audience"]')
    assert error.is_visible() and re.search("[\u4e00-\u9fff]", error.inner_text())  # in Chinese
    assert _reports() == []
    page.fill("input[name=audience]", "86")
    _submit(page)
    assert _result(page, "sent") == "已上报，谢谢！"
    assert page.query_selector(".errors") is None
    assert page.input_value("input[name=count]") == ""  # ready for the next one
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
    _submit(page)
    page.locator("#progress .muted", has_text="3 / 10").wait_for()
    first, second = _reports()
    assert first.client_id != second.client_id
    assert second.site_id is None and second.address == "庄桥街道文化家园广场"
    assert second.audience == 40
    assert "进校园反诈宣讲" in page.inner_text("h1")
    assert problems == []


def test_a_report_made_offline_is_kept_then_stored_exactly_once(live_server, phone_factory):
    district = build_district()
    worker, grid = district.a.worker, district.a.grids[0]
    task = _lecture(grid, worker)
    problems = []
    phone = phone_factory(allow_location=False)
    page = _open_task_page(phone, worker, task, problems)
    held = (datetime.now(ZoneInfo("Asia/Shanghai")) - timedelta(hours=3)).replace(
        second=0, microsecond=0
    )

    phone.set_offline(True)
    page.fill("input[name=count]", "1")
    page.fill("input[name=held_at]", held.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=address]", "庄桥街道文化家园广场")
    page.fill("input[name=audience]", "35")
    _submit(page)
    assert _result(page, "queued") == "已保存在手机上，有信号时自动上报"
    assert _reports() == []
    [kept] = page.evaluate("Outbox.items()")
    assert kept["body"]["count"] == 1 and kept["body"]["audience"] == 35
    assert kept["body"]["held_at"].endswith("+08:00")

    phone.set_offline(False)  # the outbox sends it by itself on `online`
    _result(page, "sent")
    page.evaluate("Outbox.flush()")  # a manual 同步 afterwards changes nothing
    again = page.evaluate(
        "([url, body]) => Outbox.send(url, body).then(r => [r.state, r.status])",
        [kept["url"], kept["body"]],
    )
    assert again == ["sent", 200]  # the same client_id again: nothing more stored
    (report,) = _reports()
    assert report.client_id == kept["body"]["client_id"]
    assert (report.count, report.audience, report.address) == (1, 35, "庄桥街道文化家园广场")
    assert report.held_at == held.astimezone(report.held_at.tzinfo)
    assert problems == []


def test_a_lost_answer_is_resent_and_never_duplicates(live_server, phone_factory):
    district = build_district()
    worker, grid = district.a.worker, district.a.grids[0]
    task = _lecture(grid, worker)
    page = _open_task_page(phone_factory(allow_location=False), worker, task, [])
    url = f"**/api/v1/tasks/{task.id}/report"

    def deliver_then_drop(route):
        route.fetch()  # the server stores it ...
        route.abort()  # ... but the answer never reaches the phone

    page.route(url, deliver_then_drop)
    page.fill("input[name=count]", "2")
    _submit(page)
    _result(page, "queued")
    assert len(_reports()) == 1
    page.unroute(url)
    page.evaluate("Outbox.flush()")
    _result(page, "sent")
    assert len(_reports()) == 1
