"""How Flask-Login finds the user: the session cookie for pages, a bearer token for the API."""

from __future__ import annotations

import re

from app.extensions import db
from app.models import User
from app.services.auth import user_for_token

MAX_ID = 2**31 - 1  # the id columns are 32-bit
SESSION_ID = re.compile(r"(?P<id>[0-9]{1,10}):(?P<version>[0-9]{1,10})")


def load_user(session_id: str) -> User | None:
    """The user of a session or remember cookie (`ID:VERSION`), if active and the version is current."""
    match = SESSION_ID.fullmatch(str(session_id))
    if match is None or int(match["id"]) > MAX_ID:
        return None  # a cookie from before session versions
    user = db.session.get(User, int(match["id"]))
    if user is None or not user.active or user.session_version != int(match["version"]):
        return None
    return user


def load_user_from_request(request) -> User | None:
    """The user of an `Authorization: Bearer` token."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() != "bearer ":
        return None
    token = header[7:].strip()
    return user_for_token(token) if token else None
