"""Red and yellow cards (红黄牌) for streets and communities, from cases per 10,000 residents.

A period's colour: red when its cases per 10,000 residents (Area.population) reach
CARD_RED_PER_10K, yellow when they reach CARD_YELLOW_PER_10K (both inclusive), with the change
against the previous period of the same length. An area without a population gets no card.

Cards are not stored: they are recomputed from the cases. The card history evaluates each
calendar month once it is over: a card is issued on the first day after the first month of a
run of months at its colour, and lifted on the first day after the first month that is not at
that colour (a yellow turning red is lifted as the red is issued). A case entered late changes
the history, as it should. Population is today's figure.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import case, extract, func, select

from app.extensions import db
from app.models import Area, FraudCase
from app.services.access import subtree_clause
from app.services.coverage import Period

LEVELS = ("street", "community")
HISTORY_MONTHS = 12


def thresholds() -> tuple[float, float]:
    """(red, yellow) cases per 10,000 residents."""
    return float(current_app.config["CARD_RED_PER_10K"]), float(
        current_app.config["CARD_YELLOW_PER_10K"]
    )


def colour(rate: float | None) -> str | None:
    """red, yellow or None for a rate per 10,000 residents; the thresholds themselves count."""
    if rate is None:
        return None
    red, yellow = thresholds()
    if rate >= red:
        return "red"
    return "yellow" if rate >= yellow else None


def per_10k(cases: int, population: int | None) -> float | None:
    return round(cases * 10000 / population, 4) if population else None


def carded_areas(area: Area | None) -> list[Area]:
    """The streets and communities at or under `area` (all of them for the district)."""
    query = select(Area).where(Area.level.in_(LEVELS))
    if area is not None:
        query = query.where(subtree_clause(Area.path, area.path))
    return list(db.session.scalars(query.order_by(Area.path)))


def _cases_by_community(first: date, last: date, split: date):
    """{community id: (cases before `split`, cases from `split`)} in [first, last]: one query."""
    rows = db.session.execute(
        select(
            FraudCase.area_id,
            func.sum(case((FraudCase.occurred_on < split, 1), else_=0)),
            func.sum(case((FraudCase.occurred_on >= split, 1), else_=0)),
        )
        .where(FraudCase.occurred_on >= first, FraudCase.occurred_on <= last)
        .group_by(FraudCase.area_id)
    ).all()
    return {area_id: (int(before), int(after)) for area_id, before, after in rows}


def _community_paths() -> dict[int, str]:
    return dict(
        db.session.execute(select(Area.id, Area.path).where(Area.level == "community")).all()
    )


def _roll_up(
    areas: list[Area], per_community: dict[int, tuple], paths: dict[int, str], width: int
) -> dict[int, list[int]]:
    """Each street's and community's sums of its communities' `width` figures."""
    by_path = {area.path: area.id for area in areas}
    totals: dict[int, list[int]] = {area.id: [0] * width for area in areas}
    for community_id, figures in per_community.items():
        parts = paths.get(community_id, "").strip("/").split("/")
        for depth in range(1, len(parts) + 1):
            target = by_path.get("/" + "/".join(parts[:depth]) + "/")
            if target is not None:
                totals[target] = [a + b for a, b in zip(totals[target], figures)]
    return totals


def evaluate(area: Area | None, period: Period) -> list[dict]:
    """The colour of every street and community under `area` for the period, with the change."""
    areas = carded_areas(area)
    previous = period.previous()
    totals = _roll_up(
        areas, _cases_by_community(previous.first, period.last, period.first), _community_paths(), 2
    )
    result = []
    for item in areas:
        before, now = totals[item.id]
        rate, rate_before = per_10k(now, item.population), per_10k(before, item.population)
        result.append(
            {
                "area_id": item.id,
                "name": item.name,
                "level": item.level,
                "parent_id": item.parent_id,
                "population": item.population,
                "cases": now,
                "cases_previous": before,
                "rate_per_10k": rate,
                "rate_previous": rate_before,
                "change": round(rate - rate_before, 4)
                if rate is not None and rate_before is not None
                else None,
                "card": colour(rate),
            }
        )
    return result


def month_starts(today: date, months: int = HISTORY_MONTHS) -> list[date]:
    """The first days of the last `months` complete months, oldest first."""
    first = today.replace(day=1)
    starts = []
    for _ in range(months):
        first = (first - timedelta(days=1)).replace(day=1)
        starts.append(first)
    return starts[::-1]


def _monthly_counts(starts: list[date], end: date) -> dict[int, dict[date, int]]:
    """{community id: {month start: cases}} over whole months: one grouped query."""
    year, month = extract("year", FraudCase.occurred_on), extract("month", FraudCase.occurred_on)
    rows = db.session.execute(
        select(FraudCase.area_id, year, month, func.count(FraudCase.id))
        .where(FraudCase.occurred_on >= starts[0], FraudCase.occurred_on < end)
        .group_by(FraudCase.area_id, year, month)
    ).all()
    counts: dict[int, dict[date, int]] = defaultdict(dict)
    for area_id, y, m, n in rows:
        counts[area_id][date(int(y), int(m), 1)] = int(n)
    return counts


def history(area: Area | None, today: date) -> dict[int, list[dict]]:
    """{area id: [{"card", "issued_on", "lifted_on"}]} from the last complete months, oldest first."""
    starts = month_starts(today)
    areas = carded_areas(area)
    counts = _monthly_counts(starts, today.replace(day=1))
    paths = _community_paths()
    cards: dict[int, list[dict]] = {}
    for index, start in enumerate(starts):
        month = _roll_up(
            areas, {cid: (months.get(start, 0),) for cid, months in counts.items()}, paths, 1
        )
        closes = starts[index + 1] if index + 1 < len(starts) else today.replace(day=1)
        for item in areas:
            runs = cards.setdefault(item.id, [])
            level = colour(per_10k(month[item.id][0], item.population))
            current = runs[-1] if runs and runs[-1]["lifted_on"] is None else None
            if current is not None and current["card"] != level:
                current["lifted_on"] = closes.isoformat()
                current = None
            if level is not None and current is None:
                runs.append({"card": level, "issued_on": closes.isoformat(), "lifted_on": None})
    return cards


def active_cards(area: Area | None, today: date) -> list[dict]:
    """Streets and communities holding a card now, or that lost one in the last months."""
    names = {a.id: a for a in carded_areas(area)}
    result = []
    for area_id, runs in history(area, today).items():
        for run in runs:
            result.append(
                {
                    "area_id": area_id,
                    "name": names[area_id].name,
                    "level": names[area_id].level,
                    **run,
                }
            )
    result.sort(key=lambda c: c["issued_on"], reverse=True)
    return sorted(result, key=lambda c: c["lifted_on"] is not None)
