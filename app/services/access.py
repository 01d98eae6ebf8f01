"""The area scope: subtree filters, the areas a person may name, the grids a person works.

These are the scope helpers of the policy (`app/policy.py`), which decides who may do what."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, exists, select, union_all

from app.errors import Forbidden, Invalid, NotFound
from app.extensions import db
from app.models import Area, User
from app.models.base import INT32_MAX
from app.models.user import user_grids

NOT_FOUND = {
    None: _l("not found"),
    "area": _l("area not found"),
    "site": _l("site not found"),
    "case": _l("case not found"),
    "user": _l("user not found"),
    "household": _l("household not found"),
    "task": _l("task not found"),
    "warning": _l("warning not found"),
    "quiz": _l("quiz not found"),
}
# What the policy answers when it refuses (verb, resource); the rest read REFUSED[None].
REFUSED = {
    None: _l("your role may not do this"),
    ("read", "audit"): _l("admins only"),
    ("use", "coordination"): _l("coordinators only"),
    ("update", "area"): _l("you may not change this area"),
    ("update", "site"): _l("you may not change this site"),
    ("update", "user"): _l("you may not change this user"),
    ("update", "household"): _l("you may not change this household"),
    ("update", "task"): _l("you may not change this task"),
    ("review", "checkin"): _l("you may not review check-ins at this site"),
    ("report", "task"): _l("only the task's assignees report on it"),
    ("create", "warning"): _l("police and coordinators enter warnings"),
    ("import", "warning"): _l("police and coordinators enter warnings"),
    ("handle", "warning"): _l("you may not handle this warning"),
    ("unmask", "phone"): _l("only police and admins see full numbers"),
}


def is_id(value) -> bool:
    """True for an int that can be a row id (bools are ints in Python, but not ids)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= INT32_MAX


def subtree_clause(path_column, path: str) -> ColumnElement[bool]:
    """Rows whose path lies under `path`, as an index-friendly range ('/3/' ≤ p < '/30')."""
    upper = path[:-1] + chr(ord(path[-1]) + 1)
    return and_(path_column >= path, path_column < upper)


def scope_area(user: User) -> Area | None:
    """The area a user is confined to; None means the whole district."""
    if user.area_id is None:
        return None
    return user.area  # held by the user, so loaded once per request


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


def within_scope(user: User, area: Area | None) -> bool:
    """True when `area` lies inside the user's subtree."""
    scope = scope_area(user)
    return scope is None or (area is not None and area.is_within(scope))


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
            User.role == "worker",
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
            User.role == "worker",
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
    return [area] if user.role == "worker" and area is not None and area.level == "grid" else []
