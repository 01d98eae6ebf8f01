"""A quiz answer counts in its community's 知晓率 in the API, on the dashboard and in the daily
report, always beside the number of answers; the app install rate has its real denominator."""

from __future__ import annotations

import re
import uuid

from app.services.localtime import today
from tests.factories import make_household, make_quiz, make_quiz_response, make_visit


def _answer(api, quiz, answers):
    body = {
        "token": quiz.token,
        "client_id": str(uuid.uuid4()),
        "answers": answers,
        "elapsed_ms": 30_000,
    }
    assert api.post("/quiz-responses", json=body).status_code == 201


def test_an_answer_counts_in_the_api_the_dashboard_and_the_daily_report(
    api, client, login_as, district
):
    a = district.a
    quiz = make_quiz(area=a.community)
    _answer(api, quiz, [[1], [1], [0, 1]])  # passes
    _answer(api, quiz, [[0], [0], [2]])  # fails
    make_quiz_response(quiz=quiz, passed=True, counted=False)  # too fast: not counted

    figures = api.get(f"/awareness?area_id={a.street.id}", a.leader).json
    assert figures["children"][0]["area_id"] == a.community.id
    assert (figures["children"][0]["responses"], figures["children"][0]["passed"]) == (2, 1)

    login_as(a.leader)
    html = client.get(f"/dashboard/?area_id={a.street.id}").get_data(as_text=True)
    rate = re.search(r'data-figure="awareness_rate">([^<]+)<', html).group(1)
    count = re.search(r'data-figure="awareness_responses">([^<]+)<', html).group(1)
    assert rate == "50.0%" and "2" in count
    assert 'data-awareness_rate="0.5"' in html  # the community's row in the ranking

    day = today().isoformat()
    report = api.get(f"/reports/daily?date={day}", a.leader).json
    assert report["totals"]["awareness_responses_month"] == 2
    assert report["totals"]["awareness_rate_month"] == 0.5
    text = api.get(f"/reports/daily?date={day}&format=text", a.leader).get_data(as_text=True)
    assert "反诈知晓率 50.0%（答卷 2 份）" in text


def test_the_dashboard_shows_the_install_rate_and_coverage_by_group(client, login_as, district):
    a = district.a
    grid = a.grids[0]
    elderly = make_household(area=grid, label="1-101", tags=["elderly"])
    floating = make_household(area=grid, label="1-102", tags=["floating"])
    make_household(area=grid, label="1-103", tags=["elderly"])
    make_visit(user=a.worker, household=elderly, app_installed=True)
    make_visit(user=a.worker, household=floating)
    login_as(a.leader)
    html = client.get(f"/dashboard/?area_id={a.street.id}&lang=en").get_data(as_text=True)
    assert re.search(r'data-figure="install_rate">50.0%<', html)
    assert "1 of 2 households reached" in html
    row = re.search(r'<tr data-tag="elderly">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r"<td>([^<]*)</td>", row)[1:] == ["2", "1", "50.0%", "1", "100.0%"]
