"""A sheet sent twice at the same moment (a double tap, a retry) is stored once."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from app.extensions import db
from app.models import QuizResponse
from app.services import quizzes
from tests.factories import make_quiz

pytestmark = pytest.mark.slow


def _post_from_threads(app, data: dict, count: int):
    def send(_):
        with app.test_client() as client:
            response = client.post("/api/v1/quiz-responses", json=data)
            return response.status_code, response.get_json()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(send, range(count)))


def _rows() -> int:
    db.session.remove()
    return db.session.scalar(db.select(db.func.count()).select_from(QuizResponse))


def _sheet(quiz) -> dict:
    return {
        "token": quiz.token,
        "client_id": str(uuid.uuid4()),
        "answers": [[1], [1], [0, 1]],
        "elapsed_ms": 20_000,
    }


def test_both_miss_the_lookup_then_the_unique_constraint_decides(
    app, committing, district, monkeypatch
):
    quiz = make_quiz(area=district.a.community)
    db.session.commit()
    data = _sheet(quiz)
    barrier, seen = threading.Barrier(2, timeout=20), threading.local()
    real = quizzes._existing

    def lookup_after_both_arrived(found_quiz, client_id):
        if not getattr(seen, "first", False):
            seen.first = True
            barrier.wait()  # both have found nothing: now they race to insert
            return None
        return real(found_quiz, client_id)

    monkeypatch.setattr(quizzes, "_existing", lookup_after_both_arrived)
    results = _post_from_threads(app, data, 2)
    assert sorted(status for status, _ in results) == [200, 201], results
    assert results[0][1]["score"] == results[1][1]["score"] == 1.0
    assert _rows() == 1


def test_many_identical_sends_store_one_row(app, committing, district):
    quiz = make_quiz(area=district.a.community)
    db.session.commit()
    results = _post_from_threads(app, _sheet(quiz), 8)
    assert [status for status, _ in results].count(201) == 1, results
    assert {status for status, _ in results} <= {200, 201}
    assert _rows() == 1
