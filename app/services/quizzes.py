"""Awareness quizzes: coordinators write them for an area; anybody answers them, exactly once per
client_id, within the abuse limits; a sheet answered too fast is stored but not counted."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.errors import Invalid, NotFound, TooManyAnswers
from app.extensions import db
from app.models import Area, Quiz, QuizResponse, User
from app.models.base import utcnow
from app.policy import require
from app.services.access import filter_by_scope, require_area_in_scope, visible_or_404
from app.services.audit import record_event

# Sheets one phone may send to one quiz in a day (a family may share a phone).
DEVICE_ALLOWANCE = 5
LIMIT_WINDOW = timedelta(days=1)
# Faster than this per question, nobody read the question: stored, not counted.
MIN_MS_PER_QUESTION = 2000
PAGE_FIELDS = ("title", "pass_mark", "address_allowance", "active")


def create_quiz(actor: User, data: dict[str, Any]) -> Quiz:
    """A new quiz for an area of the actor's, with a fresh public token."""
    require(actor, "create", "quiz")
    area = require_area_in_scope(actor, data["area_id"])
    quiz = Quiz(
        token=secrets.token_urlsafe(12),
        title=data["title"],
        audience=data["audience"],
        area_id=area.id,
        pass_mark=data["pass_mark"],
        questions=data["questions"],
        created_by_id=actor.id,
    )
    if data.get("address_allowance"):
        quiz.address_allowance = data["address_allowance"]
    db.session.add(quiz)
    db.session.flush()
    record_event(actor, "quiz.create", quiz, area_id=area.id, questions=len(quiz.questions))
    return quiz


def get_quiz(actor: User, quiz_id: int) -> Quiz:
    """One quiz of the actor's area (404 otherwise)."""
    quiz = db.session.get(Quiz, quiz_id)
    return visible_or_404(actor, quiz, quiz.area if quiz else None, "quiz")


def list_quizzes(actor: User, area_id: int | None = None):
    """A select() of the quizzes in the actor's area (or under `area_id`), newest first."""
    query = select(Quiz).join(Area, Area.id == Quiz.area_id).order_by(Quiz.id.desc())
    if area_id is not None:
        area = require_area_in_scope(actor, area_id)
        query = query.where(Area.path.startswith(area.path))
    return filter_by_scope(query, actor, Quiz.area_id)


def update_quiz(actor: User, quiz: Quiz, data: dict[str, Any]) -> Quiz:
    """Change a quiz's title, pass mark, allowance per address, or close it."""
    require(actor, "update", "quiz", quiz)
    changed = {k: v for k, v in data.items() if k in PAGE_FIELDS and getattr(quiz, k) != v}
    for key, value in changed.items():
        setattr(quiz, key, value)
    db.session.flush()
    if changed:
        record_event(actor, "quiz.update", quiz, **changed)
    return quiz


def public_quiz(token: str) -> Quiz:
    """The open quiz a public link names (404 for a closed or unknown one)."""
    quiz = db.session.scalar(select(Quiz).where(Quiz.token == token)) if token else None
    if quiz is None or not quiz.active:
        text = _l("This quiz is closed or the link is wrong.")
        raise NotFound(text, {"token": [text]})
    return quiz


def quiz_for_area(area: Area) -> Quiz | None:
    """The newest open quiz of an area or of one above it (the quiz a site's public page offers)."""
    above = [int(part) for part in area.path.strip("/").split("/")]
    return db.session.scalar(
        select(Quiz)
        .where(Quiz.area_id.in_(above), Quiz.active == True)
        .order_by(func.length(Area.path).desc(), Quiz.id.desc())
        .join(Area, Area.id == Quiz.area_id)
        .limit(1)
    )


def address_key(address: str) -> str:
    """A keyed hash of an address: enough to count a network's answers, useless to find it."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()[:32]


def score_sheet(quiz: Quiz, answers: list[list[int]]) -> float:
    """The share of questions whose chosen set is exactly the right set."""
    pairs = zip(quiz.questions, answers, strict=True)
    return sum(1 for q, chosen in pairs if sorted(set(chosen)) == q["answer"]) / len(quiz.questions)


def answer_quiz(data: dict[str, Any], address: str) -> tuple[QuizResponse, bool]:
    """Store a sheet (no login); the same client_id again gives back the first, (response, created)."""
    quiz = public_quiz(data["token"])
    client_id = str(data["client_id"])
    existing = _existing(quiz, client_id)
    if existing is not None:
        return existing, False
    if len(data["answers"]) != len(quiz.questions):
        text = _l("one list of chosen indexes per question, %(n)d in all", n=len(quiz.questions))
        raise Invalid(text, {"answers": [text]})
    device = str(data["device_id"]) if data.get("device_id") else None
    key = address_key(address)
    _within_limits(quiz, device, key)
    score = score_sheet(quiz, data["answers"])
    elapsed = data.get("elapsed_ms")
    response = QuizResponse(
        quiz_id=quiz.id,
        client_id=client_id,
        device_id=device,
        address_key=key,
        answers=data["answers"],
        score=round(score, 4),
        passed=score >= quiz.pass_mark,
        counted=elapsed is None or elapsed >= MIN_MS_PER_QUESTION * len(quiz.questions),
        elapsed_ms=elapsed,
    )
    try:
        with db.session.begin_nested():
            db.session.add(response)
    except IntegrityError:  # the same sheet sent twice at the same moment
        return _existing(quiz, client_id), False
    return response, True


def _existing(quiz: Quiz, client_id: str) -> QuizResponse | None:
    return db.session.scalar(
        select(QuizResponse).where(
            QuizResponse.quiz_id == quiz.id, QuizResponse.client_id == client_id
        )
    )


def _within_limits(quiz: Quiz, device: str | None, key: str) -> None:
    """429 when the phone or the address has sent its day's allowance to this quiz."""
    since = utcnow() - LIMIT_WINDOW
    checks = [("address", QuizResponse.address_key == key, quiz.address_allowance)]
    if device is not None:
        checks.insert(0, ("device_id", QuizResponse.device_id == device, DEVICE_ALLOWANCE))
    for name, same, allowance in checks:
        recent = select(QuizResponse.created_at).where(
            QuizResponse.quiz_id == quiz.id, same, QuizResponse.created_at >= since
        )
        count = db.session.scalar(select(func.count()).select_from(recent.subquery()))
        if count >= allowance:
            oldest = db.session.scalar(recent.order_by(QuizResponse.created_at).limit(1))
            raise TooManyAnswers(oldest + LIMIT_WINDOW, name)


def right_answers(quiz: Quiz) -> list[list[int]]:
    return [q["answer"] for q in quiz.questions]
