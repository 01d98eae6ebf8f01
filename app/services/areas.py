"""The area tree: creating, moving and listing streets, communities and grids."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, func, literal, select, update

from app.errors import Conflict, Forbidden, Invalid
from app.extensions import db
from app.labels import AREA_LEVEL_LABELS
from app.models import Area, User
from app.models.area import PARENT_LEVEL
from app.policy import can, require
from app.services.access import (
    filter_by_scope,
    require_area_in_scope,
    subtree_clause,
    visible_or_404,
)
from app.services.audit import changes, record_event, snapshot
from app.services.storable import check_storable

TOTAL_FIELDS = ("household_count", "population")


def get_area(actor: User, area_id: int) -> Area:
    """An area the actor may see."""
    area = db.session.get(Area, area_id)
    return visible_or_404(actor, area, area, "area")


def list_areas(actor: User, parent_id: int | None = None, level: str | None = None):
    """A select() of the areas the actor may see, ordered by path."""
    query = filter_by_scope(select(Area), actor, Area.id)
    if parent_id is not None:
        query = query.where(Area.parent_id == parent_id)
    if level is not None:
        query = query.where(Area.level == level)
    return query.order_by(Area.path)


def _check_parent(actor: User, level: str, parent_id: int | None) -> Area | None:
    wanted = PARENT_LEVEL[level]
    if wanted is None:
        if parent_id is not None:
            raise Invalid(
                _l("a street has no parent"), {"parent_id": _l("must be empty for a street")}
            )
        if actor.area_id is not None:
            raise Forbidden(
                _l("only district-wide users add or move streets"),
                {"parent_id": _l("outside your area")},
            )
        return None
    words = {
        "level": AREA_LEVEL_LABELS.get(level, level),
        "wanted": AREA_LEVEL_LABELS.get(wanted, wanted),
    }
    if parent_id is None:
        raise Invalid(
            _l("parent_id is required"),
            {"parent_id": _l("a %(level)s needs a %(wanted)s parent", **words)},
        )
    parent = require_area_in_scope(actor, parent_id, "parent_id")
    if parent.level != wanted:
        raise Invalid(
            _l("wrong parent level"),
            {"parent_id": _l("the parent of a %(level)s must be a %(wanted)s", **words)},
        )
    return parent


def _check_unique(parent_id: int | None, name: str, code: str | None, exclude: int | None) -> None:
    same_name = select(Area.id).where(
        Area.parent_id.is_(parent_id) if parent_id is None else Area.parent_id == parent_id,
        Area.name == name,
    )
    if exclude is not None:
        same_name = same_name.where(Area.id != exclude)
    if db.session.scalar(same_name) is not None:
        raise Conflict(_l("name already used here"), {"name": _l("already used under this parent")})
    if code:
        same_code = select(Area.id).where(Area.code == code, Area.id != (exclude or 0))
        if db.session.scalar(same_code) is not None:
            raise Conflict(_l("code already used"), {"code": _l("already used by another area")})


def create_area(actor: User, data: dict[str, Any]) -> Area:
    """Add an area under a parent the actor manages."""
    require(actor, "create", "area")
    check_storable(data)
    parent = _check_parent(actor, data["level"], data.get("parent_id"))
    _check_unique(data.get("parent_id"), data["name"], data.get("code"), None)
    area = Area(**data)
    db.session.add(area)
    db.session.flush()
    area.path = f"{parent.path if parent else '/'}{area.id}/"
    refresh_totals(parent)
    record_event(actor, "area.create", area, name=area.name, level=area.level)
    return area


def update_area(actor: User, area: Area, data: dict[str, Any]) -> Area:
    """Change an area's fields; moving it re-paths its whole subtree."""
    if not can(actor, "update", "area", area) or (
        actor.area_id == area.id and data.get("parent_id", area.parent_id) != area.parent_id
    ):
        raise Forbidden(_l("you may not change this area"))
    check_storable(data)
    level = data.get("level", area.level)
    parent_id = data.get("parent_id", area.parent_id)
    if level != area.level:
        raise Invalid(_l("level cannot change"), {"level": _l("an area keeps its level")})
    new_parent = (
        _check_parent(actor, level, parent_id) if parent_id != area.parent_id else area.parent
    )
    _check_unique(parent_id, data.get("name", area.name), data.get("code"), area.id)
    old_parent = area.parent
    before = snapshot(area, data)
    for key, value in data.items():
        setattr(area, key, value)
    if new_parent is not old_parent:
        _move_subtree(area, new_parent)
        refresh_totals(old_parent)
    # From the area itself: a parent's totals stay the sums of its children's.
    refresh_totals(area)
    record_event(actor, "area.update", area, **changes(before, snapshot(area, data)))
    return area


def _move_subtree(area: Area, new_parent: Area | None) -> None:
    old = area.path
    new = f"{new_parent.path if new_parent else '/'}{area.id}/"
    db.session.flush()
    db.session.execute(
        update(Area)
        .where(subtree_clause(Area.path, old))
        .values(path=literal(new, String) + func.substr(Area.path, len(old) + 1))
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()


def refresh_totals(area: Area | None) -> None:
    """Set each ancestor's household_count and population to its children's sums, where known."""
    while area is not None:
        db.session.flush()
        for field in TOTAL_FIELDS:
            column = getattr(Area, field)
            known, total = db.session.execute(
                select(func.count(column), func.sum(column)).where(Area.parent_id == area.id)
            ).one()
            if known:
                setattr(area, field, int(total))
        area = area.parent
