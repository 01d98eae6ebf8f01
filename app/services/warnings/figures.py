"""Warning figures for the daily report and the dashboard: issued, handled in time, dissuaded."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import and_, case, func, or_, select

from app.extensions import db
from app.models import WARNING_LEVELS, Area, RiskWarning
from app.services import coverage
from app.services.localtime import day_bounds


def _count(condition):
    return func.sum(case((condition, 1), else_=0))


def per_report_area(areas: list[Area], day: date) -> dict[int, dict]:
    """A day's warning figures per report area, in one grouped query: issued (entered that day) in
    all and per level; landed (handled that day) and in time per level; dissuaded face to face and
    by phone; and 止损金额 (stopped or recovered on warnings handled that day)."""
    start, end = day_bounds(day)
    issued = and_(RiskWarning.created_at >= start, RiskWarning.created_at < end)
    handled = and_(RiskWarning.handled_at >= start, RiskWarning.handled_at < end)
    in_time = and_(handled, RiskWarning.handled_at <= RiskWarning.deadline_at)
    bucket = coverage.bucket_of(Area.path, areas).label("bucket")
    columns = [
        _count(issued),
        _count(in_time),
        _count(and_(handled, RiskWarning.result == "dissuaded")),
        _count(and_(handled, RiskWarning.result == "phone_dissuaded")),
        func.coalesce(func.sum(case((handled, RiskWarning.stopped_amount), else_=0)), 0),
    ]
    for level in WARNING_LEVELS:
        is_level = RiskWarning.level == level
        columns += [
            _count(and_(issued, is_level)),
            _count(and_(handled, is_level)),
            _count(and_(in_time, is_level)),
        ]
    rows = db.session.execute(
        select(bucket, *columns)
        .join(Area, Area.id == RiskWarning.area_id)
        .where(or_(issued, handled))
        .group_by("bucket")
    ).all()
    found = {}
    for b, n_issued, n_in_time, face, phone, stopped, *per_level in rows:
        if b is None:
            continue
        figures = [int(v or 0) for v in per_level]
        found[b] = {
            "warnings_issued": int(n_issued or 0),
            "warnings_handled_in_time": int(n_in_time or 0),
            "warnings_dissuaded": int(face or 0),
            "warnings_phone_dissuaded": int(phone or 0),
            "stopped_amount": float(round(Decimal(stopped or 0), 2)),
            **by_level(figures),
        }
    return found


def by_level(figures: list[int]) -> dict:
    """The per-level lists of per_report_area as the report's dicts and flat columns."""
    issued, landed, on_time = (
        {lv: figures[i * 3 + k] for i, lv in enumerate(WARNING_LEVELS)} for k in range(3)
    )
    return {
        "warnings_by_level": issued,
        "warnings_landed_by_level": landed,
        "warnings_in_time_by_level": on_time,
        **{f"warnings_{lv}": issued[lv] for lv in WARNING_LEVELS},
    }


def empty() -> dict:
    """The figures of an area without any warning that day."""
    return {
        "warnings_issued": 0,
        "warnings_handled_in_time": 0,
        "warnings_dissuaded": 0,
        "warnings_phone_dissuaded": 0,
        "stopped_amount": 0.0,
        **by_level([0] * 3 * len(WARNING_LEVELS)),
    }


def add_up(rows: list[dict]) -> dict:
    """Totals of per-area figures, the per-level dicts included."""
    total = empty()
    for row in rows:
        for key, value in total.items():
            if isinstance(value, dict):
                for lv in value:
                    value[lv] += row[key][lv]
            else:
                total[key] = value + row[key]
    total["stopped_amount"] = round(total["stopped_amount"], 2)
    return total


def for_period(in_area, period: coverage.Period) -> dict:
    """Warnings issued and handled in the period; how many handled by their deadline."""
    issued = and_(RiskWarning.created_at >= period.start, RiskWarning.created_at < period.end)
    handled = and_(RiskWarning.handled_at >= period.start, RiskWarning.handled_at < period.end)
    row = db.session.execute(
        select(
            func.sum(case((issued, 1), else_=0)),
            func.sum(case((handled, 1), else_=0)),
            func.sum(
                case((and_(handled, RiskWarning.handled_at <= RiskWarning.deadline_at), 1), else_=0)
            ),
            func.sum(case((and_(handled, RiskWarning.result == "dissuaded"), 1), else_=0)),
            func.sum(case((and_(handled, RiskWarning.result == "phone_dissuaded"), 1), else_=0)),
            func.coalesce(func.sum(case((handled, RiskWarning.stopped_amount), else_=0)), 0),
        ).where(in_area, or_(issued, handled))
    ).one()
    issued_n, handled_n, in_time, dissuaded, by_phone = (int(v or 0) for v in row[:5])
    return {
        "issued": issued_n,
        "handled": handled_n,
        "handled_in_time": in_time,
        "dissuaded": dissuaded,
        "phone_dissuaded": by_phone,
        "stopped_amount": float(round(Decimal(row[5] or 0), 2)),
        "in_time_rate": coverage.rate(in_time, handled_n),
    }
