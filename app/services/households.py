"""Households per grid: an address label and tags, never names or ID numbers."""

from __future__ import annotations

import unicodedata
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, exists, func, select, union
from sqlalchemy.orm import joinedload

from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.models import Area, Household, Task, User
from app.models.area import recount_counters
from app.models.task import task_assignees
from app.policy import is_field_worker, require
from app.services import task_progress
from app.services.access import (
    filter_by_scope,
    grids_of,
    is_id,
    require_area_in_scope,
    subtree_clause,
    within_scope,
)
from app.services.audit import changes, record_event, snapshot

UNREACHABLE_REASONS = ("vacant", "demolished")
LABEL_MAX = 120
ACTIVE_TASK_STATUSES = ("open", "in_progress")


def normalize_label(label: str) -> str:
    """Width-folded (１２－２ → 12-2), single-spaced, trimmed, no NUL: duplicates compare as people see them."""
    return " ".join(unicodedata.normalize("NFKC", label or "").replace("\x00", "").split())


def building_of(label: str) -> str:
    """The building part of a building-unit-room label ("12-2-301" → "12")."""
    return label.split("-", 1)[0].strip()


def worker_grid_ids(user: User):
    """A select of the grids a worker works: their own, and those of tasks assigned to them."""
    own = grids_of(user.id).subquery()
    tasked = (
        select(Task.area_id)
        .join(task_assignees, task_assignees.c.task_id == Task.id)
        .where(task_assignees.c.user_id == user.id, Task.status.in_(ACTIVE_TASK_STATUSES))
    )
    return union(select(own.c.area_id), tasked)


def works_in(user: User, grid_id: int) -> bool:
    """True when `grid_id` is one of the worker's grids (own or by an active task)."""
    ids = worker_grid_ids(user).subquery()
    return bool(db.session.scalar(select(exists().where(ids.c.area_id == grid_id))))


def can_see_household(user: User, household: Household) -> bool:
    """Workers see their grids' households; everyone else their area's."""
    if is_field_worker(user):
        return works_in(user, household.area_id)
    return within_scope(user, household.area)


def get_household(actor: User, household_id: int) -> Household:
    """A household the actor may see (404 otherwise)."""
    household = db.session.get(Household, household_id) if is_id(household_id) else None
    if household is None or not can_see_household(actor, household):
        raise NotFound(_l("household not found"))
    return household


def scoped_households(actor: User):
    """A select() of every household the actor may see."""
    query = select(Household)
    if is_field_worker(actor):
        return query.where(Household.area_id.in_(worker_grid_ids(actor).scalar_subquery()))
    return filter_by_scope(query, actor, Household.area_id)


def list_households(
    actor: User,
    area_id: int | None = None,
    tag: str | None = None,
    unreachable: bool | None = None,
    q: str | None = None,
):
    """A select() of the households the actor may see, filtered and ordered by grid and label."""
    query = scoped_households(actor).options(joinedload(Household.area))
    if area_id is not None:
        area = require_area_in_scope(actor, area_id)
        query = query.where(
            Household.area_id.in_(select(Area.id).where(subtree_clause(Area.path, area.path)))
        )
    if tag:
        # Tags come from a fixed vocabulary, so the quoted word in the JSON text is exact.
        query = query.where(cast(Household.tags, String).contains(f'"{tag}"'))
    if unreachable is not None:
        query = query.where(Household.unreachable == unreachable)
    if q:
        query = query.where(Household.label.startswith(normalize_label(q), autoescape=True))
    return query.order_by(Household.area_id, Household.label, Household.id)


def _grid_in_scope(actor: User, area_id: int) -> Area:
    area = require_area_in_scope(actor, area_id)
    if area.level != "grid":
        raise Invalid(_l("a household belongs to a grid"), {"area_id": _l("must be a grid")})
    return area


def _clean_label(label: str) -> str:
    label = normalize_label(label)
    if not label:
        raise Invalid(_l("label is empty"), {"label": _l("must not be empty")})
    if len(label) > LABEL_MAX:
        raise Invalid(
            _l("label is too long"), {"label": _l("at most %(n)d characters", n=LABEL_MAX)}
        )
    return label


def _check_free(area_id: int, label: str, exclude: int | None = None) -> None:
    query = select(Household.id).where(Household.area_id == area_id, Household.label == label)
    if exclude is not None:
        query = query.where(Household.id != exclude)
    if db.session.scalar(query) is not None:
        raise Conflict(
            _l("label already used in this grid"), {"label": _l("already used in this grid")}
        )


def _apply_reachability(household: Household, data: dict[str, Any]) -> None:
    """`unreachable` needs a reason (vacant, demolished); a reason alone marks it unreachable."""
    if "unreachable" not in data and "unreachable_reason" not in data:
        return
    given_reason = data.get("unreachable_reason")
    unreachable = data.get("unreachable", bool(given_reason) or household.unreachable)
    reason = data.get("unreachable_reason", household.unreachable_reason)
    if unreachable and reason not in UNREACHABLE_REASONS:
        raise Invalid(
            _l("say why it is unreachable"),
            {
                "unreachable_reason": _l(
                    "one of %(choices)s", choices=", ".join(UNREACHABLE_REASONS)
                )
            },
        )
    if not unreachable and given_reason:
        raise Invalid(
            _l("a reachable household has no reason"),
            {"unreachable_reason": _l("only for an unreachable household")},
        )
    household.unreachable = bool(unreachable)
    household.unreachable_reason = reason if unreachable else None


def create_household(actor: User, data: dict[str, Any]) -> Household:
    """Add a household to a grid the actor manages; labels are unique per grid."""
    require(actor, "create", "household")
    grid = _grid_in_scope(actor, data["area_id"])
    label = _clean_label(data["label"])
    _check_free(grid.id, label)
    household = Household(
        area_id=grid.id, label=label, tags=sorted(set(data.get("tags") or [])), unreachable=False
    )
    _apply_reachability(household, data)
    db.session.add(household)
    db.session.flush()
    record_event(actor, "household.create", household, area_id=grid.id)
    return household


def update_household(actor: User, household: Household, data: dict[str, Any]) -> Household:
    """Change a household's label, tags or reachability (coordinators and admins of its area)."""
    require(actor, "update", "household", household)
    before = snapshot(household, data)
    if "label" in data:
        label = _clean_label(data["label"])
        _check_free(household.area_id, label, exclude=household.id)
        household.label = label
    if "tags" in data:
        household.tags = sorted(set(data["tags"] or []))
    reachable = not household.unreachable
    _apply_reachability(household, data)
    db.session.flush()
    if reachable == household.unreachable:  # its visits stop or start counting
        task_progress.settle_tasks(
            task_progress.tasks_counting(None, [household.area_id], task_progress.HOUSEHOLD_KINDS)
        )
    record_event(actor, "household.update", household, **changes(before, snapshot(household, data)))
    return household


def recount_households() -> int:
    """Rebuild every area's household_rows and reachable_households from the household rows
    (the writers keep them; this repairs a database written around them); how many changed."""
    areas, households = Area.__table__, Household.__table__
    rows = (
        select(func.count(households.c.id))
        .where(households.c.area_id == areas.c.id)
        .scalar_subquery()
    )
    reachable = (
        select(func.count(households.c.id))
        .where(households.c.area_id == areas.c.id, households.c.unreachable == False)  # noqa: E712
        .scalar_subquery()
    )
    return recount_counters({"household_rows": rows, "reachable_households": reachable})
