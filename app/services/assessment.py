"""The monthly assessment (考核): a score per street, community or grid worker for a month.

Each indicator is normalised to 0..100: rates as percentages; cases per 10,000 residents (lower
is better) as 100 × (1 − value ÷ the highest among the areas compared), 100 when none has a case.
score = Σ weight × normalised ÷ Σ weights, rounded to 2 places; ranked highest first (equal
scores share a rank). Every figure the score is made of is in the answer (and the sheet), so the
score can be recomputed from them alone. Indicators:

- site_coverage, household_coverage: coverage's rates for the month;
- warnings_on_time: warnings due in the month handled by their deadline ÷ warnings due;
- cases_per_10k: cases in the month × 10,000 ÷ population (0 without a population);
- awareness_rate: 知晓率, counted quiz answers that passed ÷ counted answers;
- app_install_rate: households reached with the app ÷ households reached;
- rounds_completed: active sites visited their monthly number of times ÷ active sites.

A grid worker (网格员工作考核, level `worker`) is scored on the indicators a person answers for,
WORKER_INDICATORS, over the grids they work (added up, then the rates): site and household
coverage, warnings on time, rounds completed; the score divides by those indicators' weights only.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased

from app.errors import Invalid
from app.extensions import db
from app.labels import label
from app.models import INDICATORS, Area, AssessmentWeight, RiskWarning, User
from app.policy import require
from app.services import awareness, cards, coverage, household_groups
from app.services.access import grid_people, scope_area, subtree_clause
from app.services.audit import record_event
from app.services.coverage import Period, bucket_of, rate

LOWER_IS_BETTER = ("cases_per_10k",)
ASSESSED_LEVELS = ("street", "community", "worker")
# What a grid worker answers for: their grids' coverage, warnings and rounds (网格员工作考核).
WORKER_INDICATORS = ("site_coverage", "household_coverage", "warnings_on_time", "rounds_completed")


def weights() -> dict[str, float]:
    """Every indicator's weight (1 where the district has set none)."""
    stored = dict(
        db.session.execute(select(AssessmentWeight.indicator, AssessmentWeight.weight)).all()
    )
    return {name: float(stored.get(name, 1.0)) for name in INDICATORS}


def set_weights(actor: User, data: dict[str, float]) -> dict[str, float]:
    """Set the weights the district assesses by (at least one above zero)."""
    require(actor, "update", "assessment")
    merged = {**weights(), **data}
    if not any(w > 0 for w in merged.values()):
        text = _l("at least one weight must be above 0")
        raise Invalid(text, {name: [text] for name in data})
    for name, value in data.items():
        row = db.session.get(AssessmentWeight, name)
        if row is None:
            db.session.add(AssessmentWeight(indicator=name, weight=value, updated_by_id=actor.id))
        else:
            row.weight, row.updated_by_id = value, actor.id
    db.session.flush()
    record_event(actor, "assessment.weights", None, **data)
    return weights()


def month_period(month: date) -> Period:
    first = month.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return Period(first, last)


def assess(actor: User, month: date, level: str) -> dict[str, Any]:
    """Scores of the streets, communities or grid workers in the actor's area for the month,
    ranked. A grid worker is scored on WORKER_INDICATORS only, over the grids they work."""
    require(actor, "read", "assessment")
    if level not in ASSESSED_LEVELS:
        text = _l("street, community or worker")
        raise Invalid(text, {"level": [text]})
    scope = scope_area(actor)
    period = month_period(month)
    w = weights()
    if level == "worker":
        rows = _worker_rows(scope, period, w)
    else:
        query = select(Area).where(Area.level == level).order_by(Area.path)
        if scope is not None:
            query = query.where(subtree_clause(Area.path, scope.path))
        areas = list(db.session.scalars(query))
        values = _values(areas, period)
        rows = [_row(area, values[area.id], values, w) for area in areas]
    _rank(rows)
    return {
        "month": period.first.strftime("%Y-%m"),
        "level": level,
        "area_id": scope.id if scope else None,
        "area_name": scope.name if scope else None,
        "weights": w,
        "rows": sorted(rows, key=lambda r: (r["rank"], r["name"])),
    }


def _values(areas: list[Area], period: Period) -> dict[int, dict[str, float]]:
    """Each area's raw indicator values (rates 0..1, cases per 10,000)."""
    if not areas:
        return {}
    on_time = _warnings_on_time(areas, period)
    aware = awareness.by_bucket(None, areas, period)
    per_10k = {c["area_id"]: c for c in cards.evaluate(None, period)}
    values = {}
    for area in areas:  # a handful of grouped queries per area: streets or communities, not rows
        figures = coverage.compute(area, period)
        groups = household_groups.for_area(area, period)
        responses, passed = aware.get(area.id, (0, 0))
        due, in_time = on_time.get(area.id, (0, 0))
        values[area.id] = {
            "site_coverage": figures["site_coverage"],
            "household_coverage": figures["household_coverage"],
            "warnings_on_time": rate(in_time, due),
            "cases_per_10k": per_10k.get(area.id, {}).get("rate_per_10k") or 0.0,
            "awareness_rate": rate(passed, responses),
            "app_install_rate": groups["all"]["install_rate"],
            "rounds_completed": figures["site_rounds_rate"],
        }
    return values


def _warnings_on_time(areas: list[Area], period: Period) -> dict[int, tuple[int, int]]:
    """(due, handled by the deadline) of the warnings due in the period, per area: one query."""
    on_time = and_(
        RiskWarning.handled_at.is_not(None), RiskWarning.handled_at <= RiskWarning.deadline_at
    )
    rows = db.session.execute(
        select(
            bucket_of(Area.path, areas).label("bucket"),
            func.count(RiskWarning.id),
            func.sum(case((on_time, 1), else_=0)),
        )
        .join(Area, Area.id == RiskWarning.area_id)
        .where(RiskWarning.deadline_at >= period.start, RiskWarning.deadline_at < period.end)
        .group_by("bucket")
    ).all()
    return {b: (int(n), int(t or 0)) for b, n, t in rows if b is not None}


def _worker_rows(scope: Area | None, period: Period, w: dict) -> list[dict]:
    """One row per person who works grids inside `scope`: their grids' figures added up."""
    grid_area = aliased(Area)
    people = grid_people()
    query = (
        select(User, grid_area)
        .join(people, people.c.user_id == User.id)
        .join(grid_area, grid_area.id == people.c.area_id)
        .where(User.active == True)  # noqa: E712
        .order_by(User.id, grid_area.path)
    )
    if scope is not None:
        query = query.where(subtree_clause(grid_area.path, scope.path))
    grids_by_person: dict[User, list[Area]] = {}
    for person, grid in db.session.execute(query):
        grids_by_person.setdefault(person, []).append(grid)
    grids = {g.id: g for gs in grids_by_person.values() for g in gs}
    per_grid = _grid_figures(list(grids.values()), period)
    on_time = _warnings_on_time(list(grids.values()), period) if grids else {}
    values = {}
    for person, worked in grids_by_person.items():
        sums = {k: sum(per_grid[g.id][k] for g in worked) for k in coverage.ADDITIVE}
        coverage.finish(sums)
        due = sum(on_time.get(g.id, (0, 0))[0] for g in worked)
        in_time = sum(on_time.get(g.id, (0, 0))[1] for g in worked)
        values[person.id] = {
            "site_coverage": sums["site_coverage"],
            "household_coverage": sums["household_coverage"],
            "warnings_on_time": rate(in_time, due),
            "rounds_completed": sums["site_rounds_rate"],
        }
    rows = []
    for person, worked in grids_by_person.items():
        row = _row(None, values[person.id], values, w, WORKER_INDICATORS)
        row.update(
            user_id=person.id,
            name=person.display_name or person.username,
            level="worker",
            grids=[g.name for g in worked],
        )
        rows.append(row)
    return rows


def _grid_figures(grids: list[Area], period: Period) -> dict[int, dict]:
    """Coverage counts per grid, computed once per community that holds some of them."""
    communities = {g.parent_id for g in grids}
    figures: dict[int, dict] = {}
    for community_id in communities:
        parent = db.session.get(Area, community_id) if community_id is not None else None
        for child in coverage.compute(parent, period)["children"]:
            figures[child["area_id"]] = child
    return figures


def normalise(name: str, value: float, highest: float) -> float:
    """0..100: a rate as a percentage; a lower-is-better value against the highest compared."""
    if name in LOWER_IS_BETTER:
        return 100.0 if highest <= 0 else round(100 * (1 - value / highest), 2)
    return round(100 * value, 2)


def _row(
    area: Area | None, mine: dict, every: dict, w: dict, names: tuple[str, ...] = INDICATORS
) -> dict:
    indicators = {}
    for name in names:
        highest = max((v[name] for v in every.values()), default=0.0)
        indicators[name] = {
            "value": mine[name],
            "normalised": normalise(name, mine[name], highest),
            "weight": w[name],
        }
    total = sum(w[name] for name in names)
    score = (
        sum(i["weight"] * i["normalised"] for i in indicators.values()) / total if total else 0.0
    )
    return {
        "area_id": area.id if area is not None else None,
        "name": area.name if area is not None else "",
        "level": area.level if area is not None else "worker",
        "indicators": indicators,
        "score": round(score, 2),
    }


def _rank(rows: list[dict]) -> None:
    """Competition ranking: equal scores share a rank, the next rank skips."""
    ordered = sorted(rows, key=lambda r: -r["score"])
    for i, row in enumerate(ordered):
        same = i > 0 and row["score"] == ordered[i - 1]["score"]
        row["rank"] = ordered[i - 1]["rank"] if same else i + 1


def as_xlsx(result: dict) -> bytes:
    """The sheet: a title row (month, area), one row per area, per indicator its value,
    normalised value and weight, then the score and rank; the score is reproducible from it."""
    from openpyxl import Workbook

    from app.services.reports import safe_text

    book = Workbook()
    sheet = book.active
    sheet.title = result["month"]
    year, month = result["month"].split("-")
    where = result["area_name"] or _l("Whole district")
    level = {"street": _l("streets"), "community": _l("communities")}.get(
        result["level"], _l("grid workers")
    )
    sheet.append(
        [
            safe_text(
                str(
                    _l(
                        "Anti-fraud assessment %(year)s-%(month)s · %(where)s · %(level)s",
                        year=year,
                        month=month,
                        where=where,
                        level=level,
                    )
                )
            )
        ]
    )
    sheet.append(
        [str(_l("Area"))]
        + [x for n in INDICATORS for x in (label(n, "indicator"), "", "")]
        + [str(_l("Score")), str(_l("Rank"))]
    )
    parts = [str(_l("value")), str(_l("normalised")), str(_l("weight"))]
    sheet.append([""] + parts * len(INDICATORS) + ["", ""])
    for row in result["rows"]:
        cells = [safe_text(row["name"])]
        for name in INDICATORS:
            i = row["indicators"].get(name)  # a grid worker is not scored on every indicator
            cells += [i["value"], i["normalised"], i["weight"]] if i else [None, None, None]
        sheet.append(cells + [row["score"], row["rank"]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
