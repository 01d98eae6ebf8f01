"""Password hashing (argon2id) and the password rules."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l

from app.errors import Invalid

_hasher = PasswordHasher()
MIN_LENGTH = 8
MAX_LENGTH = 256
# The hash of a person who has no password yet (imported, invited): no password matches it.
NO_PASSWORD = "!"


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """Verifying against this keeps a login for an unknown user as slow as one for a known user
    (made with the hasher in use, so that its cost matches the real hashes)."""
    return hasher.hash("not-a-real-password-0")


@cache
def _common_passwords() -> frozenset[str]:
    path = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"
    return frozenset(line.strip() for line in path.read_text().splitlines() if line.strip())


def check_password_rules(password: str, field: str = "password") -> None:
    """Refuse short, overlong and well-known passwords, naming the field."""
    if len(password) > MAX_LENGTH:  # hashing is costly by design: bound what it is given
        raise Invalid(
            _l("password too long"), {field: _l("at most %(n)d characters", n=MAX_LENGTH)}
        )
    if len(password) < MIN_LENGTH:
        raise Invalid(
            _l("password too short"), {field: _l("at least %(n)d characters", n=MIN_LENGTH)}
        )
    if password.lower() in _common_passwords():
        raise Invalid(_l("password too common"), {field: _l("this password is too common")})


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; constant work when the user does not exist."""
    real = password_hash if password_hash != NO_PASSWORD else None
    try:
        return _hasher.verify(real or _dummy_hash(_hasher), password) and bool(real)
    except (VerificationError, InvalidHashError):
        return False
