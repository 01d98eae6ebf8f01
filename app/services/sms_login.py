"""Logging in with a six-digit code sent by SMS, where the notification channel's SMS gateway
is configured (NOTIFY_SMS_URL); without one the option does not exist (NotFound).

The code goes straight through the SMS channel's sender, after the request has committed, and
not through the notifications outbox: it must arrive within seconds, is worthless after
SMS_CODE_TTL (the outbox retries for an hour), and must never sit readable in a notification's
text or in the person's in-app list. Only a keyed hash of it is stored (six digits alone are
guessed from a bare hash in a million tries). The answer to "send me a code" is the same whether
or not the number belongs to anyone, and the same limits are spent either way.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.errors import NotFound, TooManyAttempts, TooManyCodes, Unauthorized
from app.extensions import db
from app.models import SignInCode, User
from app.models.base import utcnow
from app.services import login_limits
from app.services.audit import record_event
from app.services.auth import within_limits
from app.services.notifications.channels import DeliveryError, Message, channel_for
from app.services.passwords import NO_PASSWORD
from app.services.phones import normalize_phone
from app.services.sign_in_codes import add_code, revoke_live, use_code

log = logging.getLogger(__name__)
WRONG = _l("Wrong or expired code. Ask for a new one if it has expired.")
SALT_LENGTH = 16  # hex characters of the row's salt, before the 48 of its HMAC (the column's 64)


def enabled() -> bool:
    """Whether an SMS gateway is configured (the login page offers SMS codes only then)."""
    return bool(current_app.config.get("NOTIFY_SMS_URL"))


def require_enabled() -> None:
    """NotFound where no SMS gateway is configured."""
    if not enabled():
        raise NotFound(_l("Logging in by SMS code is not offered here."))


def _mac(salt: str, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"sms-login:{salt}:{code}".encode(), hashlib.sha256).hexdigest()[:48]


def _holder(phone: str) -> User | None:
    """The active person who alone holds this phone number."""
    holders = db.session.scalars(select(User).where(User.phone == phone).limit(2)).all()
    if len(holders) != 1 or not holders[0].active or holders[0].pending:
        return None
    return holders[0]


@dataclass(frozen=True)
class OutgoingCode:
    """A code to send once the request has committed; `send` never raises."""

    user_id: int
    phone: str
    message: Message
    channel: object

    def send(self) -> bool:
        try:
            self.channel.send(self.message, self.phone)
        except DeliveryError as failure:  # its text is a status or an error's name, never the code
            log.warning("SMS login code for user %s not delivered: %s", self.user_id, failure)
            return False
        return True


def request_code(phone: str, address: str) -> OutgoingCode | None:
    """Make a new code for the person holding `phone` (their earlier codes die); the SMS to send
    after commit, or None when nobody holds the number. TooManyAttempts past the limits per
    phone number and per address (spent whether or not the number is anyone's)."""
    require_enabled()
    config = current_app.config
    phone = normalize_phone(phone)
    limits = login_limits.current()
    limits.spend(config["SMS_CODES_PER_ADDRESS"], "sms-address", address, TooManyCodes)
    limits.spend(config["SMS_CODES_PER_PHONE"], "sms-phone", phone, TooManyCodes)
    person = _holder(phone)
    if person is None:
        return None
    now = utcnow()
    revoke_live([person.id], now, "sms")
    code, salt = f"{secrets.randbelow(10**6):06d}", secrets.token_hex(SALT_LENGTH // 2)
    row = SignInCode(
        user_id=person.id,
        code_hash=salt + _mac(salt, code),
        created_by_id=person.id,
        created_at=now,
        expires_at=now + config["SMS_CODE_TTL"],
        purpose="sms",
    )
    db.session.add(row)
    db.session.flush()
    record_event(person, "user.sms_code", person)
    minutes = int(config["SMS_CODE_TTL"].total_seconds() // 60)
    with force_locale(person.locale or config["BABEL_DEFAULT_LOCALE"]):
        message = Message(
            kind="sign_in_code",
            title=_("Sign-in code"),
            text=_(
                "%(code)s is your sign-in code, good for %(minutes)s minutes. Tell it to nobody.",
                code=code,
                minutes=minutes,
            ),
            delivery_key=f"gridreach-login-{row.id}",
        )
    return OutgoingCode(person.id, phone, message, channel_for("sms", config))


def _tries_left(row: SignInCode) -> bool:
    """Count one try of the code; False once SMS_CODE_TRIES have been used."""
    config = current_app.config
    minutes = max(1, int(config["SMS_CODE_TTL"].total_seconds() // 60))
    limit = f"{config['SMS_CODE_TRIES']} per {minutes} minutes"
    try:
        login_limits.current().spend(limit, "sms-tries", str(row.id))
    except TooManyAttempts:  # this code is used up, whatever is typed
        return False
    return True


def _redeem(phone: str, code: str) -> User:
    person = _holder(phone)
    row = None
    if person is not None:
        row = db.session.scalar(
            select(SignInCode)
            .where(SignInCode.user_id == person.id, SignInCode.purpose == "sms")
            .order_by(SignInCode.id.desc())
            .limit(1)
        )
    if row is None or not row.is_live(utcnow()) or not _tries_left(row):
        raise Unauthorized(WRONG)
    salt, digest = row.code_hash[:SALT_LENGTH], row.code_hash[SALT_LENGTH:]
    if not (code.isascii() and hmac.compare_digest(digest, _mac(salt, code))):
        raise Unauthorized(WRONG)
    try:
        use_code(row)
    except NotFound:
        raise Unauthorized(WRONG) from None
    person.last_login_at = row.used_at
    record_event(person, "user.sms_sign_in", person)
    return person


def log_in_by_code(phone: str, code: str, address: str) -> User:
    """The person holding `phone`, when `code` is their live SMS code (which then dies), within
    the failed-login limits; Unauthorized (one answer for every failure) otherwise."""
    require_enabled()
    phone = normalize_phone(phone)
    return within_limits(phone, address, lambda: _redeem(phone, code.strip()))


def password_slip(person: User) -> str | None:
    """For a person who signed in by SMS but has no password yet (imported): a fresh slip link
    where they choose one (as a printed slip would): its code; None when they have a password."""
    if person.password_hash != NO_PASSWORD:
        return None
    code, _row = add_code(person, "slip", current_app.config["SMS_CODE_TTL"], person)
    return code
