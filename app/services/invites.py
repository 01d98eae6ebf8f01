"""Invites by QR: a coordinator prints a code for a force and an area; people scan it, fill in a
name, phone and password, and wait, inactive, until a coordinator approves them (or refuses)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, Signer
from marshmallow import ValidationError
from sqlalchemy import select

from app import policy
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.models import Invite, User
from app.models.base import utcnow
from app.schemas.user import InviteSchema, JoinSchema
from app.services.access import filter_by_scope, require_area_in_scope
from app.services.audit import record_event
from app.services.passwords import check_password_rules, hash_password
from app.services.phones import normalize_phone
from app.services.storable import check_storable

SALT = "gridreach.invite"
MAX_TOKEN_LENGTH = 60


def _signer() -> Signer:
    config = current_app.config
    keys = [*config.get("SECRET_KEY_FALLBACKS", []), config["SECRET_KEY"]]
    return Signer(keys, salt=SALT, key_derivation="hmac", digest_method=hashlib.sha256)


def invite_url(invite: Invite) -> str:
    """The link an invite's QR code encodes: PUBLIC_BASE_URL/i/TOKEN."""
    token = _signer().sign(str(invite.id)).decode("ascii")
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/i/{token}"


def _load(schema, data: dict) -> dict:
    try:
        return schema.load(data)
    except ValidationError as error:
        raise Invalid(_l("check the marked fields"), error.messages) from None


def create_invite(actor: User, data: dict[str, Any]) -> Invite:
    """An invite for a force (never police) in an area the actor manages."""
    policy.require(actor, "create", "invite")
    data = _load(InviteSchema(), data)
    area = require_area_in_scope(actor, data["area_id"])
    if data["force"] in policy.ADMIN_ONLY_FORCES:
        raise Invalid(
            _l("police are never invited"), {"force": _l("an admin adds police one by one")}
        )
    invite = Invite(
        area_id=area.id,
        area=area,
        force=data["force"],
        created_by_id=actor.id,
        expires_at=utcnow() + timedelta(days=data["days"]),
    )
    db.session.add(invite)
    db.session.flush()
    record_event(actor, "invite.create", invite, area_id=area.id, force=invite.force)
    return invite


def list_invites(actor: User):
    """A select() of the invites of the actor's area, newest first."""
    policy.require(actor, "read", "invite")
    return filter_by_scope(select(Invite), actor, Invite.area_id).order_by(Invite.id.desc())


def get_invite(actor: User, invite_id: int) -> Invite:
    invite = db.session.scalar(list_invites(actor).where(Invite.id == invite_id))
    if invite is None:
        raise NotFound(_l("invite not found"))
    return invite


def revoke_invite(actor: User, invite: Invite) -> Invite:
    policy.require(actor, "revoke", "invite", invite)
    invite.revoked_at = invite.revoked_at or utcnow()
    record_event(actor, "invite.revoke", invite)
    return invite


def live_invite(token: str) -> Invite | None:
    """The live invite a scanned link names, or None (altered, expired, revoked)."""
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        return None
    try:
        invite_id = _signer().unsign(token).decode("ascii")
    except (BadSignature, UnicodeDecodeError):
        return None
    if not invite_id.isdigit() or len(invite_id) > 9:
        return None
    invite = db.session.get(Invite, int(invite_id))
    return invite if invite is not None and invite.is_live(utcnow()) else None


def join_by_invite(invite: Invite, data: dict[str, Any]) -> User:
    """A pending (inactive) worker of the invite's force and area; their phone is their username."""
    check_storable(data)
    if isinstance(data.get("phone"), str):
        data = {**data, "phone": normalize_phone(data["phone"])}
    data = _load(JoinSchema(), data)
    check_password_rules(data["password"])
    phone = data["phone"]
    taken = db.session.scalar(
        select(User.id).where((User.username == phone) | (User.phone == phone)).limit(1)
    )
    if taken is not None:
        raise Conflict(
            _l("this phone number is already registered"),
            {"phone": _l("already registered: log in, or ask your coordinator")},
        )
    person = User(
        username=phone,
        display_name=data["display_name"],
        password_hash=hash_password(data["password"]),
        role="worker",
        force=invite.force,
        phone=phone,
        area_id=invite.area_id,
        active=False,
        pending=True,
        invite_id=invite.id,
    )
    db.session.add(person)
    db.session.flush()
    record_event(None, "invite.join", person, invite_id=invite.id)
    return person


def pending_people(actor: User):
    """A select() of the people waiting for approval in the actor's area."""
    policy.require(actor, "approve", "user")
    query = select(User).where(User.pending == True)
    return filter_by_scope(query, actor, User.area_id).order_by(User.created_at, User.id)


def _pending_among(actor: User, user_ids: Sequence[int]) -> list[User]:
    people = db.session.scalars(pending_people(actor).where(User.id.in_(list(user_ids)))).all()
    for person in people:
        policy.require(actor, "approve", "user", person)
    return list(people)


def approve_people(actor: User, user_ids: Sequence[int]) -> int:
    """Let the chosen pending people in (those of the actor's area; others are ignored)."""
    people = _pending_among(actor, user_ids)
    for person in people:
        person.pending, person.active = False, True
        record_event(actor, "invite.approve", person)
    db.session.flush()
    return len(people)


def refuse_people(actor: User, user_ids: Sequence[int]) -> int:
    """Turn the chosen pending people away: their accounts are removed (they did nothing yet)."""
    people = _pending_among(actor, user_ids)
    for person in people:
        record_event(actor, "invite.refuse", person, display_name=person.display_name)
        db.session.delete(person)
    db.session.flush()
    return len(people)
