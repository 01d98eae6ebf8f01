"""Awareness (知晓率): the share of counted quiz answers that passed, for an area and period.

A response belongs to the area its quiz is tied to; an area's figure counts the responses of
every quiz in its subtree, and rolls up street → community → grid like coverage (a quiz tied to a
street counts for the street, not for any of its communities). Sheets answered too fast to be
read (`counted` false) are left out. The number of responses stands beside every rate: a rate of
three answers is not a rate."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Integer, and_, case, func, literal, select

from app.extensions import db
from app.models import Area, Quiz, QuizResponse, User
from app.policy import require
from app.services.access import require_area_in_scope, scope_area, subtree_clause
from app.services.coverage import Period, bucket_of, children_of, make_period, rate


def for_area(actor: User, area_id: int | None, first: date | None, last: date | None) -> dict:
    """Awareness of an area the actor may read (their scope by default), with its children."""
    require(actor, "read", "awareness")
    area = scope_area(actor) if area_id is None else require_area_in_scope(actor, area_id)
    return compute(area, make_period(first, last))


def entry(area: Area | None, responses: int = 0, passed: int = 0) -> dict[str, Any]:
    return {
        "area_id": area.id if area else None,
        "name": area.name if area else None,
        "level": area.level if area else "district",
        "responses": responses,
        "passed": passed,
        "awareness_rate": rate(passed, responses),
    }


def compute(area: Area | None, period: Period) -> dict:
    """Awareness of `area` (None = district) and of each child; the caller has checked access."""
    children = children_of(area)
    counts = by_bucket(area, children, period)
    total = entry(area, *map(sum, zip(*counts.values(), strict=True))) if counts else entry(area)
    total["date_from"], total["date_to"] = period.first.isoformat(), period.last.isoformat()
    total["children"] = [entry(c, *counts.get(c.id, (0, 0))) for c in children]
    return total


def by_bucket(area: Area | None, buckets: list[Area], period: Period) -> dict:
    """{child id or None: (responses, passed)} of the counted responses under `area`: one query."""
    bucket = (bucket_of(Area.path, buckets) if buckets else literal(None, Integer)).label("bucket")
    passed = func.sum(case((QuizResponse.passed == True, 1), else_=0))
    query = (
        select(bucket, func.count(QuizResponse.id), passed)
        .select_from(QuizResponse)
        .join(Quiz, Quiz.id == QuizResponse.quiz_id)
        .join(Area, Area.id == Quiz.area_id)
        .where(
            QuizResponse.counted == True,
            QuizResponse.created_at >= period.start,
            QuizResponse.created_at < period.end,
        )
        .group_by("bucket")
    )
    if area is not None:
        query = query.where(subtree_clause(Area.path, area.path))
    return {b: (int(n), int(p or 0)) for b, n, p in db.session.execute(query).all()}


def quiz_figures(quiz: Quiz) -> dict[str, int]:
    """Every sheet of one quiz so far: stored, counted, passed (for its coordinator's page)."""
    row = db.session.execute(
        select(
            func.count(QuizResponse.id),
            func.sum(case((QuizResponse.counted == True, 1), else_=0)),
            func.sum(
                case((and_(QuizResponse.counted == True, QuizResponse.passed == True), 1), else_=0)
            ),
        ).where(QuizResponse.quiz_id == quiz.id)
    ).one()
    stored, counted, passed = (int(v or 0) for v in row)
    return {
        "stored": stored,
        "responses": counted,
        "passed": passed,
        "awareness_rate": rate(passed, counted),
    }
