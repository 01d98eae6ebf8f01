"""Who may see and do what: role checks and area scope, used by views and services alike."""

from __future__ import annotations

from functools import wraps

from flask import request
from flask_login import current_user
from sqlalchemy import ColumnElement, and_, select

from app.errors import Forbidden, Invalid, NotFound
from app.extensions import db
from app.models import Area, User
from app.models.base import INT32_MAX

MANAGERS = ("admin", "coordinator")
READERS = ("admin", "leader", "coordinator")


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
        raise NotFound(f"{what} not found")
    return obj


def require_area_in_scope(user: User, area_id: int | None, field: str = "area_id") -> Area:
    """Load an area named in input, refusing one outside the user's subtree.

    A user confined to an area gets 403 for an unknown id too, so that probing ids tells
    them nothing about other streets; a district-wide user gets 422 naming the field."""
    area = db.session.get(Area, area_id) if is_id(area_id) else None
    if area is not None and within_scope(user, area):
        return area
    if area is None and user.area_id is None:
        raise Invalid(f"{field} names no area", {field: "no such area"})
    raise Forbidden(f"{field} is outside your area", {field: "outside your area"})


def refuse_outside_scope(user: User, value, field: str = "area_id") -> None:
    """Before validation: 403 when a raw body names an area outside the user's subtree.

    Values that are not ids are left for the schema to reject."""
    if is_id(value) and user.area_id is not None:
        require_area_in_scope(user, value, field)


def raw_body() -> dict:
    """The request's JSON object as sent, before any validation ({} when it is not one)."""
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def authorize_first(check):
    """View decorator: run `check(current_user, raw_body(), **view_args)` before the body is parsed,
    so that a caller outside their role or area hears 403/404 even when the body is also wrong."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            check(current_user._get_current_object(), raw_body(), **kwargs)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def require_role(*roles: str):
    """View decorator: the current user must hold one of `roles`."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                from app.errors import Unauthorized

                raise Unauthorized("authentication required")
            if current_user.role not in roles:
                raise Forbidden("your role may not do this")
            return view(*args, **kwargs)

        return wrapper

    return decorator


def ensure_role(user: User, *roles: str) -> None:
    """Service-side role check."""
    if user.role not in roles:
        raise Forbidden("your role may not do this")


def can_manage_area(user: User, area: Area) -> bool:
    return user.role in MANAGERS and within_scope(user, area)


def can_manage_user(user: User, other: User) -> bool:
    if user.role == "admin":
        return True
    if user.role != "coordinator" or other.role in ("admin", "leader"):
        return False
    return other.area is not None and within_scope(user, other.area)


def can_manage_site(user: User, site) -> bool:
    return user.role in MANAGERS and within_scope(user, site.area)
