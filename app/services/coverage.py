"""Coverage, defined once and computed in the database, for any area and period.

For an area (the district when none) and a period of Asia/Shanghai days, both ends included:
- sites: active sites, and those with at least one accepted check-in in the period (a flagged
  check-in counts once a coordinator approves it, which sets it to accepted);
- households: reachable household rows of each grid, or a grid's `household_count` when it has no
  household rows at all (read from the grid's counters, which every household writer keeps:
  app/models/household.py); households reached: reachable households with a `reached` visit;
- counts: accepted check-ins, visits (any outcome), people reached (check-ins' people_reached),
  leaflets (materials of check-ins and visits), app installs (visits with app_installed);
- active people by force: people (with a force) whose own area lies in the area and who made an
  accepted check-in or a visit in the period, wherever they made it;
- round compliance: active sites with at least visits_per_month accepted check-ins per month of
  the period; households reached at least `household_rounds` times, where that is the largest
  target among campaigns overlapping the period over the household's grid.

Who may ask: admins, leaders and coordinators. With no area named, a user confined to an area
gets that area (a street leader: their street, with its communities as children); naming an area
outside their own is 403, like any reference outside one's area (an unknown id is 403 for a
confined user too, 422 for a district-wide one, as access.require_area_in_scope answers).

The same figures are given for each child area. The work is five reads, built once per shape
and sent one after another without waiting for this process to work through the answer before
(statements.read_all): the area's subtree is read once and each area labelled with its child
("bucket") in Python, and each aggregate groups by grid (or by a person's home area), its rows
then added up per bucket. The
period's whole local months are read from the monthly sums the writers keep (site_months,
household_months), its other days from the check-ins and visits (coverage_sums says how).
Of the sites and households, only those with evidence in the period are read (a grid's active
sites and households are counters its writers keep on the grid), and so are, over a few days,
the district's people who worked: a short period costs in proportion to its rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, and_, bindparam, case, func, or_, select, union

from app.errors import Invalid
from app.extensions import db
from app.models import FORCES, Area, Campaign, CheckIn, Site, SiteMonth, User, Visit
from app.models.base import one_of
from app.policy import require
from app.services import coverage_sums, rollup_cache
from app.services.access import (
    require_area_in_scope,
    scope_area,
    subtree_bounds,
    subtree_clause,
)
from app.services.localtime import start_of_day, today
from app.services.statements import in_subquery, prebuilt, read_all

MAX_DAYS = 366
# The district finds who worked in a period of at most this many days from the period's rows;
# longer ones, and smaller areas, ask each person (_worked): bench/coverage_bench.py --parts.
FEW_DAYS = 3
DAYS_PER_MONTH = 30.44
ADDITIVE = (
    "sites_total",
    "sites_visited",
    "sites_met",
    "households_total",
    "households_reached",
    "households_required",
    "households_met",
    "checkins",
    "visits",
    "people_reached",
    "leaflets",
    "app_installs",
)


@dataclass(frozen=True)
class Period:
    """Local days from `first` to `last`, both included; `start`/`end` are the UTC bounds [start, end)."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return start_of_day(self.first)

    @property
    def end(self) -> datetime:
        return start_of_day(self.last + timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def months(self) -> int:
        """How many monthly site visits the period asks for (at least one)."""
        return max(1, round(self.days / DAYS_PER_MONTH))

    def split(self) -> tuple[list[date], list[tuple[datetime, datetime]]]:
        """Its whole local months (read from the monthly sums) and the UTC ranges of its other
        days (read from the rows): coverage_sums.split."""
        return coverage_sums.split(self.first, self.last)

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1))


def make_period(first: date | None, last: date | None) -> Period:
    """A period from optional dates: by default this month up to today; 422 naming `from`/`to`."""
    last = last or today()
    first = first or last.replace(day=1)
    if first > last:
        raise Invalid(_l("the period ends before it starts"), {"from": _l("must not be after to")})
    if (last - first).days + 1 > MAX_DAYS:
        raise Invalid(
            _l("the period is too long"), {"to": _l("at most %(n)d days after from", n=MAX_DAYS)}
        )
    return Period(first, last)


def resolve_area(actor: User, area_id: int | None) -> Area | None:
    """The area a reader asks about: their own scope when none is named; 403 outside it."""
    require(actor, "read", "coverage")
    if area_id is None:
        return scope_area(actor)
    return require_area_in_scope(actor, area_id, "area_id")


def for_area(
    actor: User, area_id: int | None, date_from: date | None, date_to: date | None
) -> dict:
    """Coverage of an area the actor may read (their scope by default), with its children."""
    area = resolve_area(actor, area_id)
    return compute(area, make_period(date_from, date_to))


def children_of(area: Area | None) -> list[Area]:
    """The areas one level down: streets for the district, none for a grid."""
    if area is not None and area.level == "grid":
        return []
    statement = prebuilt(("children_of", area is None), lambda: _children(area is None))
    return list(db.session.scalars(statement, {"parent_id": area.id} if area else {}))


def _children(of_district: bool):
    parent = Area.parent_id.is_(None) if of_district else Area.parent_id == bindparam("parent_id")
    return select(Area).where(parent).order_by(Area.name, Area.id)


class Place(NamedTuple):
    """A child area, as its entry names it."""

    id: int
    name: str
    level: str


class Grid(NamedTuple):
    """A grid of the area: the child it counts for, its households, the rounds asked of them,
    its active sites and those of them asking for no visit a month."""

    bucket: int
    households: int
    rounds: int
    sites: int
    unasked: int


def bucket_of(path_column, buckets: list[Area]):
    """SQL: the id of the bucket whose subtree holds the row's area path (NULL for none)."""
    return case(*[(subtree_clause(path_column, b.path), b.id) for b in buckets], else_=None)


def compute(area: Area | None, period: Period) -> dict:
    """Coverage of `area` (None = district) and its children; the caller has checked access.
    Kept in Redis when ROLLUP_CACHE_URL is set (rollup_cache says how it stays current)."""
    return rollup_cache.cached(
        "coverage",
        area.id if area is not None else None,
        period.first,
        period.last,
        lambda: _compute(area, period),
    )


def _compute(area: Area | None, period: Period) -> dict:
    # The reads do not depend on each other's answers (statements.read_all): each answer is worked
    # through here while the database runs the next, and the visits and people beside them.
    months, edges, bounds = *period.split(), _bounds(area)
    reads = [
        (_CAMPAIGNS, {"first": period.first, "last": period.last}),
        _areas_read(area),
        _sites_read(area, period),
    ]
    beside = [coverage_sums.visit_figures(months, edges, bounds), _people_read(area, period)]
    answers = iter(read_all(reads, beside))
    targets = _round_targets(area, next(answers))
    children, homes, grids = _areas(area, targets, next(answers))
    entries = {b.id: blank(b) for b in ([area] if _is_grid(area) else children)}
    _add_grids(entries, grids)
    _add_sites(entries, grids, next(answers))
    _add_visits(entries, grids, next(answers))
    active = _active_people(entries, homes, next(answers))
    total = blank(area)
    for entry in entries.values():
        for key in ADDITIVE:
            total[key] += entry[key]
    total["active_by_force"] = active
    total["active_people"] = sum(active.values())
    for entry in (*entries.values(), total):
        finish(entry)
    total["date_from"], total["date_to"] = period.first.isoformat(), period.last.isoformat()
    total["children"] = [entries[c.id] for c in children]
    return total


def blank(area: Area | None) -> dict[str, Any]:
    """An entry with every figure at zero."""
    entry: dict[str, Any] = {
        "area_id": area.id if area else None,
        "name": area.name if area else None,
        "level": area.level if area else "district",
    }
    entry.update(dict.fromkeys(ADDITIVE, 0))
    entry["active_by_force"] = dict.fromkeys(FORCES, 0)
    entry["active_people"] = 0
    return entry


def rate(part: int, whole: int) -> float:
    """part / whole as a fraction 0..1, rounded to 4 places; 0 when whole is 0."""
    return round(min(part / whole, 1.0), 4) if whole else 0.0


def finish(entry: dict) -> None:
    """Add the rates."""
    entry["site_coverage"] = rate(entry["sites_visited"], entry["sites_total"])
    entry["household_coverage"] = rate(entry["households_reached"], entry["households_total"])
    entry["site_rounds_rate"] = rate(entry["sites_met"], entry["sites_total"])
    entry["household_rounds_rate"] = rate(entry["households_met"], entry["households_required"])


_CAMPAIGNS = (
    select(Area.path, Campaign.targets)
    .join(Area, Area.id == Campaign.area_id)
    .where(Campaign.starts_on <= bindparam("last"), Campaign.ends_on >= bindparam("first"))
)


def _round_targets(area: Area | None, campaigns: Sequence) -> dict[str, int]:
    """{area path: household_rounds} of the campaigns overlapping the period (the rows of
    _CAMPAIGNS) over or above `area`."""
    best: dict[str, int] = {}
    for path, targets in campaigns:  # a few per month, not data rows
        rounds = targets.get("household_rounds") if isinstance(targets, dict) else None
        if not isinstance(rounds, int) or isinstance(rounds, bool) or rounds <= 0:
            continue
        if area is None or path.startswith(area.path) or area.path.startswith(path):
            best[path] = max(rounds, best.get(path, 0))
    return best


def _is_grid(area: Area | None) -> bool:
    return area is not None and area.level == "grid"


def _bounds(area: Area | None) -> tuple[str, str] | None:
    """The area's subtree as a range of paths (None for the district: no condition needed)."""
    return subtree_bounds(area.path) if area is not None else None


def _in_bounds(values: dict, area: Area | None) -> dict:
    """`values` with the area's path range bound as `lo` and `hi` (none for the district)."""
    bounds = _bounds(area)
    return values if bounds is None else {**values, "lo": bounds[0], "hi": bounds[1]}


def _areas_read(area: Area | None) -> tuple:
    statement = prebuilt(("areas", area is None), lambda: _areas_query(area is None))
    return statement, _in_bounds({}, area)


def _areas_query(of_district: bool):
    """Every area of the subtree (the district: all) with the counters of its sites and households (kept by their writers: app/models/household.py,
    site.py; a grid's only)."""
    query = select(
        Area.id,
        Area.parent_id,
        Area.level,
        Area.name,
        Area.path,
        Area.household_count,
        Area.household_rows,
        Area.reachable_households,
        Area.active_sites,
        Area.unasked_sites,
    )
    if of_district:
        return query
    return query.where(Area.path >= bindparam("lo"), Area.path < bindparam("hi"))


def _areas(
    area: Area | None, targets: dict[str, int], rows: Sequence
) -> tuple[list, dict[int, int | None], dict[int, Grid]]:
    """From the subtree's areas: the area's children (by name), the bucket each area counts
    for (the child holding it; a grid asked about is its own), and its grids."""
    # Read once (a district has about a thousand grids) and labelled here: each aggregate then
    # groups by grid (or by a person's home area) alone and its rows are added up per bucket in
    # Python, which costs less than carrying a CASE over the buckets' paths through every query.
    parent = area.id if area is not None else None
    above = max((r for p, r in targets.items() if area and area.path.startswith(p)), default=0)
    parents, paths = {row[0]: row[1] for row in rows}, {row[0]: row[4] for row in rows}
    homes: dict[int, int | None] = {}  # area id -> the bucket it counts for
    rounds: dict[int | None, int] = {parent: above}  # area id -> household rounds asked

    def place(area_id: int) -> None:  # its parent's first (no order is asked of the database)
        parent_id = parents[area_id]
        if area_id == parent:  # the area asked about: a grid counts for itself
            homes[area_id] = area_id if _is_grid(area) else None
            return
        if parent_id != parent and parent_id not in homes:
            place(parent_id)
        homes[area_id] = area_id if parent_id == parent else homes[parent_id]
        rounds[area_id] = max(rounds.get(parent_id, above), targets.get(paths[area_id], 0))

    children, grids = [], {}
    for area_id, parent_id, level, name, _path, stated, own, reachable, sites, unasked in rows:
        if area_id not in homes:
            place(area_id)
        if parent_id == parent and area_id != parent:
            children.append(Place(area_id, name, level))
        bucket = homes[area_id]
        if level == "grid" and bucket is not None:
            households = (reachable if own else stated) or 0
            grids[area_id] = Grid(bucket, households, rounds[area_id], sites, unasked)
    children.sort(key=lambda child: (child.name, child.id))
    return children, homes, grids


def _add_grids(entries: dict, grids: dict[int, Grid]) -> None:
    """What the grids' counters give: active sites, those met without a visit (they ask for
    none), households, and those of grids asked for household rounds."""
    for grid in grids.values():
        entry = entries[grid.bucket]
        entry["sites_total"] += grid.sites
        entry["sites_met"] += grid.unasked
        entry["households_total"] += grid.households
        entry["households_required"] += grid.households if grid.rounds > 0 else 0


def _sites_read(area: Area | None, period: Period) -> tuple:
    months, edges = period.split()
    shape = coverage_sums.period_shape(months, edges)
    statement = prebuilt(
        ("sites", *shape, area is None), lambda: _sites_query(*shape, area is None)
    )
    values = {**coverage_sums.period_values(months, edges), "asked_months": period.months}
    return statement, _in_bounds(values, area)


def _add_sites(entries: dict, grids: dict[int, Grid], rows: Sequence) -> None:
    """Visited sites, sites meeting their monthly visits (of those asking for any), check-ins,
    people reached, leaflets; the grids' counters give the active sites (_add_grids)."""
    for grid_id, visited, met_count, checkins, people, materials in rows:
        if grid_id not in grids:
            continue
        entry = entries[grids[grid_id].bucket]
        entry["sites_visited"] += int(visited)
        entry["sites_met"] += int(met_count)
        entry["checkins"] += int(checkins)
        entry["people_reached"] += int(people or 0)
        entry["leaflets"] += int(materials or 0)


def _sites_query(n_months: int, n_edges: int, of_district: bool):
    if n_months == 1 and not n_edges:
        # One whole month: a site has one row of site_months at most, so the area's sites are
        # met with it and grouped by grid at once (SQLite: in ix_sites_area_id's order, no sort;
        # PostgreSQL: a street's sites looked up one by one through statements.in_subquery).
        month = and_(SiteMonth.site_id == Site.id, coverage_sums.in_months(SiteMonth.month, 1))
        n = func.coalesce(SiteMonth.checkins, 0)
        query = select(
            Site.area_id, *_site_sums(n, SiteMonth.people_reached, SiteMonth.materials)
        ).outerjoin(SiteMonth, month)
        if not of_district:
            query = query.where(in_subquery(Site.area_id, coverage_sums.grids_under()))
    else:
        # Other periods: the period's sums per site (coverage_sums.checkins_per_site), each met
        # with its site; only the sites with evidence in the period are read. PostgreSQL finds
        # a street's sites through ix_sites_area_id instead of hashing every site
        # (statements.in_subquery: a street's day, half this step).
        counted = coverage_sums.checkins_per_site(n_months, n_edges, not of_district)
        query = select(
            Site.area_id, *_site_sums(counted.c.n, counted.c.people, counted.c.materials)
        ).join(Site, Site.id == counted.c.site_id)
        if not of_district:
            query = query.where(in_subquery(Site.area_id, coverage_sums.grids_under()))
    return query.group_by(Site.area_id)


def _site_sums(n, people, materials) -> list:
    """SQL, per grid: visited active sites, those meeting their visits (of those asking for any:
    the others are met already; `asked_months` visits a month each), and the sums of check-ins
    (n), people and leaflets."""
    active = Site.active == True  # noqa: E712
    need = Site.visits_per_month * bindparam("asked_months", type_=Integer)
    return [
        func.sum(case((and_(active, n > 0), 1), else_=0)),
        func.sum(case((and_(active, need > 0, n >= need), 1), else_=0)),
        func.coalesce(func.sum(n), 0),
        func.sum(people),
        func.sum(materials),
    ]


def _add_visits(entries: dict, grids: dict[int, Grid], rows: Sequence) -> None:
    """Visits, households reached, households meeting their rounds, installs, leaflets, from a
    few rows per grid (coverage_sums.visit_figures)."""
    for grid_id, times, visits, installs, materials, households in rows:
        if grid_id not in grids:
            continue
        grid = grids[grid_id]
        entry = entries[grid.bucket]
        entry["visits"] += visits
        entry["app_installs"] += installs
        entry["leaflets"] += materials
        if times > 0:
            entry["households_reached"] += households
            if grid.rounds > 0 and times >= grid.rounds:
                entry["households_met"] += households


def _people_read(area: Area | None, period: Period) -> tuple:
    """People by (home area, force) who worked in the period, of the area's subtree."""
    few = area is None and period.days <= FEW_DAYS
    statement = prebuilt(
        ("active people", area is None, few), lambda: _people_query(area is None, few)
    )
    values = {"start": period.start, "end": period.end}
    return statement, _in_bounds(values, area)


def _people_query(of_district: bool, few: bool):
    query = (
        select(User.area_id, User.force, func.count(User.id))
        .where(one_of(User.force, FORCES), User.active == True, _worked(few))  # noqa: E712
        .group_by(User.area_id, User.force)
    )
    if of_district:
        return query
    return query.where(
        User.area_id.in_(
            select(Area.id).where(Area.path >= bindparam("lo"), Area.path < bindparam("hi"))
        )
    )


def _active_people(entries: dict, homes: dict[int, int | None], rows: Sequence) -> dict[str, int]:
    """People by force who worked in the period, counted in the bucket of their own area."""
    total = dict.fromkeys(FORCES, 0)
    for home, force, count in rows:
        total[force] += count
        bucket = homes.get(home)
        if bucket in entries:
            entries[bucket]["active_by_force"][force] += count
    for entry in entries.values():
        entry["active_people"] = sum(entry["active_by_force"].values())
    return total


def _worked(few: bool):
    """SQL: the person made an accepted check-in or a visit in the period [`start`, `end`)."""
    accepted = (
        CheckIn.status == "accepted",
        CheckIn.captured_at >= bindparam("start"),
        CheckIn.captured_at < bindparam("end"),
    )
    visited = (Visit.captured_at >= bindparam("start"), Visit.captured_at < bindparam("end"))
    if few:
        # The whole district's 1,900 people over a few days: those named by the period's rows
        # (ix_checkins_period and ix_visits_coverage_grid carry the person). A street's or a
        # grid's few people are asked one by one as below: the rows are the whole district's.
        return User.id.in_(
            union(select(CheckIn.user_id).where(*accepted), select(Visit.user_id).where(*visited))
        )
    # Otherwise each person is asked, from the (person, time[, status]) indexes alone (an id, not *,
    # keeps SQLite off the rows), which costs the same whatever the period holds.
    return or_(
        select(Visit.id).where(Visit.user_id == User.id, *visited).exists(),
        select(CheckIn.id).where(CheckIn.user_id == User.id, *accepted).exists(),
    )
