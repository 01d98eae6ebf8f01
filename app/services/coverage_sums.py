"""Where coverage reads a period's check-ins and visits from: the monthly sums the writers keep
(site_months, household_months) for the local months lying wholly inside the period, the rows
themselves for the days before and after them.

The sums are additive, so a period is its whole months read from the sums plus its partial
months read from the rows, added up per site and per household. A whole month is one row per
site or household visited that month instead of every check-in and visit (about 4 and 1.4 of
them); a period of days within one month reads the rows alone, as before the sums existed.
`recount_months` rebuilds the sums from the rows (the writers keep them; this repairs a database
written around them) and says how many rows it changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

from sqlalchemy import (
    Integer,
    bindparam,
    case,
    cast,
    delete,
    func,
    literal,
    select,
    true,
    union_all,
    update,
)

from app.extensions import db
from app.models import Area, CheckIn, Household, HouseholdMonth, Site, SiteMonth, Visit
from app.models.base import local_month
from app.services.localtime import start_of_day
from app.services.statements import in_list, in_subquery, prebuilt


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def split(first: date, last: date) -> tuple[list[date], list[tuple[datetime, datetime]]]:
    """The local months lying wholly in [first, last] (their first days), and the UTC ranges
    [start, end) of the period's days outside them (none, one or two)."""
    month = first if first.day == 1 else next_month(first)
    months = []
    while next_month(month) <= date.fromordinal(last.toordinal() + 1):
        months.append(month)
        month = next_month(month)
    start, end = start_of_day(first), start_of_day(date.fromordinal(last.toordinal() + 1))
    if not months:
        return [], [(start, end)]
    inner = (start_of_day(months[0]), start_of_day(next_month(months[-1])))
    edges = [(a, b) for a, b in ((start, inner[0]), (inner[1], end)) if a < b]
    return months, edges


def period_values(months: list[date], edges: list) -> dict:
    """The bind values of a period's statements: its whole months (`month`, or `months` when
    several) and its other days' UTC ranges (`start_0`, `end_0`, ...)."""
    values: dict = {}
    if len(months) == 1:
        values["month"] = months[0]
    elif months:
        values["months"] = months
    for i, (start, end) in enumerate(edges):
        values[f"start_{i}"], values[f"end_{i}"] = start, end
    return values


def period_shape(months: list[date], edges: list) -> tuple[int, int]:
    """What the text of a period's statements depends on: none, one or several whole months;
    how many ranges of other days."""
    return min(len(months), 2), len(edges)


def in_months(column, n_months: int):
    """SQL: the month column within the period's whole months: one month as an equality (SQLite
    then reads it in index order without sorting), several as a list (one seek each)."""
    if n_months == 1:
        return column == bindparam("month")
    return in_list(column, "months")


def in_edge(column, i: int) -> tuple:
    """SQL: the time column within the period's i-th range of other days."""
    return column >= bindparam(f"start_{i}"), column < bindparam(f"end_{i}")


def grids_under():
    """SQL: the ids of the grids whose path lies in [`lo`, `hi`) (access.subtree_bounds)."""
    return select(Area.id).where(
        Area.level == "grid", Area.path >= bindparam("lo"), Area.path < bindparam("hi")
    )


def _narrow(narrowed: bool):
    return grids_under() if narrowed else None


def _within(column, ids) -> list:
    # A plain IN: the period's rows are read and the ids hashed, which costs less than looking
    # up each id in an index (a street has 2,000 sites).
    return [] if ids is None else [column.in_(ids)]


def _values(months: list[date], edges: list, bounds: tuple[str, str] | None) -> dict:
    values = period_values(months, edges)
    if bounds is not None:
        values["lo"], values["hi"] = bounds
    return values


def checkins_per_site(n_months: int, n_edges: int, narrowed: bool):
    """A subquery (site_id, n, people, materials) of the period's accepted check-ins, summed per
    site, read from the sums for its whole months and from the rows in its other days; when
    `narrowed`, of the sites of the grids in [`lo`, `hi`) only."""
    # (A street's sites through ix_sites_area_id, then hashed against the period's rows.)
    sites = select(Site.id).where(in_subquery(Site.area_id, grids_under())) if narrowed else None
    parts = []
    if n_months:
        parts.append(
            select(
                SiteMonth.site_id,
                SiteMonth.checkins.label("n"),
                SiteMonth.people_reached.label("people"),
                SiteMonth.materials.label("materials"),
            ).where(in_months(SiteMonth.month, n_months), *_within(SiteMonth.site_id, sites))
        )
    for i in range(n_edges):
        parts.append(
            select(
                CheckIn.site_id,
                literal(1).label("n"),
                func.coalesce(CheckIn.people_reached, 0).label("people"),
                func.coalesce(CheckIn.materials_count, 0).label("materials"),
            ).where(
                CheckIn.status == "accepted",
                *in_edge(CheckIn.captured_at, i),
                *_within(CheckIn.site_id, sites),
            )
        )
    rows = (parts[0] if len(parts) == 1 else union_all(*parts)).subquery("rows")
    # Grouped by site_id + 0, not site_id: SQLite, which cannot tell how few rows a period
    # holds, would otherwise seek each of the 20,000 sites in ix_checkins_coverage to group the
    # rows in its order without a sort, instead of reading the period from ix_checkins_period
    # (10 times slower for a day, 1.5 for a month: bench/coverage_bench.py --parts). The sums
    # are cast back to integers: PostgreSQL's sum of a bigint is a numeric, slow to add up again.
    site_id = (rows.c.site_id + 0).label("site_id")
    return (
        select(
            site_id,
            cast(func.sum(rows.c.n), Integer).label("n"),
            cast(func.sum(rows.c.people), Integer).label("people"),
            cast(func.sum(rows.c.materials), Integer).label("materials"),
        )
        .group_by(site_id)
        .subquery("counted")
    )


def visit_figures(months: list[date], edges: list, bounds: tuple[str, str] | None) -> tuple:
    """A read of (grid id, times reached, visits, app installs, leaflets, households) rows of
    the period, from the sums for `months` and the rows in `edges`, of the grids within `bounds`
    (a path range) when given: the households of a grid grouped by how often they were reached
    (0 for none, and for the unreachable, whose `reached` visits do not count), with their
    visits, installs and leaflets."""
    shape = (*period_shape(months, edges), bounds is not None)
    statement = prebuilt(("visit_figures", *shape), lambda: _visit_figures(*shape))
    return statement, _values(months, edges, bounds)


def _visit_figures(n_months: int, n_edges: int, narrowed: bool):
    # One read of the period's visits for every figure: whole months from household_months (one
    # row per household and month, by grid), the other days from ix_visits_coverage_grid (each
    # visit carries its household's grid), so neither reads a household; of the households,
    # only the few unreachable ones are read (ix_households_unreachable_id).
    unreachable = select(Household.id).where(Household.unreachable == True)  # noqa: E712
    grids, hm = _narrow(narrowed), HouseholdMonth
    parts = []
    if n_months:
        parts.append(
            select(
                hm.area_id.label("area_id"),
                hm.household_id.label("household_id"),
                hm.visits.label("visits"),
                hm.app_installs.label("installs"),
                hm.materials.label("materials"),
                hm.reached.label("reached"),
            ).where(in_months(hm.month, n_months), *_within(hm.area_id, grids))
        )
    for i in range(n_edges):
        parts.append(
            select(
                Visit.area_id.label("area_id"),
                Visit.household_id.label("household_id"),
                literal(1).label("visits"),
                case((Visit.app_installed == True, 1), else_=0).label("installs"),  # noqa: E712
                func.coalesce(Visit.materials_count, 0).label("materials"),
                case((Visit.outcome == "reached", 1), else_=0).label("reached"),
            ).where(*in_edge(Visit.captured_at, i), *_within(Visit.area_id, grids))
        )
    rows = (parts[0] if len(parts) == 1 else union_all(*parts)).subquery("rows")
    # One row per household (a household has one row a month, or one per visit), the sums cast
    # back to integers (PostgreSQL's sum of a bigint is a numeric, slow to add up again), and
    # whether it is reachable worked out once per household.
    grouped = len(parts) > 1 or n_months != 1
    sums = [
        cast(func.sum(rows.c[name]), Integer).label(name) if grouped else rows.c[name]
        for name in ("visits", "installs", "materials")
    ]
    reached = cast(func.sum(rows.c.reached), Integer) if grouped else rows.c.reached
    households = select(
        rows.c.area_id,
        *sums,
        case((rows.c.household_id.in_(unreachable), 0), else_=reached).label("times"),
    )
    if grouped:
        households = households.group_by(rows.c.area_id, rows.c.household_id)
    households = households.subquery("households")
    return select(
        households.c.area_id,
        households.c.times,
        cast(func.sum(households.c.visits), Integer),
        cast(func.sum(households.c.installs), Integer),
        cast(func.sum(households.c.materials), Integer),
        func.count(),
    ).group_by(households.c.area_id, households.c.times)


# --- rebuilding the sums from the rows --------------------------------------------------


def _months_of(column) -> Iterator[tuple[date, datetime, datetime]]:
    """(month, UTC start, UTC end) of every local month from the column's first value to its last."""
    first, last = db.session.execute(select(func.min(column), func.max(column))).one()
    if first is None:
        return
    month, final = local_month(first), local_month(last)
    while month <= final:
        yield month, start_of_day(month), start_of_day(next_month(month))
        month = next_month(month)


def _site_rows(start: datetime, end: datetime):
    return select(
        CheckIn.site_id,
        func.count(CheckIn.id),
        func.coalesce(func.sum(CheckIn.people_reached), 0),
        func.coalesce(func.sum(CheckIn.materials_count), 0),
    ).where(CheckIn.status == "accepted", CheckIn.captured_at >= start, CheckIn.captured_at < end)


def _household_rows(start: datetime, end: datetime):
    return (
        select(
            Visit.household_id,
            Household.area_id,
            func.count(Visit.id),
            func.sum(case((Visit.app_installed == True, 1), else_=0)),  # noqa: E712
            func.coalesce(func.sum(Visit.materials_count), 0),
            func.sum(case((Visit.outcome == "reached", 1), else_=0)),
        )
        .join(Household, Household.id == Visit.household_id)
        .where(Visit.captured_at >= start, Visit.captured_at < end)
    )


SOURCES = (
    # table, key, its other columns, the rows of one month grouped by key, the time column
    (SiteMonth, ("site_id",), ("checkins", "people_reached", "materials"), _site_rows, CheckIn),
    (
        HouseholdMonth,
        ("household_id",),
        ("area_id", "visits", "app_installs", "materials", "reached"),
        _household_rows,
        Visit,
    ),
)


def recount_months() -> dict[str, int]:
    """Make site_months and household_months equal to what the check-ins and visits hold, month
    by month (one month in memory at a time); per table, how many rows were added, changed or
    removed (rows left at zero by the writers are removed and not counted). Idempotent; in the
    caller's transaction."""
    changed = {}
    for model, key, figures, rows_of, evidence in SOURCES:
        table = model.__table__
        empty = db.session.scalar(select(table.c.month).limit(1)) is None
        changed[table.name], months = 0, []
        for month, start, end in _months_of(evidence.captured_at):
            months.append(month)
            query = rows_of(start, end).group_by(*(evidence.__table__.c[k] for k in key))
            if model is HouseholdMonth:
                query = query.group_by(Household.area_id)
            if empty:  # a bulk load: the month's sums inserted straight from its rows
                query = query.add_columns(literal(month).label("month"))
                db.session.execute(table.insert().from_select((*key, *figures, "month"), query))
                continue
            wanted = {
                (*row[: len(key)], month): tuple(row[len(key) :])
                for row in db.session.execute(query)
            }
            changed[table.name] += _apply(
                table, key, figures, _stored(table, key, figures, month), wanted
            )
        if empty:  # (rowcount is not told for INSERT ... SELECT on every driver)
            changed[table.name] = db.session.scalar(select(func.count()).select_from(table))
        else:  # months holding no evidence at all hold no sums either
            stray = table.c.month.not_in(months) if months else true()
            changed[table.name] += _apply(
                table, key, figures, _stored(table, key, figures, stray), {}
            )
    if any(changed.values()):
        from app.services import rollup_cache

        rollup_cache.note("checkins")  # evidence of no named month: every roll-up is recomputed
    return changed


def _stored(table, key: tuple, figures: tuple, month) -> dict:
    """{(key..., month): figures} of the stored rows of `month` (a date, or a condition)."""
    where = table.c.month == month if isinstance(month, date) else month
    columns = [table.c[name] for name in (*key, "month", *figures)]
    return {
        tuple(row[: len(key) + 1]): tuple(row[len(key) + 1 :])
        for row in db.session.execute(select(*columns).where(where))
    }


def _apply(table, key: tuple, figures: tuple, stored: dict, wanted: dict) -> int:
    """Write the differences between `stored` and `wanted` rows; how many rows really differed."""
    key = (*key, "month")
    counts = [i for i, name in enumerate(figures) if name != "area_id"]
    zero = {k for k, v in stored.items() if k not in wanted and not any(v[i] for i in counts)}
    gone = [k for k in stored if k not in wanted]
    new = [k for k in wanted if k not in stored]
    moved = [k for k in wanted if k in stored and stored[k] != wanted[k]]
    names = (*key, *figures)
    if gone:
        db.session.execute(
            delete(table).where(*(table.c[n] == bindparam(f"k_{n}") for n in key)),
            [{f"k_{n}": v for n, v in zip(key, k, strict=True)} for k in gone],
        )
    if new:
        db.session.execute(
            table.insert(), [dict(zip(names, (*k, *wanted[k]), strict=True)) for k in new]
        )
    if moved:
        db.session.execute(
            update(table)
            .where(*(table.c[n] == bindparam(f"k_{n}") for n in key))
            .values({n: bindparam(f"v_{n}") for n in figures}),
            [
                {
                    **{f"k_{n}": v for n, v in zip(key, k, strict=True)},
                    **{f"v_{n}": v for n, v in zip(figures, wanted[k], strict=True)},
                }
                for k in moved
            ],
        )
    return len(gone) - len(zero) + len(new) + len(moved)
