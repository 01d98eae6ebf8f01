"""People: creating, changing and listing users within the caller's area."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from app import policy
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db
from app.labels import label
from app.models import ApiToken, Area, User
from app.models.base import utcnow
from app.services import login_limits
from app.services.access import filter_by_scope, is_id, require_area_in_scope, within_scope
from app.services.audit import changes, plain, record_event
from app.services.passwords import check_password_rules, hash_password
from app.services.phones import normalize_phone
from app.services.storable import check_storable

USERNAME = re.compile(r"[A-Za-z0-9_.\-]{3,64}")


def get_user(actor: User, user_id: int) -> User:
    """A user the actor may see: themselves, or someone in their area (not for workers)."""
    user = db.session.get(User, user_id)
    if user is not None and (user.id == actor.id or _can_see(actor, user)):
        return user
    raise NotFound(_l("user not found"))


def _can_see(actor: User, user: User) -> bool:
    if not policy.can(actor, "list", "user"):
        return False
    if actor.area_id is None:
        return True
    return user.area is not None and within_scope(actor, user.area)


def list_users(
    actor: User, role: str | None = None, force: str | None = None, area_id: int | None = None
):
    """A select() of the users the actor may see."""
    policy.require(actor, "list", "user")
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
    return query.options(selectinload(User.grids)).order_by(User.username)


def refuse_grants(actor: User, user: User | None, raw: dict) -> None:
    """What a change would give, checked before anything else: nobody changes their own role, force
    or area; only an admin gives or takes a privileged role or force; coordinators hand out the
    coordinator and worker roles only. `user` is None for a new account."""
    refused = policy.refused_grant(actor, user, raw)
    if refused == "self":
        field = next(f for f in policy.FIXED_FOR_SELF if f in raw and raw[f] != getattr(user, f))
        raise Forbidden(
            _l("you may not change your own role, force or area"),
            {field: _l("not yours to change")},
        )
    if refused == "role":
        raise Forbidden(
            _l("coordinators manage workers and coordinators only"), {"role": _l("not allowed")}
        )
    if refused == "force":
        raise Forbidden(
            _l("only an admin may give this force"), {"force": _l("only an admin may give it")}
        )


def check_grants(actor: User, raw: dict, user: User | None) -> None:
    """The HTTP guard's last step (before validation): what the body would give."""
    refuse_grants(actor, user, raw)


def _refuse_unmanageable(actor: User, user: User) -> None:
    """The result must be someone the actor manages: a coordinator makes no peer and no superior."""
    if not policy.can(actor, "update", "user", user):
        raise Forbidden(
            _l("you may only make people you manage"),
            {"area_id": _l("a coordinator you add or change must be below your own area")},
        )


def audit_view(user: User) -> dict[str, Any]:
    """The fields of a user the audit log follows (never the password or its hash)."""
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "force": user.force,
        "area_id": user.area_id,
        "phone": user.phone,
        "active": user.active,
        "grid_ids": plain(sorted(g.id for g in user.grids)),
    }


def _resolve_grids(user_area: Area | None, grid_ids: list[int]) -> list[Area]:
    grids = []
    for grid_id in dict.fromkeys(grid_ids):  # each grid once, in the order given
        grid = db.session.get(Area, grid_id) if is_id(grid_id) else None
        if grid is None or grid.level != "grid":
            raise Invalid(
                _l("unknown grid"), {"grid_ids": _l("%(grid)s is not a grid", grid=grid_id)}
            )
        if user_area is not None and not grid.is_within(user_area):
            raise Invalid(
                _l("grid outside the user's area"),
                {"grid_ids": _l("%(grid)s is outside area_id", grid=grid_id)},
            )
        grids.append(grid)
    return grids


def _check_shape(role: str, area_id: int | None) -> None:
    if policy.needs_area(role) and area_id is None:
        raise Invalid(
            _l("area_id is required"),
            {"area_id": _l("a %(role)s needs an area", role=label(role, "role"))},
        )
    if policy.holds_no_area(role) and area_id is not None:
        raise Invalid(_l("an admin has no area"), {"area_id": _l("must be empty for an admin")})


def _check_username(username: str) -> None:
    if not USERNAME.fullmatch(username):
        raise Invalid(_l("bad username"), {"username": _l("3-64 letters, digits, _ . -")})


def _existing_area(area_id: int | None) -> Area | None:
    """The area an id names (None for none); 422 naming area_id when there is no such area."""
    if area_id is None:
        return None
    area = db.session.get(Area, area_id) if is_id(area_id) else None
    if area is None:
        raise Invalid(_l("area_id names no area"), {"area_id": _l("no such area")})
    return area


def build_user(data: dict[str, Any]) -> User:
    """A new user from checked data (no permission checks: the command line uses this too)."""
    check_storable(data)
    _check_username(data["username"])
    if db.session.scalar(select(User.id).where(User.username == data["username"])) is not None:
        raise Conflict(_l("username taken"), {"username": _l("already taken")})
    check_password_rules(data["password"])
    _check_shape(data["role"], data.get("area_id"))
    area = _existing_area(data.get("area_id"))
    force = data.get("force") or ("grid_worker" if policy.is_field_role(data["role"]) else None)
    user = User(
        username=data["username"],
        display_name=data.get("display_name") or data["username"],
        password_hash=hash_password(data["password"]),
        role=data["role"],
        force=force,
        phone=normalize_phone(data["phone"]) if data.get("phone") else data.get("phone"),
        area_id=data.get("area_id"),
        active=data.get("active", True),
    )
    user.grids = _resolve_grids(area, data.get("grid_ids") or [])
    db.session.add(user)
    db.session.flush()
    return user


def create_user(actor: User, data: dict[str, Any]) -> User:
    """Add a user; coordinators add workers and coordinators inside their own area."""
    policy.require(actor, "create", "user")
    refuse_grants(actor, None, data)
    if data.get("area_id") is not None:
        require_area_in_scope(actor, data["area_id"])
    # A coordinator may only give the roles that need an area, so a missing one is a 422 below.
    user = build_user(data)
    _refuse_unmanageable(actor, user)
    record_event(actor, "user.create", user, **changes({}, audit_view(user), secrets=["password"]))
    return user


def update_user(actor: User, user: User, data: dict[str, Any]) -> User:
    """Change a user the actor manages; a new password is checked, hashed, and ends their tokens."""
    policy.require(actor, "update", "user", user)
    refuse_grants(actor, user, data)
    before = audit_view(user)
    secrets = ["password"] if "password" in data else []
    area = _new_area(actor, user, data)
    check_storable(data)
    new_name = data.get("username", user.username)
    if new_name != user.username:
        _check_username(new_name)
    if new_name != user.username and db.session.scalar(
        select(User.id).where(User.username == new_name)
    ):
        raise Conflict(_l("username taken"), {"username": _l("already taken")})
    _check_shape(data.get("role", user.role), area.id if area else None)
    if "password" in data:
        check_password_rules(data["password"])
        user.password_hash = hash_password(data.pop("password"))
        end_sessions(user)
    if data.get("active") is False and user.active:
        end_sessions(user)
    grid_ids = data.pop("grid_ids", None)
    if data.get("phone"):
        data["phone"] = normalize_phone(data["phone"])
    for key, value in data.items():
        setattr(user, key, value)
    if grid_ids is not None:
        user.grids = _resolve_grids(area, grid_ids)
    elif "area_id" in data:
        user.grids = [grid for grid in user.grids if area is None or grid.is_within(area)]
    db.session.flush()
    _refuse_unmanageable(actor, user)
    record_event(actor, "user.update", user, **changes(before, audit_view(user), secrets=secrets))
    return user


def _new_area(actor: User, user: User, data: dict[str, Any]) -> Area | None:
    """The user's area after the change; a scoped actor may only name one of theirs."""
    if "area_id" not in data:
        return user.area
    if data["area_id"] is not None and actor.area_id is not None:
        return require_area_in_scope(actor, data["area_id"])
    return _existing_area(data["area_id"])


def login_locked_until(user: User) -> datetime | None:
    """When the person may try to log in again after too many failed logins; None when they may now."""
    return login_limits.current().locked_until(login_limits.account_key(user.username))


def unlock_login(actor: User, user: User) -> None:
    """Let a person locked out by failed logins try again now (admins only; audited)."""
    policy.require(actor, "unlock", "user")
    login_limits.current().unlock(login_limits.account_key(user.username))
    record_event(actor, "user.unlock_login", user, username=user.username)


def end_sessions(user: User, tokens: bool = True) -> None:
    """End the user's sessions and remember cookies on every device, and (unless told not to) their tokens."""
    user.session_version = (user.session_version or 0) + 1
    if tokens:
        revoke_tokens_of(user)
    db.session.flush()


def revoke_tokens_of(user: User) -> None:
    """End every live API token of the user (after a password change)."""
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
