"""One-time sign-in codes: a coordinator prints a slip per person; the person opens it on a phone,
sets a password and is signed in. Codes are stored hashed, used once, expire and can be revoked."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from app import policy
from app.errors import NotFound
from app.extensions import db
from app.models import SignInCode, User
from app.models.base import utcnow
from app.services.audit import record_event
from app.services.passwords import NO_PASSWORD, check_password_rules, hash_password
from app.services.users import end_sessions, list_users

MAX_CODE_LENGTH = 64
MAX_SLIPS = 500  # one printed sheet run; more people: print per area or force


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def sign_in_url(code: str) -> str:
    """The link a slip's QR code encodes: PUBLIC_BASE_URL/s/CODE."""
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/s/{code}"


def people_without_password(actor: User, area_id: int | None = None, force: str | None = None):
    """A select() of the people in the actor's scope who have not signed in yet (no password)."""
    query = list_users(actor, force=force, area_id=area_id).where(
        User.password_hash == NO_PASSWORD, User.active == True
    )
    return query.limit(MAX_SLIPS)


def _revoke_live(user_ids: Sequence[int], now: datetime) -> None:
    db.session.execute(
        update(SignInCode)
        .where(
            SignInCode.user_id.in_(user_ids),
            SignInCode.used_at.is_(None),
            SignInCode.revoked_at.is_(None),
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )


def issue_sign_in_codes(actor: User, people: Sequence[User]) -> list[tuple[User, str, datetime]]:
    """A fresh code per person the actor manages (earlier codes of theirs stop working);
    (person, plain code, expiry) for the slips: the plain code exists only in this answer."""
    for person in people:
        policy.require(actor, "issue", "sign_in_code", person)
    now = utcnow()
    expires_at = now + current_app.config["SIGN_IN_CODE_TTL"]
    _revoke_live([p.id for p in people], now)
    slips = []
    for person in people:
        code = secrets.token_urlsafe(16)
        db.session.add(
            SignInCode(
                user_id=person.id,
                code_hash=_digest(code),
                created_by_id=actor.id,
                created_at=now,
                expires_at=expires_at,
            )
        )
        slips.append((person, code, expires_at))
        record_event(actor, "user.sign_in_code", person, expires_at=expires_at.isoformat())
    db.session.flush()
    return slips


def revoke_sign_in_codes(actor: User, person: User) -> None:
    """Kill every unused code of the person (a slip was lost or handed to the wrong person)."""
    policy.require(actor, "revoke", "sign_in_code", person)
    _revoke_live([person.id], utcnow())
    record_event(actor, "user.sign_in_code_revoke", person)


def live_code(code: str) -> SignInCode | None:
    """The live code behind a slip's link, or None (unknown, used, revoked, expired, inactive person)."""
    if not code or len(code) > MAX_CODE_LENGTH or not code.isascii():
        return None
    found = db.session.scalar(select(SignInCode).where(SignInCode.code_hash == _digest(code)))
    if found is None or not found.is_live(utcnow()) or not found.user.active:
        return None
    return found


def redeem_sign_in_code(code: str, password: str) -> User:
    """Set the person's password with a live code, which then dies; NotFound for a dead code."""
    found = live_code(code)
    if found is None:
        raise NotFound(_l("This sign-in code has expired, was used or was withdrawn."))
    check_password_rules(password)
    person = found.user
    person.password_hash = hash_password(password)
    found.used_at = utcnow()
    _revoke_live([person.id], found.used_at)  # any other slip of theirs too
    end_sessions(person)
    record_event(person, "user.first_sign_in", person)
    return person
