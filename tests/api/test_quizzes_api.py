"""Quizzes through the API: written by coordinators, answered by anybody exactly once, within the
abuse limits, and counted in the awareness (知晓率) of their area."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from app.models import QuizResponse
from app.models.base import utcnow
from app.services import quizzes
from tests.factories import QUIZ_QUESTIONS, make_quiz, make_quiz_response

BODY = {
    "title": "居民反诈知识问答",
    "audience": "residents",
    "pass_mark": 0.6,
    "questions": [dict(q) for q in QUIZ_QUESTIONS],
}
RIGHT = [[1], [1], [1, 0]]


def sheet(quiz, answers=RIGHT, **extra):
    body = {"token": quiz.token, "client_id": str(uuid.uuid4()), "answers": answers}
    body.setdefault("elapsed_ms", 20_000)
    body.update(extra)
    return body


def test_a_coordinator_writes_a_quiz_and_gets_its_public_link(api, district):
    community = district.a.community
    response = api.post("/quizzes", district.a.coordinator, json={**BODY, "area_id": community.id})
    assert response.status_code == 201, response.json
    quiz = response.json
    assert quiz["public_url"] == f"http://gridreach.test/q/{quiz['token']}"
    assert len(quiz["token"]) >= 16 and quiz["questions"][2]["answer"] == [0, 1]
    again = api.get(f"/quizzes/{quiz['id']}", district.a.leader)
    assert again.status_code == 200 and again.json["token"] == quiz["token"]
    png = api.get(f"/quizzes/{quiz['id']}/qr.png", district.a.coordinator)
    assert png.status_code == 200 and png.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert api.get(f"/quizzes/{quiz['id']}", district.b.coordinator).status_code == 404


@pytest.mark.parametrize(
    "change, field",
    [
        ({"pass_mark": 1.5}, "pass_mark"),
        ({"audience": "everyone"}, "audience"),
        ({"questions": []}, "questions"),
        ({"questions": [{"text": "?", "choices": ["a", "b"], "answer": [2]}]}, "questions"),
        ({"questions": [{"text": "?", "choices": ["a"], "answer": [0]}]}, "questions"),
        ({"title": "\x00"}, "title"),
    ],
)
def test_a_bad_quiz_is_refused_naming_the_field(api, district, change, field):
    body = {**BODY, "area_id": district.a.community.id, **change}
    response = api.post("/quizzes", district.a.coordinator, json=body)
    assert response.status_code == 422 and field in response.json["errors"]["json"]


def test_outside_the_area_and_for_workers_a_quiz_is_refused(api, district):
    body = {**BODY, "area_id": district.b.community.id}
    assert api.post("/quizzes", district.a.coordinator, json=body).status_code == 403
    body = {**BODY, "area_id": district.a.community.id}
    assert api.post("/quizzes", district.a.worker, json=body).status_code == 403
    assert api.post("/quizzes", district.a.leader, json=body).status_code == 403


def test_anybody_answers_once_per_client_id_and_sees_the_right_answers(api, district):
    quiz = make_quiz(area=district.a.community)
    body = sheet(quiz, answers=[[1], [0], [0, 1]])
    first = api.post("/quiz-responses", json=body)
    assert first.status_code == 201, first.json
    assert first.json["score"] == pytest.approx(2 / 3, abs=1e-4) and first.json["passed"] is True
    assert first.json["correct"] == [[1], [1], [0, 1]]
    again = api.post("/quiz-responses", json=body)
    assert again.status_code == 200 and again.json["score"] == first.json["score"]
    assert quiz_rows(quiz) == 1


def quiz_rows(quiz) -> int:
    from app.extensions import db

    return db.session.query(QuizResponse).filter_by(quiz_id=quiz.id).count()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"answers": [[1], [1]]}, "answers"),
        ({"answers": [[1], [1], [9]]}, "answers"),
        ({"answers": "all"}, "answers"),
        ({"client_id": "again"}, "client_id"),
        ({"elapsed_ms": -5}, "elapsed_ms"),
        ({"elapsed_ms": 10**20}, "elapsed_ms"),
        ({"token": "x" * 200}, "token"),
    ],
)
def test_a_bad_sheet_is_refused_naming_the_field(api, district, change, field):
    quiz = make_quiz(area=district.a.community)
    response = api.post("/quiz-responses", json=sheet(quiz, **change))
    assert response.status_code == 422, response.json
    errors = response.json["errors"]
    assert field in errors.get("json", errors)


def test_a_closed_or_unknown_quiz_answers_404(api, district):
    quiz = make_quiz(area=district.a.community, active=False)
    assert api.post("/quiz-responses", json=sheet(quiz)).status_code == 404
    quiz.token = "nosuchtoken"
    assert api.post("/quiz-responses", json=sheet(quiz)).status_code == 404


def test_a_sheet_faster_than_two_seconds_a_question_is_stored_not_counted(api, district):
    quiz = make_quiz(area=district.a.community)
    fast = api.post("/quiz-responses", json=sheet(quiz, elapsed_ms=5_999))
    slow = api.post("/quiz-responses", json=sheet(quiz, elapsed_ms=6_000))
    assert (fast.status_code, fast.json["counted"]) == (201, False)
    assert (slow.status_code, slow.json["counted"]) == (201, True)
    assert quiz_rows(quiz) == 2
    figures = api.get(f"/awareness?area_id={district.a.community.id}", district.a.leader).json
    assert figures["responses"] == 1


def test_one_phone_may_send_a_few_sheets_a_day(api, district):
    quiz = make_quiz(area=district.a.community)
    device = str(uuid.uuid4())
    for _ in range(quizzes.DEVICE_ALLOWANCE):
        assert api.post("/quiz-responses", json=sheet(quiz, device_id=device)).status_code == 201
    refused = api.post("/quiz-responses", json=sheet(quiz, device_id=device))
    assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 86400
    other_phone = sheet(quiz, device_id=str(uuid.uuid4()))
    assert api.post("/quiz-responses", json=other_phone).status_code == 201
    assert quiz_rows(quiz) == quizzes.DEVICE_ALLOWANCE + 1


def test_one_address_has_the_quiz_allowance_which_a_coordinator_can_raise(api, district):
    quiz = make_quiz(area=district.a.community, address_allowance=3)
    for _ in range(3):
        assert api.post("/quiz-responses", json=sheet(quiz)).status_code == 201
    assert api.post("/quiz-responses", json=sheet(quiz)).status_code == 429
    other = {"REMOTE_ADDR": "10.9.8.7"}
    assert api.post("/quiz-responses", json=sheet(quiz), environ_base=other).status_code == 201

    raised = api.patch(
        f"/quizzes/{quiz.id}", district.a.coordinator, json={"address_allowance": 500}
    )
    assert raised.status_code == 200 and raised.json["address_allowance"] == 500
    assert api.post("/quiz-responses", json=sheet(quiz)).status_code == 201
    assert (
        api.patch(f"/quizzes/{quiz.id}", district.a.leader, json={"active": False}).status_code
        == 403
    )


def test_answers_older_than_a_day_no_longer_count_against_the_limit(api, district):
    quiz = make_quiz(area=district.a.community, address_allowance=1)
    key = quizzes.address_key("127.0.0.1")
    make_quiz_response(quiz=quiz, address_key=key, at=utcnow() - timedelta(hours=25))
    assert api.post("/quiz-responses", json=sheet(quiz)).status_code == 201
    assert api.post("/quiz-responses", json=sheet(quiz)).status_code == 429
