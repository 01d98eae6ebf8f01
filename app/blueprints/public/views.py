"""The public quiz page: one question at a time, the score and the right answers at the end."""

from __future__ import annotations

from flask import make_response, render_template

from app.blueprints import API_PREFIX
from app.blueprints.public import bp
from app.services import quizzes as quiz_service


@bp.get("/q/<token>")
def quiz_page(token: str):
    """A quiz anybody may answer: no login, no personal data; the page's script sends the sheet."""
    quiz = quiz_service.public_quiz(token)
    config = {
        "token": quiz.token,
        "api": API_PREFIX + "/quiz-responses",
        "count": len(quiz.questions),
    }
    html = render_template("public/quiz.html", quiz=quiz, config=config)
    response = make_response(html)
    response.headers["Cache-Control"] = "no-cache"
    return response
