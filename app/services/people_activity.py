"""One person's work over time, leaderboards of people, and commendations (褒奖).

A person's figures for a period: accepted check-ins (by their capture time), visits (by capture
time), activity reports (by the time the activity took place, with the count and the audience),
and the tasks assigned to them that fall due in it (done of all). The person page shows this
month, the last months one by one, and their commendations; coordinators and leaders see the
people of their area only (policy ("read", "person")), and a coordinator records commendations
for them (("commend", "person")).

A leaderboard ranks the people of an area (optionally of one force) who did anything in the
period by check-ins, visits or reports, ties broken by the other two, then by name."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, literal, or_, select

from app.errors import Invalid, NotFound
from app.extensions import db
from app.models import Area, CheckIn, Commendation, Task, User, Visit
from app.models.task import TaskReport, task_assignees
from app.policy import is_field_worker, require
from app.services.access import filter_by_scope, subtree_clause
from app.services.audit import record_event
from app.services.coverage import Period
from app.services.localtime import today

MEASURES = ("checkins", "visits", "reports")
MONTHS = 6
LEADERBOARD_SIZE = 50


def workers_see_leaderboard() -> bool:
    """The deployment's choice (LEADERBOARD_FOR_WORKERS): workers see their area's leaderboard."""
    return bool(current_app.config.get("LEADERBOARD_FOR_WORKERS"))


def find_person(actor: User, user_id: int) -> User:
    """The person, for the guard to judge (404 when there is none)."""
    person = db.session.get(User, user_id)
    if person is None:
        raise NotFound(_l("no such person"))
    return person


def _month_periods(last: date, months: int) -> list[Period]:
    """The `months` calendar months up to `last`'s (the last one ends on `last`), oldest first."""
    firsts = []
    year, month = last.year, last.month
    for _ in range(months):
        firsts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    firsts.reverse()
    lasts = [following - timedelta(days=1) for following in firsts[1:]] + [last]
    return [Period(first, end) for first, end in zip(firsts, lasts)]


def _bucketed(column, periods: list[Period], value=None):
    """One SUM(CASE) per period over `column`'s time (a count, or the sum of `value`)."""
    return [
        func.coalesce(
            func.sum(
                case(
                    (and_(column >= p.start, column < p.end), value if value is not None else 1),
                    else_=0,
                )
            ),
            0,
        )
        for p in periods
    ]


def _series(person: User, periods: list[Period]) -> list[dict[str, Any]]:
    start, end = periods[0].start, periods[-1].end
    checkins = db.session.execute(
        select(*_bucketed(CheckIn.captured_at, periods)).where(
            CheckIn.user_id == person.id,
            CheckIn.status == "accepted",
            CheckIn.captured_at >= start,
            CheckIn.captured_at < end,
        )
    ).one()
    visits = db.session.execute(
        select(*_bucketed(Visit.captured_at, periods)).where(
            Visit.user_id == person.id, Visit.captured_at >= start, Visit.captured_at < end
        )
    ).one()
    held = TaskReport.held_at
    reports = db.session.execute(
        select(
            *_bucketed(held, periods),
            *_bucketed(held, periods, TaskReport.count),
            *_bucketed(held, periods, func.coalesce(TaskReport.audience, 0)),
        ).where(TaskReport.user_id == person.id, held >= start, held < end)
    ).one()
    assigned = (
        select(Task.due_at, Task.status)
        .join(task_assignees, task_assignees.c.task_id == Task.id)
        .where(
            task_assignees.c.user_id == person.id,
            Task.due_at >= start,
            Task.due_at < end,
            Task.status != "cancelled",
        )
    )
    due = assigned.subquery()
    tasks = db.session.execute(
        select(
            *_bucketed(due.c.due_at, periods),
            *_bucketed(due.c.due_at, periods, case((due.c.status == "done", 1), else_=0)),
        )
    ).one()
    n = len(periods)
    return [
        {
            "first": p.first,
            "last": p.last,
            "checkins": int(checkins[i]),
            "visits": int(visits[i]),
            "reports": int(reports[i]),
            "reported_count": int(reports[n + i]),
            "audience": int(reports[2 * n + i]),
            "tasks_due": int(tasks[i]),
            "tasks_done": int(tasks[n + i]),
        }
        for i, p in enumerate(periods)
    ]


def person_page(actor: User, person: User, months: int = MONTHS) -> dict[str, Any]:
    """This month's figures and work, the last months one by one, and the commendations."""
    require(actor, "read", "person", person)
    periods = _month_periods(today(), months)
    month = periods[-1]
    series = _series(person, periods)
    recent = 20
    return {
        "person": person,
        "month": series[-1],
        "series": series,
        "tasks": list(
            db.session.scalars(
                select(Task)
                .join(task_assignees, task_assignees.c.task_id == Task.id)
                .where(
                    task_assignees.c.user_id == person.id,
                    or_(Task.status.in_(("open", "in_progress")), Task.due_at >= month.start),
                )
                .order_by(Task.due_at, Task.id)
                .limit(50)
            )
        ),
        "checkins": list(
            db.session.scalars(
                select(CheckIn)
                .where(CheckIn.user_id == person.id, CheckIn.captured_at >= month.start)
                .order_by(CheckIn.captured_at.desc(), CheckIn.id.desc())
                .limit(recent)
            )
        ),
        "visits": list(
            db.session.scalars(
                select(Visit)
                .where(Visit.user_id == person.id, Visit.captured_at >= month.start)
                .order_by(Visit.captured_at.desc(), Visit.id.desc())
                .limit(recent)
            )
        ),
        "reports": list(
            db.session.scalars(
                select(TaskReport)
                .where(TaskReport.user_id == person.id, TaskReport.held_at >= month.start)
                .order_by(TaskReport.held_at.desc(), TaskReport.id.desc())
                .limit(recent)
            )
        ),
        "commendations": list_commendations(person),
    }


def list_commendations(person: User) -> list[Commendation]:
    return list(
        db.session.scalars(
            select(Commendation)
            .where(Commendation.user_id == person.id)
            .order_by(Commendation.awarded_on.desc(), Commendation.id.desc())
        )
    )


def commend_person(actor: User, person: User, data: dict[str, Any]) -> Commendation:
    """A coordinator records a commendation: why, and on which day (today by default)."""
    require(actor, "commend", "person", person)
    awarded_on = data.get("awarded_on") or today()
    if awarded_on > today():
        raise Invalid(_l("not in the future"), {"awarded_on": _l("not in the future")})
    commendation = Commendation(
        user_id=person.id, reason=data["reason"], awarded_on=awarded_on, by_id=actor.id
    )
    db.session.add(commendation)
    db.session.flush()
    record_event(actor, "person.commend", person, commendation_id=commendation.id)
    return commendation


def _counts(column_user, column_time, period: Period, *where):
    return (
        select(column_user.label("user_id"), func.count().label("n"))
        .where(column_time >= period.start, column_time < period.end, *where)
        .group_by(column_user)
        .subquery()
    )


def leaderboard(
    actor: User, area: Area | None, force: str | None, period: Period, measure: str
) -> list[dict[str, Any]]:
    """People of `area` (the caller's scope when None) ranked by `measure` in the period."""
    if is_field_worker(actor):
        require(actor, "read", "area_leaderboard")
        if not workers_see_leaderboard():
            raise NotFound(_l("the leaderboard is not shown to workers here"))
    else:
        require(actor, "read", "leaderboard")
    measure = measure if measure in MEASURES else MEASURES[0]
    checkins = _counts(CheckIn.user_id, CheckIn.captured_at, period, CheckIn.status == "accepted")
    visits = _counts(Visit.user_id, Visit.captured_at, period)
    reports = _counts(TaskReport.user_id, TaskReport.held_at, period)
    figures = {
        "checkins": func.coalesce(checkins.c.n, 0),
        "visits": func.coalesce(visits.c.n, 0),
        "reports": func.coalesce(reports.c.n, 0),
    }
    query = (
        select(User, *(figures[m].label(m) for m in MEASURES))
        .outerjoin(checkins, checkins.c.user_id == User.id)
        .outerjoin(visits, visits.c.user_id == User.id)
        .outerjoin(reports, reports.c.user_id == User.id)
        .outerjoin(Area, Area.id == User.area_id)
        .where(figures["checkins"] + figures["visits"] + figures["reports"] > literal(0))
    )
    query = filter_by_scope(query, actor, User.area_id)
    if area is not None:
        query = query.where(subtree_clause(Area.path, area.path))
    if force:
        query = query.where(User.force == force)
    others = [m for m in MEASURES if m != measure]
    query = query.order_by(
        figures[measure].desc(), *(figures[m].desc() for m in others), User.display_name, User.id
    ).limit(LEADERBOARD_SIZE)
    rows = []
    for rank, (person, *values) in enumerate(db.session.execute(query).all(), start=1):
        rows.append({"rank": rank, "person": person, **dict(zip(MEASURES, map(int, values)))})
    return rows
