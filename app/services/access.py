"""The area scope: subtree filters, the areas a person may name, the grids a person works.

These are the scope helpers of the policy (`app/policy.py`), which decides who may do what
and holds the rules they apply: where a person's scope is (`scope_area`, `within_scope`), and
who works grids (`field_workers`, `is_field_worker`). The policy imports nothing from here."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, exists, select, union_all

from app.errors import Forbidden, Invalid, NotFound
from app.extensions import db
from app.models import Area, User
from app.models.base import INT32_MAX
from app.models.user import user_grids
from app.policy import NOT_FOUND, field_workers, is_field_worker, scope_area, within_scope

__all__ = [
    "area_ids_in_scope",
    "effective_grids",
    "filter_by_scope",
    "grid_people",
    "grids_of",
    "is_id",
    "refuse_outside_scope",
    "require_area_in_scope",
    "scope_area",
    "subtree_clause",
    "visible_or_404",
    "within_scope",
]


def is_id(value) -> bool:
    """True for an int that can be a row id (bools are ints in Python, but not ids)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= INT32_MAX


def subtree_bounds(path: str) -> tuple[str, str]:
    """The range [lo, hi) of the paths under `path` ('/3/' ≤ p < '/30')."""
    return path, path[:-1] + chr(ord(path[-1]) + 1)


def subtree_clause(path_column, path: str) -> ColumnElement[bool]:
    """Rows whose path lies under `path`, as an index-friendly range ('/3/' ≤ p < '/30')."""
    lower, upper = subtree_bounds(path)
    return and_(path_column >= lower, path_column < upper)


def area_ids_in_scope(user: User):
    """A subquery of area ids the user may see, or None when unrestricted."""
    scope = scope_area(user)
    if scope is None:
        return None
    return select(Area.id).where(subtree_clause(Area.path, scope.path)).scalar_subquery()


def filter_by_scope(query, user: User, area_column):
    """Confine a select() to the user's area subtree through `area_column`."""
    ids = area_ids_in_scope(user)
    return query if ids is None else query.where(area_column.in_(ids))


def visible_or_404(user: User, obj, area: Area | None, what: str):
    """Return `obj` if the user may see it; otherwise pretend it does not exist."""
    if obj is None or not within_scope(user, area):
        raise NotFound(NOT_FOUND.get(what, NOT_FOUND[None]))
    return obj


def require_area_in_scope(user: User, area_id: int | None, field: str = "area_id") -> Area:
    """Load an area named in input, refusing one outside the user's subtree.

    A user confined to an area gets 403 for an unknown id too, so that probing ids tells
    them nothing about other streets; a district-wide user gets 422 naming the field."""
    area = db.session.get(Area, area_id) if is_id(area_id) else None
    if area is not None and within_scope(user, area):
        return area
    if area is None and user.area_id is None:
        raise Invalid(_l("%(field)s names no area", field=field), {field: _l("no such area")})
    raise Forbidden(
        _l("%(field)s is outside your area", field=field), {field: _l("outside your area")}
    )


def refuse_outside_scope(user: User, value, field: str = "area_id") -> None:
    """Before validation: 403 when a raw body names an area outside the user's subtree.

    Values that are not ids are left for the schema to reject; digits from a query string count."""
    if isinstance(value, str) and value.isdigit() and len(value) < 12:
        value = int(value)
    if is_id(value) and user.area_id is not None:
        require_area_in_scope(user, value, field)


def _listed_grids(user_id):
    return select(user_grids.c.area_id).where(user_grids.c.user_id == user_id)


def grids_of(user_id):
    """A select of the grid ids a person works (user_id: an id, a bind parameter or a column).

    The one place of the rule: their grid_ids when given; otherwise, for a worker whose area_id
    is a grid, that grid."""
    own_grid = (
        select(User.area_id)
        .join(Area, Area.id == User.area_id)
        .where(
            User.id == user_id,
            field_workers(User.role),
            Area.level == "grid",
            ~exists(_listed_grids(user_id)),
        )
    )
    return union_all(_listed_grids(user_id), own_grid)


def grid_people():
    """A subquery of (user_id, area_id): every person and each grid they work, by the rule of grids_of."""
    listed = select(user_grids.c.user_id, user_grids.c.area_id)
    own_grid = (
        select(User.id.label("user_id"), User.area_id.label("area_id"))
        .join(Area, Area.id == User.area_id)
        .where(
            field_workers(User.role),
            Area.level == "grid",
            ~exists().where(user_grids.c.user_id == User.id),
        )
    )
    return union_all(listed, own_grid).subquery("grid_people")


def effective_grids(user: User) -> list[Area]:
    """The grids a person works, as rows (the rule of grids_of, for one loaded user)."""
    if user.grids:
        return list(user.grids)
    area = user.area
    return [area] if is_field_worker(user) and area is not None and area.level == "grid" else []
