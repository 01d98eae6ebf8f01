"""The coordinators' quiz pages: write a quiz from the bank and as text, its poster, its allowance;
and the tips an area's codes show the public."""

from __future__ import annotations

from sqlalchemy import select

from app.content.quiz_bank import BANK
from app.extensions import db
from app.models import Quiz
from tests.factories import make_quiz, make_quiz_response

TEXT = "陌生来电要求转账到“安全账户”，应该？\nA. 马上转账\n*B. 挂断并拨打110核实\n\n哪些是诈骗？\n*刷单返利\n*杀猪盘\n正规购物"


def test_a_coordinator_writes_a_quiz_from_the_bank_and_as_text(client, login_as, district):
    login_as(district.a.coordinator)
    response = client.post(
        "/coordinate/quizzes",
        data={
            "title": "学生版反诈问答",
            "audience": "students",
            "area_id": str(district.a.community.id),
            "pass_percent": "80",
            "bank": ["0", "3"],
            "questions_text": TEXT,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    quiz = db.session.scalar(select(Quiz))
    assert (quiz.audience, quiz.pass_mark, len(quiz.questions)) == ("students", 0.8, 4)
    assert quiz.questions[0]["text"] == BANK[0]["text"]
    assert quiz.questions[2] == {
        "text": "陌生来电要求转账到“安全账户”，应该？",
        "choices": ["马上转账", "挂断并拨打110核实"],
        "answer": [1],
    }
    assert quiz.questions[3]["answer"] == [0, 1]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"/q/{quiz.token}" in page
    listing = client.get("/coordinate/quizzes").get_data(as_text=True)
    assert "学生版反诈问答" in listing


def test_a_quiz_without_a_right_choice_is_refused_on_its_field(client, login_as, district):
    login_as(district.a.coordinator)
    response = client.post(
        "/coordinate/quizzes?lang=en",
        data={
            "title": "t",
            "audience": "residents",
            "area_id": str(district.a.community.id),
            "pass_percent": "60",
            "questions_text": "Question?\nA\nB",
        },
    )
    assert response.status_code == 422
    assert 'data-field="questions_text"' in response.get_data(as_text=True)
    bad = client.post(
        "/coordinate/quizzes",
        data={"title": "t", "audience": "x", "area_id": "1", "pass_percent": "600"},
    )
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert 'data-field="audience"' in html and 'data-field="pass_percent"' in html
    assert db.session.scalar(select(Quiz)) is None


def test_another_streets_area_and_quiz_are_out_of_reach(client, login_as, district):
    login_as(district.a.coordinator)
    response = client.post(
        "/coordinate/quizzes",
        data={
            "title": "t",
            "audience": "residents",
            "area_id": str(district.b.community.id),
            "pass_percent": "60",
            "bank": ["1"],
        },
    )
    # The service's refusal keeps its own status, as on every page (the API answers 403 too).
    assert response.status_code == 403 and db.session.scalar(select(Quiz)) is None
    other = make_quiz(area=district.b.community)
    assert client.get(f"/coordinate/quizzes/{other.id}").status_code == 404
    assert client.get(f"/coordinate/quizzes/{other.id}/poster").status_code == 404


def test_the_allowance_is_raised_and_the_figures_shown(client, login_as, district):
    quiz = make_quiz(area=district.a.community)
    make_quiz_response(quiz=quiz, passed=True)
    make_quiz_response(quiz=quiz, passed=False)
    make_quiz_response(quiz=quiz, passed=True, counted=False)
    login_as(district.a.coordinator)
    html = client.get(f"/coordinate/quizzes/{quiz.id}").get_data(as_text=True)
    assert "50.0%" in html
    saved = client.post(f"/coordinate/quizzes/{quiz.id}", data={"address_allowance": "800"})
    assert saved.status_code == 302 and quiz.address_allowance == 800
    refused = client.post(f"/coordinate/quizzes/{quiz.id}", data={"address_allowance": "-1"})
    assert refused.status_code == 422 and quiz.address_allowance == 800


def test_the_poster_carries_the_quiz_code(client, login_as, district):
    quiz = make_quiz(area=district.a.community, token="posterquiztoken1")
    login_as(district.a.leader)
    html = client.get(f"/coordinate/quizzes/{quiz.id}/poster").get_data(as_text=True)
    assert "<svg" in html and "http://gridreach.test/q/posterquiztoken1" in html


def test_a_coordinator_chooses_the_tips_of_an_area(client, login_as, district):
    login_as(district.a.coordinator)
    community = district.a.community
    saved = client.post(
        f"/coordinate/areas/{community.id}/tips", data={"tips": ["loans", "shopping"]}
    )
    assert saved.status_code == 302 and community.public_tips == ["loans", "shopping"]
    bad = client.post(f"/coordinate/areas/{community.id}/tips", data={"tips": ["made_up"]})
    assert bad.status_code == 422 and community.public_tips == ["loans", "shopping"]
    cleared = client.post(f"/coordinate/areas/{community.id}/tips", data={})
    assert cleared.status_code == 302 and community.public_tips is None
    assert client.get(f"/coordinate/areas/{district.b.community.id}/tips").status_code == 404


def test_the_assessment_page_and_its_weights(client, login_as, district):
    login_as(district.a.leader)
    page = client.get("/dashboard/assessment?month=2026-03&level=community")
    assert page.status_code == 200 and district.a.community.name in page.get_data(as_text=True)
    assert district.b.community.name not in page.get_data(as_text=True)
    assert client.get("/dashboard/assessment?month=bad").status_code == 422
    assert client.get("/dashboard/assessment/weights").status_code == 403
    login_as(district.admin)
    saved = client.post("/dashboard/assessment/weights", data={"awareness_rate": "2.5"})
    assert saved.status_code == 302
    refused = client.post("/dashboard/assessment/weights", data={"site_coverage": "lots"})
    assert refused.status_code == 422 and 'data-field="site_coverage"' in refused.get_data(
        as_text=True
    )
    html = client.get("/dashboard/assessment?month=2026-03").get_data(as_text=True)
    assert "×2.5" in html
