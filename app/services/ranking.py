"""The leaders' ranking: child areas ordered by a chosen measure, with competition ranks (1, 2, 2, 4)."""

from __future__ import annotations

from collections.abc import Callable

# Measures a ranking can be ordered by; each ranks the largest value first.
MEASURES = (
    "site_coverage",
    "household_coverage",
    "site_change",
    "household_change",
    "checkins",
    "visits",
    "overdue_tasks",
    "cases",
    "rate_per_10k",
    "card_rank",
    "awareness_rate",
)
DEFAULT_MEASURE = "site_coverage"
CARD_RANK = {"red": 2, "yellow": 1}


def change(now: float, before: dict | None, evidence: str, measure: str) -> float | None:
    """Now minus the previous period's value; None when that period holds no data for the area
    (no check-ins for site coverage, no visits for household coverage): a change from nothing
    would read as the whole value."""
    if not before or not before.get(evidence):
        return None
    return round(now - before.get(measure, 0.0), 4)


def _key(measure: str) -> Callable[[dict], float]:
    def value(row: dict) -> float:
        number = row.get(measure)
        return float("-inf") if number is None else float(number)

    return value


def rank_rows(rows: list[dict], measure: str = DEFAULT_MEASURE) -> list[dict]:
    """The rows ordered by `measure`, largest first (name breaks ties), each given its `rank`.

    Equal values share a rank and the next one skips (1, 2, 2, 4); a row without the measure
    (no change to tell) comes last with no rank."""
    measure = measure if measure in MEASURES else DEFAULT_MEASURE
    value = _key(measure)
    ordered = sorted(rows, key=lambda row: (-value(row), row.get("name") or ""))
    previous, rank = None, 0
    for position, row in enumerate(ordered, start=1):
        if row.get(measure) is None:
            row["rank"] = None
            continue
        if value(row) != previous:
            rank, previous = position, value(row)
        row["rank"] = rank
    return ordered
