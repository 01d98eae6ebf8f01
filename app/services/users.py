"""People: creating, changing and listing users within the caller's area."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db
from app.models import Area, User
from app.services.access import (
    READERS,
    can_manage_user,
    ensure_role,
    filter_by_scope,
    require_area_in_scope,
    within_scope,
)
from app.services.audit import record_event
from app.services.passwords import check_password_rules, hash_password

AREA_REQUIRED = ("coordinator", "worker")
COORDINATOR_MAY_CREATE = ("coordinator", "worker")


def get_user(actor: User, user_id: int) -> User:
    """A user the actor may see: themselves, or someone in their area (not for workers)."""
    user = db.session.get(User, user_id)
    if user is not None and (user.id == actor.id or _can_see(actor, user)):
        return user
    raise NotFound("user not found")


def _can_see(actor: User, user: User) -> bool:
    if actor.role not in READERS:
        return False
    if actor.area_id is None:
        return True
    return user.area is not None and within_scope(actor, user.area)


def list_users(actor: User, role: str | None = None, force: str | None = None,
               area_id: int | None = None):
    """A select() of the users the actor may see."""
    ensure_role(actor, *READERS)
    query = select(User)
    if actor.area_id is not None:
        query = filter_by_scope(query.where(User.area_id.is_not(None)), actor, User.area_id)
    if role:
        query = query.where(User.role == role)
    if force:
        query = query.where(User.force == force)
    if area_id is not None:
        area = require_area_in_scope(actor, area_id)
        query = query.join(Area, User.area_id == Area.id).where(Area.path.startswith(area.path))
    return query.order_by(User.username)


def _resolve_grids(user_area: Area | None, grid_ids: list[int]) -> list[Area]:
    grids = []
    for grid_id in grid_ids:
        grid = db.session.get(Area, grid_id)
        if grid is None or grid.level != "grid":
            raise Invalid("unknown grid", {"grid_ids": f"{grid_id} is not a grid"})
        if user_area is not None and not grid.is_within(user_area):
            raise Invalid("grid outside the user's area", {"grid_ids": f"{grid_id} is outside area_id"})
        grids.append(grid)
    return grids


def _check_shape(role: str, area_id: int | None) -> None:
    if role in AREA_REQUIRED and area_id is None:
        raise Invalid("area_id is required", {"area_id": f"a {role} needs an area"})
    if role == "admin" and area_id is not None:
        raise Invalid("an admin has no area", {"area_id": "must be empty for an admin"})


def build_user(data: dict[str, Any]) -> User:
    """A new user from checked data (no permission checks: the command line uses this too)."""
    if db.session.scalar(select(User.id).where(User.username == data["username"])) is not None:
        raise Conflict("username taken", {"username": "already taken"})
    check_password_rules(data["password"])
    _check_shape(data["role"], data.get("area_id"))
    area = db.session.get(Area, data["area_id"]) if data.get("area_id") is not None else None
    if data.get("area_id") is not None and area is None:
        raise NotFound("area_id not found", {"area_id": "no such area"})
    force = data.get("force") or ("grid_worker" if data["role"] == "worker" else None)
    user = User(
        username=data["username"], display_name=data.get("display_name") or data["username"],
        password_hash=hash_password(data["password"]), role=data["role"], force=force,
        phone=data.get("phone"), area_id=data.get("area_id"), active=data.get("active", True),
    )
    user.grids = _resolve_grids(area, data.get("grid_ids") or [])
    db.session.add(user)
    db.session.flush()
    return user


def create_user(actor: User, data: dict[str, Any]) -> User:
    """Add a user; coordinators add workers and coordinators inside their own area."""
    ensure_role(actor, "admin", "coordinator")
    if actor.role == "coordinator":
        if data["role"] not in COORDINATOR_MAY_CREATE:
            raise Forbidden("coordinators add workers and coordinators only", {"role": "not allowed"})
        require_area_in_scope(actor, data.get("area_id"))
    user = build_user(data)
    record_event(actor, "user.create", user, username=user.username, role=user.role)
    return user


def update_user(actor: User, user: User, data: dict[str, Any]) -> User:
    """Change a user the actor manages; a password change is checked and hashed."""
    if not can_manage_user(actor, user):
        raise Forbidden("you may not change this user")
    if actor.role == "coordinator" and data.get("role", user.role) not in COORDINATOR_MAY_CREATE:
        raise Forbidden("coordinators manage workers and coordinators only", {"role": "not allowed"})
    if "area_id" in data and actor.role != "admin":
        require_area_in_scope(actor, data["area_id"])
    new_name = data.get("username", user.username)
    if new_name != user.username and db.session.scalar(select(User.id).where(User.username == new_name)):
        raise Conflict("username taken", {"username": "already taken"})
    _check_shape(data.get("role", user.role), data.get("area_id", user.area_id))
    if "password" in data:
        check_password_rules(data["password"])
        user.password_hash = hash_password(data.pop("password"))
    grid_ids = data.pop("grid_ids", None)
    for key, value in data.items():
        setattr(user, key, value)
    db.session.flush()
    if grid_ids is not None:
        user.grids = _resolve_grids(db.session.get(Area, user.area_id) if user.area_id else None, grid_ids)
    record_event(actor, "user.update", user, fields=sorted(set(data) | ({"grid_ids"} if grid_ids is not None else set())))
    return user
