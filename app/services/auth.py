"""Logging in: checking credentials and issuing, resolving and revoking API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, inspect, select
from sqlalchemy.orm.attributes import set_committed_value

from app.errors import Unauthorized
from app.extensions import db
from app.models import ApiToken, Area, User
from app.models.base import utcnow
from app.services import login_limits
from app.services.passwords import verify_password
from app.services.phones import normalize_phone

MAX_TOKEN_LENGTH = 200
PHONE_LIKE = re.compile(r"\+?[0-9]{5,19}")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_login(name: str) -> User | None:
    """The person a login names: by username, else by phone number when exactly one person holds it."""
    # A NUL cannot be in a username, and PostgreSQL refuses it in a query parameter.
    if "\x00" in name:
        return None
    user = db.session.scalar(select(User).where(User.username == name))
    phone = normalize_phone(name)
    if user is not None or not PHONE_LIKE.fullmatch(phone):
        return user
    holders = db.session.scalars(select(User).where(User.phone == phone).limit(2)).all()
    return holders[0] if len(holders) == 1 else None


def authenticate(username: str, password: str) -> User:
    """The active user with these credentials (a username or a phone number), or Unauthorized
    (the same answer for every failure)."""
    user = find_login(username)
    if not verify_password(user.password_hash if user else None, password) or not user.active:
        raise Unauthorized(_l("wrong username or password"))
    user.last_login_at = utcnow()
    return user


def log_in(username: str, password: str, address: str) -> User:
    """authenticate() within the failed-login limits: TooManyAttempts when they are used up."""
    return within_limits(username, address, lambda: authenticate(username, password))


def within_limits(name: str, address: str, attempt: Callable[[], User]) -> User:
    """Run a login attempt (a password, an SMS code) within the failed-login limits of the
    account `name` and the address: TooManyAttempts when they are used up."""
    limits = login_limits.current()
    account = login_limits.account_key(name)
    address_over_limit = limits.check(account, address)
    try:
        user = attempt()
    except Unauthorized:
        limits.record_failure(account, address)
        if address_over_limit:
            raise limits.too_many(address) from None
        raise
    limits.record_success(address)
    return user


def issue_token(user: User) -> tuple[str, ApiToken]:
    """A new bearer token for `user`; the plain token is returned once and never stored."""
    plain = secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        token_hash=_digest(plain),
        expires_at=utcnow() + current_app.config["API_TOKEN_TTL"],
    )
    db.session.add(token)
    db.session.flush()
    return plain, token


# The user a token names, their area (every scope check asks for it) and the token's dates, in one
# query built once: this runs on every API call. Two plain entities and two columns: the token
# itself is not made an object, and joined eager loading costs more to set up than the row.
_TOKEN = (
    select(User, Area, ApiToken.revoked_at, ApiToken.expires_at)
    .select_from(ApiToken)
    .join(User, User.id == ApiToken.user_id)
    .outerjoin(Area, Area.id == User.area_id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)


def user_for_token(plain: str, now: datetime | None = None) -> User | None:
    """The active user a live token belongs to."""
    now = now or utcnow()
    if len(plain) > MAX_TOKEN_LENGTH:
        return None
    found = db.session.execute(_TOKEN, {"token_hash": _digest(plain)}).first()
    if found is None:
        return None
    user, area, revoked_at, expires_at = found
    if revoked_at is not None or expires_at <= now:
        return None
    if "area" in inspect(user).unloaded:  # held by the user for the request, as if loaded with it
        set_committed_value(user, "area", area)
    return user if user.active else None


def revoke_token(plain: str) -> bool:
    """Revoke a token; True when it existed."""
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(plain)))
    if token is None:
        return False
    token.revoked_at = token.revoked_at or utcnow()
    return True
