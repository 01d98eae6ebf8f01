"""Figures of reported activities (lectures 宣讲/授课, stalls 摆摊, screenings 放映) per area.

An activity counts on the day it took place (`held_at`) for the area it was reported for (a
school's community for a lecture there): lectures are the sessions held (授课节次) and their
audience the people taught (受教人次); stalls and screenings are the counts reported."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, select

from app.extensions import db
from app.models import Area, Task
from app.models.task import TaskReport
from app.services import coverage

FIGURES = ("lectures", "lecture_audience", "stalls", "screenings")


def empty() -> dict:
    return dict.fromkeys(FIGURES, 0)


def _sum(kind: str, column):
    return func.coalesce(func.sum(case((Task.kind == kind, column), else_=0)), 0)


def _columns():
    return [
        _sum("lecture", TaskReport.count),
        _sum("lecture", func.coalesce(TaskReport.audience, 0)),
        _sum("stall", TaskReport.count),
        _sum("screening", TaskReport.count),
    ]


def _query(start: datetime, end: datetime):
    return (
        select(*_columns())
        .join(Task, Task.id == TaskReport.task_id)
        .join(Area, Area.id == TaskReport.area_id)
        .where(
            TaskReport.held_at >= start,
            TaskReport.held_at < end,
            Task.kind.in_(("lecture", "stall", "screening")),
        )
    )


def per_area(areas: list[Area], start: datetime, end: datetime) -> dict[int, dict]:
    """The figures per bucket area (each with its subtree) between two instants: one query."""
    if not areas:
        return {}
    bucket = coverage.bucket_of(Area.path, areas).label("bucket")
    rows = db.session.execute(_query(start, end).add_columns(bucket).group_by("bucket")).all()
    return {row[-1]: dict(zip(FIGURES, map(int, row[:-1]))) for row in rows if row[-1] is not None}


def for_area(area: Area | None, start: datetime, end: datetime) -> dict:
    """The figures of one area's subtree (None: the district) between two instants."""
    query = _query(start, end)
    if area is not None:
        query = query.where(coverage.subtree_clause(Area.path, area.path))
    return dict(zip(FIGURES, map(int, db.session.execute(query).one())))
