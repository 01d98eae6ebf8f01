"""Rates with real denominators: the app install rate and household coverage per group (tag).

For an area and period, over its reachable household rows:
- per tag (老年人, 流动人口, 学生, ...): households, those reached (a `reached` visit in the
  period), and those reached that have the national anti-fraud app (a visit in the period
  recorded `app_installed`);
- the same for all households, so that install rate = reached with the app / reached.
Grids known only by their `household_count` have no tags, so they are not in these figures.

One grouped query: tags are codes from a fixed list, so a tag is matched in the stored JSON text
('"elderly"'), the same on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import String, and_, case, cast, func, select, true

from app.extensions import db
from app.models import HOUSEHOLD_TAGS, Area, Household, Visit
from app.services.access import subtree_clause
from app.services.coverage import Period, rate

MEASURES = ("households", "reached", "with_app")


def for_area(area: Area | None, period: Period) -> dict:
    """{"all": figures, "tags": {tag: figures}}; figures carry counts and both rates."""
    visits = (
        select(
            Visit.household_id,
            func.max(case((Visit.outcome == "reached", 1), else_=0)).label("reached"),
            func.max(case((Visit.app_installed == True, 1), else_=0)).label("app"),
        )
        .where(Visit.captured_at >= period.start, Visit.captured_at < period.end)
        .group_by(Visit.household_id)
        .subquery()
    )
    reached = func.coalesce(visits.c.reached, 0) > 0
    with_app = and_(reached, func.coalesce(visits.c.app, 0) > 0)
    text = cast(Household.tags, String)
    groups = {"all": true(), **{t: text.like(f'%"{t}"%') for t in HOUSEHOLD_TAGS}}
    columns = []
    for condition in groups.values():
        for measure in (true(), reached, with_app):
            columns.append(func.sum(case((and_(condition, measure), 1), else_=0)))
    query = (
        select(*columns)
        .select_from(Household)
        .join(Area, Area.id == Household.area_id)
        .outerjoin(visits, visits.c.household_id == Household.id)
        .where(Household.unreachable == False)
    )
    if area is not None:
        query = query.where(subtree_clause(Area.path, area.path))
    values = [int(v or 0) for v in db.session.execute(query).one()]
    figures = {}
    for i, name in enumerate(groups):
        households, got, app = values[3 * i : 3 * i + 3]
        figures[name] = {
            "households": households,
            "reached": got,
            "with_app": app,
            "coverage": rate(got, households),
            "install_rate": rate(app, got),
        }
    return {"all": figures.pop("all"), "tags": figures}
