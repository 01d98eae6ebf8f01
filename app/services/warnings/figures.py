"""Warning figures for the daily report and the dashboard: issued, handled in time, dissuaded."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, func, or_, select

from app.extensions import db
from app.models import Area, RiskWarning
from app.services import coverage
from app.services.localtime import day_bounds


def per_report_area(areas: list[Area], day: date) -> dict[int, dict]:
    """Warnings issued, handled in time and dissuaded that day per report area: one grouped query."""
    start, end = day_bounds(day)
    issued = and_(RiskWarning.created_at >= start, RiskWarning.created_at < end)
    handled = and_(RiskWarning.handled_at >= start, RiskWarning.handled_at < end)
    bucket = coverage.bucket_of(Area.path, areas).label("bucket")
    rows = db.session.execute(
        select(
            bucket,
            func.sum(case((issued, 1), else_=0)),
            func.sum(
                case((and_(handled, RiskWarning.handled_at <= RiskWarning.deadline_at), 1), else_=0)
            ),
            func.sum(case((and_(handled, RiskWarning.result == "dissuaded"), 1), else_=0)),
        )
        .join(Area, Area.id == RiskWarning.area_id)
        .where(or_(issued, handled))
        .group_by("bucket")
    ).all()
    return {
        b: {
            "warnings_issued": int(i),
            "warnings_handled_in_time": int(t),
            "warnings_dissuaded": int(d),
        }
        for b, i, t, d in rows
        if b is not None
    }


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
        ).where(in_area, or_(issued, handled))
    ).one()
    issued_n, handled_n, in_time, dissuaded = (int(v or 0) for v in row)
    return {
        "issued": issued_n,
        "handled": handled_n,
        "handled_in_time": in_time,
        "dissuaded": dissuaded,
        "in_time_rate": coverage.rate(in_time, handled_n),
    }
