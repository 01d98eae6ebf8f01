"""The daily zeroing board (日日清零): open and overdue warnings by level and street, the share
handled within the deadline, yesterday's review (回头看), and the overdue ones escalated.

Definitions (days are local, Asia/Shanghai):
- open: not handled yet, whenever entered; overdue: open and past its deadline.
- a day's warnings are those entered that day; of them, "decided" are the ones handled or past
  their deadline, and the share in time is handled-within-deadline / decided (None while none is).
- carried: open warnings entered before the day; 日日清零 wants none of them left by the
  zeroing hour (WARNING_ZEROING_HOUR, local) of the day, and `zeroing` says whether that holds.
- escalation of an open warning: the grid until its deadline, its community once late, its street
  once late by another full deadline span (see warnings.escalation).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Area, RiskWarning, User
from app.models.base import utcnow
from app.models.warning import WARNING_LEVELS
from app.policy import require
from app.services.localtime import day_bounds, start_of_day, today
from app.services.warnings.handling import escalation, mask_phone, visible_warnings

LIST_LIMIT = 200
DAY_FIGURES = ("created", "handled", "in_time", "decided", "open", "dissuaded", "defrauded")


def _count(condition):
    return func.sum(case((condition, 1), else_=0))


def _day_columns(day: date, now: datetime) -> list:
    start, end = day_bounds(day)
    on_day = and_(RiskWarning.created_at >= start, RiskWarning.created_at < end)
    handled = RiskWarning.status == "handled"
    return [
        _count(on_day),
        _count(on_day & handled),
        _count(on_day & handled & (RiskWarning.handled_at <= RiskWarning.deadline_at)),
        _count(on_day & (handled | (RiskWarning.deadline_at < now))),
        _count(on_day & (RiskWarning.status == "open")),
        _count(on_day & (RiskWarning.result == "dissuaded")),
        _count(on_day & (RiskWarning.result == "already_defrauded")),
    ]


def _empty() -> dict:
    return {
        "open": 0,
        "overdue": 0,
        "carried": 0,
        "by_level": {lv: {"open": 0, "overdue": 0} for lv in WARNING_LEVELS},
        "today": dict.fromkeys(DAY_FIGURES, 0),
        "yesterday": dict.fromkeys(DAY_FIGURES, 0),
    }


def _add(target: dict, level: str, row) -> None:
    open_, overdue = int(row[0] or 0), int(row[1] or 0)
    target["open"] += open_
    target["overdue"] += overdue
    target["carried"] += int(row[2] or 0)
    target["by_level"][level]["open"] += open_
    target["by_level"][level]["overdue"] += overdue
    for offset, key in ((3, "today"), (3 + len(DAY_FIGURES), "yesterday")):
        for i, name in enumerate(DAY_FIGURES):
            target[key][name] += int(row[offset + i] or 0)


def _shares(target: dict) -> None:
    for key in ("today", "yesterday"):
        figures = target[key]
        figures["share_in_time"] = (
            figures["in_time"] / figures["decided"] if figures["decided"] else None
        )


def board(actor: User, day: date | None = None, now: datetime | None = None) -> dict:
    """The zeroing board for `day` (default today) over the warnings the actor sees."""
    require(actor, "read", "warning_board")
    now = now or utcnow()
    day = day or today(now)
    open_ = RiskWarning.status == "open"
    columns = [
        RiskWarning.area_id,
        RiskWarning.level,
        _count(open_),
        _count(open_ & (RiskWarning.deadline_at < now)),
        _count(open_ & (RiskWarning.created_at < start_of_day(day))),
        *_day_columns(day, now),
        *_day_columns(day - timedelta(days=1), now),
    ]
    query = (
        visible_warnings(actor)
        .with_only_columns(*columns)
        .group_by(RiskWarning.area_id, RiskWarning.level)
    )
    rows = db.session.execute(query).all()
    areas = _areas_of([r[0] for r in rows])
    streets: dict[int, dict] = {}
    totals = _empty()
    for area_id, level, *figures in rows:
        street = areas[area_id][2]
        entry = streets.setdefault(
            street.id, {"area_id": street.id, "name": street.name, **_empty()}
        )
        _add(entry, level, figures)
        _add(totals, level, figures)
    for entry in (*streets.values(), totals):
        _shares(entry)
    return {
        "day": day,
        "now": now,
        "levels": WARNING_LEVELS,
        "totals": totals,
        "streets": sorted(streets.values(), key=lambda s: (-s["overdue"], -s["open"], s["name"])),
        "zeroing": _zeroing(day, now, totals["carried"]),
        "escalated": escalated(actor, now),
        "review": review(actor, day - timedelta(days=1), now),
        "escalated_total": _how_many(_escalated_query(actor, now)),
        "review_total": _how_many(_review_query(actor, day - timedelta(days=1))),
    }


def _zeroing(day: date, now: datetime, carried: int) -> dict:
    """日日清零 for `day`: by the zeroing hour no warning of an earlier day may still be open."""
    hour = current_app.config["WARNING_ZEROING_HOUR"]
    due_at = start_of_day(day) + timedelta(hours=hour)
    return {
        "hour": hour,
        "due_at": due_at,
        "carried": carried,
        "cleared": carried == 0,
        "late": carried > 0 and now >= due_at,
    }


def _areas_of(grid_ids: list[int]) -> dict[int, tuple[Area, Area, Area]]:
    """grid id → (grid, community, street), in two queries."""
    grids = db.session.scalars(select(Area).where(Area.id.in_(set(grid_ids)))).all()
    parents = {int(p) for g in grids for p in g.path.strip("/").split("/")}
    by_id = {a.id: a for a in db.session.scalars(select(Area).where(Area.id.in_(parents)))}
    found = {}
    for grid in grids:
        chain = [by_id[int(p)] for p in grid.path.strip("/").split("/")]
        street = chain[0]
        community = chain[-2] if len(chain) >= 2 else grid
        found[grid.id] = (grid, community, street)
    return found


def _how_many(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def _rows(actor: User, query, now: datetime) -> list[dict]:
    """The first LIST_LIMIT warnings of `query` as board rows (the board says how many there are)."""
    warnings = db.session.scalars(
        query.options(selectinload(RiskWarning.area)).limit(LIST_LIMIT)
    ).all()
    areas = _areas_of([w.area_id for w in warnings])
    rows = []
    for w in warnings:
        grid, community, street = areas[w.area_id]
        stage = escalation(w, now)
        owner = {"grid": grid, "community": community, "street": street}.get(stage or "grid")
        rows.append(
            {
                "warning": w,
                "grid": grid,
                "community": community,
                "street": street,
                "escalation": stage,
                "owner": owner,
                "phone": mask_phone(w.phone),
                "late_by": now - w.deadline_at if w.status == "open" else None,
            }
        )
    return rows


def escalated(actor: User, now: datetime) -> list[dict]:
    """Open warnings past their deadline, most overdue first, with who answers for them now."""
    return _rows(actor, _escalated_query(actor, now), now)


def _escalated_query(actor: User, now: datetime):
    query = visible_warnings(actor).where(
        RiskWarning.status == "open", RiskWarning.deadline_at < now
    )
    return query.order_by(RiskWarning.deadline_at, RiskWarning.id)


def review(actor: User, day: date, now: datetime) -> list[dict]:
    """回头看: the day's warnings not handled within their deadline (still open, or handled late)."""
    return _rows(actor, _review_query(actor, day), now)


def _review_query(actor: User, day: date):
    start, end = day_bounds(day)
    late = (RiskWarning.status == "open") | (RiskWarning.handled_at > RiskWarning.deadline_at)
    query = visible_warnings(actor).where(
        RiskWarning.created_at >= start, RiskWarning.created_at < end, late
    )
    return query.order_by(RiskWarning.created_at, RiskWarning.id)
