"""同比/环比 of cases and losses: a period against the same days a year before and against the
period of the same length just before it, for an area (None: the district)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select, true

from app.extensions import db
from app.models import Area, FraudCase
from app.services.access import subtree_clause
from app.services.coverage import Period


def year_before(day: date) -> date:
    """The same day a year before (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _figures(area: Area | None, period: Period) -> tuple[int, float]:
    where = (
        true()
        if area is None
        else FraudCase.area_id.in_(select(Area.id).where(subtree_clause(Area.path, area.path)))
    )
    count, losses = db.session.execute(
        select(func.count(FraudCase.id), func.coalesce(func.sum(FraudCase.loss_amount), 0)).where(
            where, FraudCase.occurred_on >= period.first, FraudCase.occurred_on <= period.last
        )
    ).one()
    return int(count), round(float(losses), 2)


def _change(now: float, before: float) -> float | None:
    """(now - before) / before, None when there was nothing before."""
    return None if not before else round((now - before) / before, 4)


def compare(area: Area | None, period: Period) -> dict:
    """{"cases"|"losses": {"now", "last_year", "previous", "year_on_year", "period_on_period"}},
    with the two periods compared against: changes are fractions (0.25 = +25%), None from zero."""
    last_year = Period(year_before(period.first), year_before(period.last))
    previous = Period(period.first - timedelta(days=period.days), period.first - timedelta(days=1))
    now, then, before = (_figures(area, p) for p in (period, last_year, previous))
    answer = {
        "last_year_from": last_year.first.isoformat(),
        "last_year_to": last_year.last.isoformat(),
        "previous_from": previous.first.isoformat(),
        "previous_to": previous.last.isoformat(),
    }
    for index, key in enumerate(("cases", "losses")):
        answer[key] = {
            "now": now[index],
            "last_year": then[index],
            "previous": before[index],
            "year_on_year": _change(now[index], then[index]),
            "period_on_period": _change(now[index], before[index]),
        }
    return answer
