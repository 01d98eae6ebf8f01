"""What the leaders' dashboard shows: figures, the ranking of child areas, the daily trend, the map.

Everything goes through coverage.compute (one definition of coverage) and a few grouped queries;
the caller's area is resolved once by coverage.resolve_area (readers only, scoped).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import case, distinct, exists, func, select, true

from app import geo
from app.extensions import db
from app.models import (
    Area,
    CheckIn,
    FraudCase,
    Household,
    Rectification,
    RiskWarning,
    Site,
    Task,
    User,
    Visit,
)
from app.models.base import utcnow
from app.polygons import DISPLAY_TOLERANCE_DEG, simplify
from app.services import (
    activities,
    awareness,
    cards,
    case_compare,
    coverage,
    household_groups,
    must_check_figures,
    ranking,
    rectifications,
)
from app.services.access import subtree_clause
from app.services.localtime import local_date, today
from app.services.warnings import figures as warning_figures

OPEN_TASK = ("open", "in_progress")


def breadcrumbs(area: Area | None, scope: Area | None) -> list[dict]:
    """From the caller's top (the district or their own area) down to `area`."""
    if area is None:
        return []
    ids = [int(part) for part in area.path.strip("/").split("/")]
    if scope is not None:
        ids = ids[ids.index(scope.id) :]
    names = dict(db.session.execute(select(Area.id, Area.name).where(Area.id.in_(ids))).all())
    return [{"area_id": i, "name": names[i]} for i in ids]


def overview(
    actor: User,
    area_id: int | None,
    first: date | None,
    last: date | None,
    measure: str = ranking.DEFAULT_MEASURE,
) -> dict:
    """Figures of the area for the period, and one row per child area ranked by `measure`."""
    area = coverage.resolve_area(actor, area_id)
    period = coverage.make_period(first, last)
    now_figures = coverage.compute(area, period)
    before = {c["area_id"]: c for c in coverage.compute(area, period.previous())["children"]}
    children = coverage.children_of(area)
    overdue = _overdue_tasks(children)
    colours = {c["area_id"]: c for c in cards.evaluate(area, period)}
    held = held_cards(area)
    aware = awareness.compute(area, period)
    aware_by_child = {c["area_id"]: c for c in aware["children"]}
    rows = []
    for child in now_figures["children"]:
        prior = before.get(child["area_id"])
        counted = colours.get(child["area_id"], {})
        card = held.get(child["area_id"])
        rows.append(
            {
                **child,
                "site_change": ranking.change(
                    child["site_coverage"], prior, "checkins", "site_coverage"
                ),
                "household_change": ranking.change(
                    child["household_coverage"], prior, "visits", "household_coverage"
                ),
                "overdue_tasks": overdue.get(child["area_id"], 0),
                "cases": counted.get("cases", 0),
                "card": card,
                "card_rank": ranking.CARD_RANK.get(card, 0),
                "rate_per_10k": counted.get("rate_per_10k"),
                "awareness_rate": aware_by_child[child["area_id"]]["awareness_rate"],
                "awareness_responses": aware_by_child[child["area_id"]]["responses"],
            }
        )
    return {
        "area": area,
        "scope": coverage.resolve_area(actor, None),
        "period": period,
        "figures": now_figures,
        "rows": ranking.rank_rows(rows, measure),
        "measure": measure if measure in ranking.MEASURES else ranking.DEFAULT_MEASURE,
        "warnings": warning_figures.for_period(_in_area(RiskWarning.area_id, area), period),
        "cases": _cases(area, period),
        "cases_compare": case_compare.compare(area, period),
        "card": colours.get(area.id) if area is not None else None,
        "rectifications": _open_rectifications(area),
        "open_checks": must_check_figures.count_open(area),
        "awareness": aware,
        "groups": household_groups.for_area(area, period),
        "activities": activities.for_area(area, period.start, period.end),
    }


def held_cards(area: Area | None) -> dict[int, str]:
    """The card each street or community under `area` holds today (as the cards table shows)."""
    return {
        c["area_id"]: c["card"]
        for c in cards.active_cards(area, today())
        if c.get("lifted_on") is None
    }


def _open_rectifications(area: Area | None) -> dict:
    """Rectification items not closed yet under the area, and the age of the oldest in days."""
    count, oldest = db.session.execute(
        select(func.count(Rectification.id), func.min(Rectification.opened_at))
        .join(Site, Site.id == Rectification.site_id)
        .where(Rectification.status.in_(rectifications.OPEN), _in_area(Site.area_id, area))
    ).one()
    return {"open": count, "oldest_days": (utcnow() - oldest).days if oldest else None}


def _overdue_tasks(buckets: list[Area]) -> dict[int, int]:
    """Open tasks past their due time under each child area: one grouped query."""
    if not buckets:
        return {}
    bucket = coverage.bucket_of(Area.path, buckets).label("bucket")
    rows = db.session.execute(
        select(bucket, func.count(Task.id))
        .join(Area, Area.id == Task.area_id)
        .where(Task.status.in_(OPEN_TASK), Task.due_at < utcnow())
        .group_by("bucket")
    ).all()
    return {b: n for b, n in rows if b is not None}


def _in_area(area_column, area: Area | None):
    """Rows whose area lies under `area` (every row for the district)."""
    if area is None:
        return true()
    return area_column.in_(select(Area.id).where(subtree_clause(Area.path, area.path)))


def _cases(area: Area | None, period: coverage.Period) -> dict:
    count, losses = db.session.execute(
        select(func.count(FraudCase.id), func.coalesce(func.sum(FraudCase.loss_amount), 0)).where(
            _in_area(FraudCase.area_id, area),
            FraudCase.occurred_on >= period.first,
            FraudCase.occurred_on <= period.last,
        )
    ).one()
    return {"count": int(count), "losses": float(losses)}


def trend(actor: User, area_id: int | None, first: date | None, last: date | None) -> dict:
    """Per local day of the period: accepted check-ins, visits and households reached."""
    area = coverage.resolve_area(actor, area_id)
    period = coverage.make_period(first, last)
    day = local_date(CheckIn.captured_at).label("day")
    checkins = (
        select(day, func.count(CheckIn.site_id))
        .where(
            CheckIn.status == "accepted",
            CheckIn.captured_at >= period.start,
            CheckIn.captured_at < period.end,
        )
        .group_by(day)
    )
    vday = local_date(Visit.captured_at).label("day")
    reached = case((Visit.outcome == "reached", Visit.household_id), else_=None)
    visits = (
        select(vday, func.count(Visit.household_id), func.count(distinct(reached)))
        .where(Visit.captured_at >= period.start, Visit.captured_at < period.end)
        .group_by(vday)
    )
    if area is not None:  # the district needs no filter: every site and household is in a grid
        grids = select(Area.id).where(Area.level == "grid", subtree_clause(Area.path, area.path))
        checkins = checkins.where(
            CheckIn.site_id.in_(select(Site.id).where(Site.area_id.in_(grids)))
        )
        visits = visits.where(
            Visit.household_id.in_(select(Household.id).where(Household.area_id.in_(grids)))
        )
    per_day = dict(db.session.execute(checkins).all())
    per_day_visits = {d: (n, r) for d, n, r in db.session.execute(visits).all()}
    days = [period.first + timedelta(days=i) for i in range(period.days)]
    return {
        "days": [d.isoformat() for d in days],
        "checkins": [per_day.get(d, 0) for d in days],
        "visits": [per_day_visits.get(d, (0, 0))[0] for d in days],
        "households_reached": [per_day_visits.get(d, (0, 0))[1] for d in days],
    }


def map_data(
    actor: User, area_id: int | None, first: date | None, last: date | None, datum: str
) -> dict:
    """Sites (visited in the period or not) and child areas with their coverage and card, in the tiles' datum."""
    area = coverage.resolve_area(actor, area_id)
    period = coverage.make_period(first, last)
    datum = datum if datum in geo.COORD_SYSTEMS else "wgs84"
    visited = exists().where(
        CheckIn.site_id == Site.id,
        CheckIn.status == "accepted",
        CheckIn.captured_at >= period.start,
        CheckIn.captured_at < period.end,
    )
    query = select(Site.id, Site.name, Site.lat, Site.lng, visited).where(Site.active == True)
    if area is not None:
        query = query.where(
            Site.area_id.in_(select(Area.id).where(subtree_clause(Area.path, area.path)))
        )
    sites = [
        [sid, name, *_shift(lat, lng, datum), bool(seen)]
        for sid, name, lat, lng, seen in db.session.execute(query.order_by(Site.id))
    ]
    figures = coverage.compute(area, period)
    colours = {c["area_id"]: c["card"] for c in cards.evaluate(area, period)}
    children = {c.id: c for c in coverage.children_of(area)}
    middles = _site_middles(list(children.values()))
    areas = [
        {
            "area_id": c["area_id"],
            "name": c["name"],
            "level": c["level"],
            "site_coverage": c["site_coverage"],
            "household_coverage": c["household_coverage"],
            "card": colours.get(c["area_id"]),
            "boundary": _shift_geojson(children[c["area_id"]].boundary, datum),
            "center": _center(children[c["area_id"]], datum, middles.get(c["area_id"])),
        }
        for c in figures["children"]
    ]
    if area is not None and not areas:  # a grid: draw the grid itself
        areas = [
            {
                "area_id": area.id,
                "name": area.name,
                "level": area.level,
                "site_coverage": figures["site_coverage"],
                "household_coverage": figures["household_coverage"],
                "card": None,
                "boundary": _shift_geojson(area.boundary, datum),
                "center": _center(area, datum),
            }
        ]
    return {
        "datum": datum,
        "from": period.first.isoformat(),
        "to": period.last.isoformat(),
        "site_fields": ["id", "name", "lat", "lng", "visited"],
        "sites": sites,
        "areas": areas,
    }


def _shift(lat: float, lng: float, datum: str) -> list[float]:
    lat, lng = geo.from_wgs84(lat, lng, datum)
    return [round(lat, 6), round(lng, 6)]


def _site_middles(buckets: list[Area]) -> dict[int, tuple[float, float]]:
    """The mean position of each area's sites (where an area has no centre of its own): one query."""
    if not buckets:
        return {}
    bucket = coverage.bucket_of(Area.path, buckets).label("bucket")
    rows = db.session.execute(
        select(bucket, func.avg(Site.lat), func.avg(Site.lng))
        .join(Area, Area.id == Site.area_id)
        .group_by("bucket")
    ).all()
    return {b: (float(lat), float(lng)) for b, lat, lng in rows if b is not None}


def _center(
    area: Area, datum: str, fallback: tuple[float, float] | None = None
) -> list[float] | None:
    """The area's centre, else the middle of its sites, in the tiles' datum."""
    if area.center_lat is not None and area.center_lng is not None:
        return _shift(area.center_lat, area.center_lng, datum)
    return _shift(*fallback, datum) if fallback else None


def _shift_geojson(boundary: dict | None, datum: str) -> dict | None:
    """A (Multi)Polygon lightened for drawing (polygons.simplify), moved into the tiles' datum."""
    boundary = simplify(boundary, DISPLAY_TOLERANCE_DEG)
    if boundary is None:
        return None

    def move(node):
        if node and isinstance(node[0], int | float):
            lat, lng = _shift(node[1], node[0], datum)
            return [lng, lat]
        return [move(child) for child in node]

    return {"type": boundary["type"], "coordinates": move(boundary.get("coordinates") or [])}
