"""A resident scans a site's poster without an account: the public page, then the area's quiz,
answered one tap per question at phone size in zh-CN; the sheet counts in the community's 知晓率."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app import qr
from app.extensions import db
from app.models import QuizResponse
from app.services import awareness
from app.services.coverage import make_period
from tests.browser.phone import BROWSER, script_ready
from tests.factories import make_quiz

pytestmark = BROWSER

BUDGET = 100_000
SECONDS_PER_QUESTION = 2.2  # a person reading; faster sheets are stored but not counted


@pytest.fixture
def world(live_server, district):
    quiz = make_quiz(area=district.a.community, token="streetquiz-0001")
    db.session.commit()
    site = district.a.sites[0]
    return {"quiz": quiz, "path": f"/c/{qr.site_token(site)}", "district": district}


def responses() -> list[QuizResponse]:
    db.session.rollback()
    return list(db.session.scalars(select(QuizResponse).order_by(QuizResponse.id)))


def answer(page, question: int, choices: list[int], wait_ms: int) -> None:
    page.wait_for_selector(f"#q{question}.current")
    page.wait_for_timeout(wait_ms)
    for choice in choices:
        page.tap(f"#q{question} input[value='{choice}']")
    if page.get_attribute(f"#q{question}", "data-multi") == "1":
        page.tap(f"#q{question} .next")


def test_a_resident_scans_a_poster_takes_the_quiz_and_it_counts(phone_factory, world, live_server):
    phone = phone_factory()
    sizes = []
    phone.on("requestfinished", lambda r: sizes.append((r.url, r.sizes()["responseBodySize"])))
    page = phone.new_page()
    page.goto(world["path"])
    text = page.inner_text("main")
    assert "96110" in text and "国家反诈中心" in text and "工作人员登录" in text
    assert world["district"].a.sites[0].name not in text
    page.tap("#take-quiz")
    script_ready(page, "quiz")
    assert page.url.endswith("/q/streetquiz-0001")
    assert page.locator(".question.current").count() == 1  # one question at a time

    wait = int(SECONDS_PER_QUESTION * 1000)
    answer(page, 0, [1], wait)  # right
    answer(page, 1, [0], wait)  # wrong
    answer(page, 2, [0, 1], wait)  # right (multiple choice)
    page.wait_for_selector("html[data-state=passed]")
    assert "3 题中的 2 题" in page.inner_text("#score")
    assert "✗ 正确答案： 不可以" in page.inner_text("#review")

    [row] = responses()
    assert (row.counted, row.passed, row.answers) == (True, True, [[1], [0], [0, 1]])
    assert row.elapsed_ms >= 3 * 2000 and row.device_id
    quiz_page = sum(
        size for url, size in sizes if "/q/" in url or "quiz.js" in url or ".css" in url
    )
    assert quiz_page < BUDGET
    figures = awareness.compute(world["district"].a.street, make_period(None, None))
    [community] = figures["children"]
    assert (community["responses"], community["passed"]) == (1, 1)


def test_a_sheet_tapped_through_too_fast_is_stored_but_not_counted(phone_factory, world):
    page = phone_factory().new_page()
    page.goto("/q/streetquiz-0001")
    script_ready(page, "quiz")
    answer(page, 0, [0], 0)
    answer(page, 1, [0], 0)
    answer(page, 2, [2], 0)
    page.wait_for_selector("html[data-state=failed]")
    [row] = responses()
    assert row.counted is False and row.passed is False


def test_a_lost_connection_keeps_the_sheet_and_sending_again_counts_it_once(phone_factory, world):
    phone = phone_factory()
    page = phone.new_page()
    page.goto("/q/streetquiz-0001")
    script_ready(page, "quiz")
    phone.route("**/api/v1/quiz-responses", lambda route: route.abort())
    for question, choices in ((0, [1]), (1, [1])):
        answer(page, question, choices, 0)
    answer(page, 2, [0, 1], 0)
    page.wait_for_selector("#retry:not([hidden])")
    phone.unroute("**/api/v1/quiz-responses")
    page.tap("#retry")
    page.wait_for_selector("html[data-state=passed]")
    page.evaluate("""() => fetch('/api/v1/quiz-responses', {method: 'POST',
        headers: {'Content-Type': 'application/json'}, body: '{}'})""")
    assert len(responses()) == 1
