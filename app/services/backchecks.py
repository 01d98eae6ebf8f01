"""Back-checks (倒查) of fraud cases: what publicity reached the victim in the 30 days before.

For one case, over the 30 local days before the day it happened (that day excluded):
- the victim's household: its visits (who, when, outcome), whether police visited, whether it
  was ever reached before the case;
- its grid (the household's grid; unknown when the case names no household): visits, check-ins,
  coverage in the window;
- its community: whether it met its round targets in the window (every active site visited
  visits_per_month times, and, where a campaign sets household_rounds, every household reached
  that many times), leaflets handed out;
- lectures held: lecture tasks marked done, due in the window, in the community or above it.
The summary over many cases is one query with EXISTS tests, never one back-check per case.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Date, and_, exists, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement

from app.extensions import db
from app.models import Area, FraudCase, Household, Task, User, Visit
from app.policy import require
from app.services import coverage
from app.services.access import filter_by_scope, subtree_clause, visible_or_404
from app.services.localtime import local_date

WINDOW_DAYS = 30
SUMMARY_ITEMS = 500


def window_of(case: FraudCase) -> coverage.Period:
    """The 30 local days before the case's day."""
    return coverage.Period(
        case.occurred_on - timedelta(days=WINDOW_DAYS), case.occurred_on - timedelta(days=1)
    )


def for_case(actor: User, case_id: int) -> dict:
    """The back-check of one case the actor may read."""
    require(actor, "read", "case")
    case = db.session.get(FraudCase, case_id)
    return evidence_of(visible_or_404(actor, case, case.area if case else None, "case"))


def evidence_of(case) -> dict:
    """The back-check of a case (or anything with `id`, `occurred_on`, `area` its community and
    `household`), read without asking who reads it: the caller has checked that."""
    window = window_of(case)
    community = case.area
    household = case.household
    grid = household.area if household is not None else None
    community_figures = coverage.compute(community, window)
    return {
        "case_id": case.id,
        "occurred_on": case.occurred_on.isoformat(),
        "window_from": window.first.isoformat(),
        "window_to": window.last.isoformat(),
        "household": _household(case, household, window),
        "grid": _area_figures(coverage.compute(grid, window)) if grid is not None else None,
        "community": _community(community_figures),
        "lectures": _lectures(community, window),
    }


def _household(case: FraudCase, household: Household | None, window: coverage.Period) -> dict:
    """The household's visits in the window, and whether it was ever reached before the case."""
    if household is None:
        return {
            "known": False,
            "household_id": None,
            "label": None,
            "visited": False,
            "reached": False,
            "police_visited": False,
            "ever_reached": False,
            "visits": [],
        }
    rows = db.session.execute(
        select(Visit.captured_at, Visit.outcome, User.display_name, User.force)
        .join(User, User.id == Visit.user_id)
        .where(
            Visit.household_id == household.id,
            Visit.captured_at >= window.start,
            Visit.captured_at < window.end,
        )
        .order_by(Visit.captured_at)
    ).all()
    visits = [
        {"at": at, "by": name, "force": force, "outcome": outcome}
        for at, outcome, name, force in rows
    ]
    ever = db.session.scalar(
        select(
            exists().where(
                Visit.household_id == household.id,
                Visit.outcome == "reached",
                Visit.captured_at < coverage.Period(case.occurred_on, case.occurred_on).start,
            )
        )
    )
    return {
        "known": True,
        "household_id": household.id,
        "label": household.label,
        "visited": bool(visits),
        "reached": any(v["outcome"] == "reached" for v in visits),
        "police_visited": any(v["force"] == "police" for v in visits),
        "ever_reached": bool(ever),
        "visits": visits,
    }


def _area_figures(figures: dict) -> dict:
    keys = (
        "area_id",
        "name",
        "sites_total",
        "sites_visited",
        "site_coverage",
        "households_total",
        "households_reached",
        "household_coverage",
        "checkins",
        "visits",
        "leaflets",
    )
    return {key: figures[key] for key in keys}


def _community(figures: dict) -> dict:
    """The community's figures and whether it met every round target in the window."""
    sites_ok = figures["sites_met"] == figures["sites_total"]
    households_ok = (
        figures["households_required"] == 0
        or figures["households_met"] == figures["households_required"]
    )
    result = _area_figures(figures)
    result.update(
        {
            key: figures[key]
            for key in (
                "sites_met",
                "site_rounds_rate",
                "households_required",
                "households_met",
                "household_rounds_rate",
            )
        }
    )
    result["met_round_targets"] = sites_ok and households_ok
    return result


def _lectures(community: Area, window: coverage.Period) -> dict:
    """Lecture tasks done and due in the window, in the community or in an area above it."""
    ancestors = [int(part) for part in community.path.strip("/").split("/")]
    rows = db.session.execute(
        select(Task.id, Task.title, Task.due_at, Task.area_id)
        .join(Area, Area.id == Task.area_id)
        .where(
            Task.kind == "lecture",
            Task.status == "done",
            Task.due_at >= window.start,
            Task.due_at < window.end,
            or_(subtree_clause(Area.path, community.path), Area.id.in_(ancestors)),
        )
        .order_by(Task.due_at)
    ).all()
    items = [
        {"task_id": tid, "title": title, "due_at": due, "area_id": area_id}
        for tid, title, due, area_id in rows
    ]
    return {"held": len(items), "items": items}


class days_before(FunctionElement):  # noqa: N801  (reads like the SQL it stands for)
    """SQL: a DATE column minus a number of days, on SQLite and PostgreSQL."""

    type = Date()
    inherit_cache = True
    name = "days_before"


@compiles(days_before, "postgresql")
def _days_before_pg(element, compiler, **kw):
    column, days = (compiler.process(c, **kw) for c in element.clauses)
    return f"(CAST({column} AS DATE) - CAST({days} AS INTEGER))"


@compiles(days_before)
def _days_before_default(element, compiler, **kw):
    column, days = (compiler.process(c, **kw) for c in element.clauses)
    return f"date({column}, '-' || {days} || ' days')"


def summary(
    actor: User,
    area_id: int | None,
    date_from: date | None,
    date_to: date | None,
    *,
    page: int = 1,
    per_page: int = SUMMARY_ITEMS,
) -> dict:
    """Cases of a period in an area: how many came from households never reached before; `items`
    lists one page of them (`cases` counts them all)."""
    area = coverage.resolve_area(actor, area_id)
    period = coverage.make_period(date_from, date_to)
    reached = aliased(Visit)
    day = local_date(reached.captured_at)
    before = and_(
        reached.household_id == FraudCase.household_id,
        reached.outcome == "reached",
        day < FraudCase.occurred_on,
    )
    ever = exists().where(before).correlate(FraudCase)
    recent = (
        exists()
        .where(before, day >= days_before(FraudCase.occurred_on, WINDOW_DAYS))
        .correlate(FraudCase)
    )
    query = (
        select(
            FraudCase.id,
            FraudCase.occurred_on,
            FraudCase.fraud_type,
            FraudCase.loss_amount,
            Area.name,
            Household.label,
            ever.label("ever"),
            recent.label("recent"),
        )
        .join(Area, Area.id == FraudCase.area_id)
        .outerjoin(Household, Household.id == FraudCase.household_id)
        .where(FraudCase.occurred_on >= period.first, FraudCase.occurred_on <= period.last)
    )
    query = filter_by_scope(query, actor, FraudCase.area_id)
    if area is not None:
        query = query.where(subtree_clause(Area.path, area.path))
    rows = db.session.execute(
        query.order_by(FraudCase.occurred_on.desc(), FraudCase.id.desc())
    ).all()
    known = [row for row in rows if row.label is not None]
    return {
        "area_id": area.id if area else None,
        "date_from": period.first.isoformat(),
        "date_to": period.last.isoformat(),
        "cases": len(rows),
        "with_household": len(known),
        "never_reached": sum(1 for row in known if not row.ever),
        "not_reached_in_window": sum(1 for row in known if not row.recent),
        "items": [
            {
                "case_id": row.id,
                "occurred_on": row.occurred_on.isoformat(),
                "fraud_type": row.fraud_type,
                "loss_amount": str(row.loss_amount),
                "community": row.name,
                "household": row.label,
                "ever_reached": None if row.label is None else bool(row.ever),
                "reached_in_window": None if row.label is None else bool(row.recent),
            }
            for row in rows[(page - 1) * per_page : page * per_page]
        ],
    }
