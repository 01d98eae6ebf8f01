"""One-time sign-in codes, the one way to sign in by a code: PUBLIC_BASE_URL/s/CODE.

- slips: a coordinator prints one per person; the person opens it on a phone, sets a password
  and is signed in;
- browser links: a signed-in person inside WeChat's browser makes one, opens it in the phone's
  own browser and is signed in there, on the page they were on (no password typed);
- SMS codes (app/services/sms_login.py) are rows of the same table, looked up by phone.

Codes are stored hashed, used once (a conditional UPDATE: two tabs racing get one sign-in),
expire and can be revoked; a new code of a purpose kills the person's older ones of it."""

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
from app.redirects import safe_next
from app.services.audit import record_event
from app.services.passwords import NO_PASSWORD, check_password_rules, hash_password
from app.services.users import end_sessions, list_users

MAX_CODE_LENGTH = 64
MAX_SLIPS = 500  # one printed sheet run; more people: print per area or force
DEAD = _l("This sign-in code has expired, was used or was withdrawn.")


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


def revoke_live(user_ids: Sequence[int], now: datetime, purpose: str | None = None) -> None:
    """Kill the unused codes of these people (of one purpose, or all)."""
    query = update(SignInCode).where(
        SignInCode.user_id.in_(user_ids),
        SignInCode.used_at.is_(None),
        SignInCode.revoked_at.is_(None),
    )
    if purpose is not None:
        query = query.where(SignInCode.purpose == purpose)
    db.session.execute(query.values(revoked_at=now).execution_options(synchronize_session=False))


def add_code(person: User, purpose: str, ttl, by: User, **fields) -> tuple[str, SignInCode]:
    """A new random code of `purpose` for `person`, their older ones of it dead: (plain, row)."""
    now = utcnow()
    revoke_live([person.id], now, purpose)
    plain = secrets.token_urlsafe(16)
    row = SignInCode(
        user_id=person.id,
        code_hash=_digest(plain),
        created_by_id=by.id,
        created_at=now,
        expires_at=now + ttl,
        purpose=purpose,
        **fields,
    )
    db.session.add(row)
    db.session.flush()
    return plain, row


def use_code(found: SignInCode) -> None:
    """Mark a live code used, once: NotFound when another request used or revoked it meanwhile."""
    now = utcnow()
    taken = db.session.execute(
        update(SignInCode)
        .where(
            SignInCode.id == found.id,
            SignInCode.used_at.is_(None),
            SignInCode.revoked_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != 1:
        raise NotFound(DEAD)
    found.used_at = now


def issue_sign_in_codes(actor: User, people: Sequence[User]) -> list[tuple[User, str, datetime]]:
    """A fresh code per person the actor manages (earlier codes of theirs stop working);
    (person, plain code, expiry) for the slips: the plain code exists only in this answer."""
    for person in people:
        policy.require(actor, "issue", "sign_in_code", person)
    ttl = current_app.config["SIGN_IN_CODE_TTL"]
    slips = []
    for person in people:
        code, row = add_code(person, "slip", ttl, actor)
        slips.append((person, code, row.expires_at))
        record_event(actor, "user.sign_in_code", person, expires_at=row.expires_at.isoformat())
    return slips


def issue_browser_link(person: User, next_path: str | None) -> str:
    """A signed-in person's one-time code to continue in another browser (at /s/CODE), landing
    on `next_path` (a path on this site; home otherwise). The person's earlier links die."""
    policy.require(person, "issue", "browser_link", person)
    ttl = current_app.config["BROWSER_LINK_TTL"]
    code, row = add_code(person, "link", ttl, person, next_path=safe_next(next_path)[:500])
    record_event(person, "user.browser_link", person, expires_at=row.expires_at.isoformat())
    return code


def revoke_sign_in_codes(actor: User, person: User) -> None:
    """Kill every unused code of the person (a slip was lost or handed to the wrong person, or
    their phone was)."""
    policy.require(actor, "revoke", "sign_in_code", person)
    revoke_live([person.id], utcnow())  # their browser links and SMS codes too
    record_event(actor, "user.sign_in_code_revoke", person)


def live_code(code: str) -> SignInCode | None:
    """The live slip or link behind a /s/CODE link, or None (unknown, used, revoked, expired,
    inactive or pending person)."""
    if not code or len(code) > MAX_CODE_LENGTH or not code.isascii():
        return None
    found = db.session.scalar(
        select(SignInCode).where(
            SignInCode.code_hash == _digest(code), SignInCode.purpose.in_(("slip", "link"))
        )
    )
    if found is None or not found.is_live(utcnow()):
        return None
    if not found.user.active or found.user.pending:
        return None
    return found


def redeem_sign_in_code(code: str, password: str) -> User:
    """Set the person's password with a live slip, which then dies; NotFound for a dead code."""
    found = live_code(code)
    if found is None or found.purpose != "slip":
        raise NotFound(DEAD)
    check_password_rules(password)
    use_code(found)
    person = found.user
    person.password_hash = hash_password(password)
    revoke_live([person.id], found.used_at)  # any other code of theirs too
    end_sessions(person)
    person.last_login_at = found.used_at
    record_event(person, "user.first_sign_in", person)
    return person


def redeem_browser_link(code: str) -> tuple[User, str]:
    """Sign in with a live browser link, which then dies: (person, the page to land on);
    NotFound for a dead link (used, replaced, expired, or its person deactivated)."""
    found = live_code(code)
    if found is None or found.purpose != "link":
        raise NotFound(DEAD)
    use_code(found)
    person = found.user
    person.last_login_at = found.used_at
    record_event(person, "user.browser_link_sign_in", person)
    return person, safe_next(found.next_path)
