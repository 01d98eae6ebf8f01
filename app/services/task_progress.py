"""Task targets and progress, counted from evidence in a few grouped queries per page of tasks.

What counts as done, per kind:
- site_check, poster, banner, screen: distinct (site, local day) pairs with an accepted check-in,
  either linked to the task (`task_id`), or not linked to any task but made at one of the task's
  sites (its `site_ids`; without them, the grid's sites of the matching kind, any kind for
  site_check) between the task's start and due time. Two scans of one site on one day count once.
- door_to_door: reachable households with a `reached` visit linked to the task or made in the
  task's grid within its period; with `household_rounds` N > 1 a household counts once per
  distinct local day, at most N times.
- rider_drop: the `materials_count` of accepted check-ins and of visits linked to the task, plus
  reported counts.
- app_promotion: households with an `app_installed` visit (linked, or in the grid within the
  period), plus reported counts.
- return_visit: a `reached` visit to the case's household, linked to the task or made between
  the task's start and due time; or (the household unknown) a count reported by an assignee.
- lecture, stall, screening, other: the counts assignees report with POST /tasks/ID/report.

A task with `photo_required` counts only the check-ins and visits that have a photo; one without is
recorded all the same and counts once a photo is added to it (PATCH, which settles the task).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import and_, case, exists, func, literal, or_, select, union, union_all

from app.extensions import db
from app.models import Area, CheckIn, FraudCase, Household, Photo, Site, Task, Visit
from app.models.task import TaskReport, task_sites
from app.services.localtime import local_date, usually

SITE_KINDS = ("site_check", "poster", "banner", "screen")
REPORTED_KINDS = (
    "lecture",
    "stall",
    "screening",
    "rider_drop",
    "app_promotion",
    "return_visit",
    "other",
)
# The campaign target that sets each count kind's goal per grid.
COUNT_TARGET_KEY = {
    "rider_drop": "leaflets",
    "lecture": "lectures",
    "stall": "stalls",
    "screening": "count",
    "app_promotion": "app_installs",
    "other": "count",
}
TARGET_KEYS = ("household_rounds", "site_visits", *dict.fromkeys(COUNT_TARGET_KEY.values()))
FINAL_STATUSES = ("done", "cancelled")
# Kinds counted from visits to a grid's households, linked to the task or not.
HOUSEHOLD_KINDS = ("door_to_door", "app_promotion", "return_visit")


def _period_start():
    return func.coalesce(Task.starts_at, Task.created_at)


def _site_kind_matches():
    """Without explicit sites a poster task counts poster sites, and so on; site_check counts all."""
    return or_(Task.kind == "site_check", Site.kind == Task.kind)


def _photo_ok(record) -> object:
    """The record counts for the task: the task needs no photo, or the record has one."""
    has_photo = exists().where(
        (Photo.checkin_id if record is CheckIn else Photo.visit_id) == record.id
    )
    return or_(Task.photo_required == False, has_photo)


def _site_progress(ids: list[int]) -> dict[int, int]:
    day = local_date(CheckIn.captured_at)
    accepted = usually(CheckIn.status == "accepted")
    linked = (
        select(CheckIn.task_id.label("task_id"), CheckIn.site_id, day.label("day"))
        .join(Task, Task.id == CheckIn.task_id)
        .where(CheckIn.task_id.in_(ids), accepted, _photo_ok(CheckIn))
    )
    own_site = exists().where(
        task_sites.c.task_id == Task.id, task_sites.c.site_id == CheckIn.site_id
    )
    has_sites = exists().where(task_sites.c.task_id == Task.id)
    matched = (  # the grid's sites first, then each site's check-ins by the (site_id, captured_at) index
        select(Task.id, CheckIn.site_id, day)
        .join(Site, Site.area_id == Task.area_id)
        .join(
            CheckIn,
            and_(
                CheckIn.site_id == Site.id,
                usually(CheckIn.task_id.is_(None)),
                accepted,
                CheckIn.captured_at >= _period_start(),
                CheckIn.captured_at <= Task.due_at,
                _photo_ok(CheckIn),
            ),
        )
        .where(Task.id.in_(ids), or_(own_site, and_(~has_sites, _site_kind_matches())))
    )
    pairs = union(linked, matched).subquery()
    rows = db.session.execute(select(pairs.c.task_id, func.count()).group_by(pairs.c.task_id))
    return dict(rows.all())


def _household_rows(ids: list[int], condition, by_day: bool = True):
    """(task_id, household_id[, day]) of visits meeting `condition`, linked or in the grid and period."""
    day = [local_date(Visit.captured_at).label("day")] if by_day else []
    linked = (
        select(Visit.task_id.label("task_id"), Visit.household_id.label("household_id"), *day)
        .join(Household, Household.id == Visit.household_id)
        .join(Task, Task.id == Visit.task_id)
        .where(Visit.task_id.in_(ids), condition, Household.unreachable == False, _photo_ok(Visit))
    )
    in_grid = (
        select(Task.id, Household.id, *day)
        .join(Household, and_(Household.area_id == Task.area_id, Household.unreachable == False))
        .join(
            Visit,
            and_(
                Visit.household_id == Household.id,
                condition,
                Visit.captured_at >= _period_start(),
                Visit.captured_at <= Task.due_at,
                _photo_ok(Visit),
            ),
        )
        .where(Task.id.in_(ids))
    )
    return union(linked, in_grid).subquery()


def _door_progress(tasks: list[Task]) -> dict[int, int]:
    if all(_rounds(t) == 1 for t in tasks):  # one round: each household once, no need for days
        rows = _household_rows([t.id for t in tasks], Visit.outcome == "reached", by_day=False)
        query = select(rows.c.task_id, func.count()).group_by(rows.c.task_id)
        return dict(db.session.execute(query).all())
    rows = _household_rows([t.id for t in tasks], Visit.outcome == "reached")
    per_household = (
        select(rows.c.task_id, func.count().label("days"))
        .group_by(rows.c.task_id, rows.c.household_id)
        .subquery()
    )
    rounds_by_task = {t.id: _rounds(t) for t in tasks if _rounds(t) > 1}
    rounds = (
        case(rounds_by_task, value=per_household.c.task_id, else_=1)
        if rounds_by_task
        else literal(1)
    )
    capped = case((per_household.c.days > rounds, rounds), else_=per_household.c.days)
    query = select(per_household.c.task_id, func.sum(capped)).group_by(per_household.c.task_id)
    return {task_id: int(total) for task_id, total in db.session.execute(query).all()}


def _app_households(ids: list[int]) -> dict[int, int]:
    rows = _household_rows(ids, Visit.app_installed == True, by_day=False)
    query = select(rows.c.task_id, func.count()).group_by(rows.c.task_id)
    return dict(db.session.execute(query).all())


def _materials(ids: list[int]) -> dict[int, int]:
    amounts = union_all(
        select(CheckIn.task_id.label("task_id"), CheckIn.materials_count.label("n"))
        .join(Task, Task.id == CheckIn.task_id)
        .where(CheckIn.task_id.in_(ids), CheckIn.status == "accepted", _photo_ok(CheckIn)),
        select(Visit.task_id, Visit.materials_count)
        .join(Task, Task.id == Visit.task_id)
        .where(Visit.task_id.in_(ids), _photo_ok(Visit)),
    ).subquery()
    query = select(amounts.c.task_id, func.coalesce(func.sum(amounts.c.n), 0)).group_by(
        amounts.c.task_id
    )
    return {task_id: int(total) for task_id, total in db.session.execute(query).all()}


def _reported(ids: list[int]) -> dict[int, int]:
    query = (
        select(TaskReport.task_id, func.sum(TaskReport.count))
        .where(TaskReport.task_id.in_(ids))
        .group_by(TaskReport.task_id)
    )
    return {task_id: int(total) for task_id, total in db.session.execute(query).all()}


def _return_visits(ids: list[int]) -> dict[int, int]:
    """1 for a return visit whose case's household was reached, linked or within its period."""
    reached = exists().where(
        Visit.household_id == FraudCase.household_id,
        Visit.outcome == "reached",
        or_(
            Visit.task_id == Task.id,
            and_(Visit.captured_at >= _period_start(), Visit.captured_at <= Task.due_at),
        ),
    )
    query = (
        select(Task.id, literal(1))
        .join(FraudCase, FraudCase.id == Task.case_id)
        .where(Task.id.in_(ids), FraudCase.household_id.is_not(None), reached)
    )
    return dict(db.session.execute(query).all())


def _rounds(task: Task) -> int:
    return max(1, int((task.targets or {}).get("household_rounds") or 1))


def done_counts(tasks: Iterable[Task]) -> dict[int, int]:
    """How much of each task is done, from evidence: one grouped query per kind of evidence."""
    tasks = list(tasks)
    by_kind: dict[str, list[Task]] = defaultdict(list)
    for task in tasks:
        by_kind[task.kind].append(task)
    ids = lambda kinds: [t.id for k in kinds for t in by_kind.get(k, [])]  # noqa: E731
    done: dict[int, int] = defaultdict(int)
    parts = []
    if ids(SITE_KINDS):
        parts.append(_site_progress(ids(SITE_KINDS)))
    if by_kind.get("door_to_door"):
        parts.append(_door_progress(by_kind["door_to_door"]))
    if ids(["app_promotion"]):
        parts.append(_app_households(ids(["app_promotion"])))
    if ids(["rider_drop"]):
        parts.append(_materials(ids(["rider_drop"])))
    if ids(["return_visit"]):
        parts.append(_return_visits(ids(["return_visit"])))
    if ids(REPORTED_KINDS):
        parts.append(_reported(ids(REPORTED_KINDS)))
    for part in parts:
        for task_id, count in part.items():
            done[task_id] += int(count or 0)
    return {task.id: done.get(task.id, 0) for task in tasks}


def attach_progress(tasks: Iterable[Task]) -> list[Task]:
    """Set `task.progress` = {"done", "target"} on each task, counted from evidence; a pure read."""
    tasks = list(tasks)
    counts = done_counts(tasks) if tasks else {}
    for task in tasks:
        task.progress = {"done": counts[task.id], "target": task.target_count}
    return tasks


def settled_status(status: str, done: int, target: int) -> str:
    """open → in_progress on the first evidence, → done once the target is met (never backwards)."""
    if status in FINAL_STATUSES:
        return status
    if target > 0 and done >= target:
        return "done"
    if done > 0 and status == "open":
        return "in_progress"
    return status


def settle(tasks: Iterable[Task]) -> list[Task]:
    """Write the status the evidence settles on each task (only where it changes), attach progress, flush.

    Called by every writer of evidence or of what counts it (a task's target, sites, period; a
    household's reachability; a site's grid or kind), in the writer's own transaction."""
    tasks = attach_progress(tasks)
    for task in tasks:
        status = settled_status(task.status, task.progress["done"], task.target_count)
        if status != task.status:
            task.status = status
    db.session.flush()
    return tasks


def settle_tasks(task_ids) -> list[Task]:
    """Settle the unfinished tasks among `task_ids` (ids, or a select() of Task.id) in one load."""
    tasks = db.session.scalars(
        select(Task)
        .where(Task.id.in_(task_ids), Task.status.not_in(FINAL_STATUSES))
        .order_by(Task.id)
    ).all()
    return settle(tasks) if tasks else []


def settle_all(batch: int = 500) -> int:
    """Settle every unfinished task, `batch` at a time (flushing each); how many statuses changed.

    For a database whose statuses were last settled by reads (before writes settled them)."""
    changed, last_id = 0, 0
    while True:
        ids = db.session.scalars(
            select(Task.id)
            .where(Task.id > last_id, Task.status.not_in(FINAL_STATUSES))
            .order_by(Task.id)
            .limit(batch)
        ).all()
        if not ids:
            return changed
        tasks = db.session.scalars(select(Task).where(Task.id.in_(ids))).all()
        before = {task.id: task.status for task in tasks}
        changed += sum(before[task.id] != task.status for task in settle(tasks))
        last_id = ids[-1]


def tasks_counting(
    task_id: int | None, grid_ids: Iterable[int], kinds: Iterable[str], grid_too: bool = True
):
    """A select() of the unfinished tasks a piece of evidence may count for: the task it names and,
    when it names none or `grid_too`, the tasks of `kinds` in its grid(s) (settling checks the rest)."""
    grid = and_(Task.area_id.in_(list(grid_ids)), Task.kind.in_(list(kinds)))
    which = (
        or_(Task.id == task_id, grid)
        if task_id is not None and grid_too
        else (Task.id == task_id if task_id is not None else grid)
    )
    return select(Task.id).where(which, Task.status.not_in(FINAL_STATUSES))


def grid_household_totals(grid_ids: list[int]) -> dict[int, int]:
    """Reachable households per grid, or the grid's `household_count` when none is reachable:
    from the counters the household writers keep on each grid (see app/models/household.py)."""
    declared = db.session.execute(
        select(Area.id, Area.reachable_households, Area.household_count).where(
            Area.id.in_(grid_ids)
        )
    ).all()
    found = {grid: reachable or stated or 0 for grid, reachable, stated in declared}
    return {g: found.get(g, 0) for g in grid_ids}


def grid_site_totals(grid_ids: list[int], kind: str) -> dict[int, int]:
    """Active sites per grid that a task of `kind` covers."""
    query = select(Site.area_id, func.count()).where(
        Site.area_id.in_(grid_ids), Site.active == True
    )
    if kind != "site_check":
        query = query.where(Site.kind == kind)
    return dict(db.session.execute(query.group_by(Site.area_id)).all())


def targets_for_grids(kind: str, targets: dict, grid_ids: list[int]) -> dict[int, int]:
    """Each grid's target for a task of `kind`, from campaign targets and the grid's households or sites."""
    if kind == "door_to_door":
        rounds = max(1, int(targets.get("household_rounds") or 1))
        return {g: n * rounds for g, n in grid_household_totals(grid_ids).items()}
    if kind in SITE_KINDS:
        per_site = int(targets.get("site_visits") or 1)
        sites = grid_site_totals(grid_ids, kind)
        return {g: sites.get(g, 0) * per_site for g in grid_ids}
    return {g: int(targets.get(COUNT_TARGET_KEY[kind]) or 0) for g in grid_ids}
