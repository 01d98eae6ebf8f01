"""How Flask-Login finds the user: the session cookie for pages, a bearer token for the API."""

from __future__ import annotations

from app.extensions import db
from app.models import User
from app.services.auth import user_for_token


def load_user(user_id: str) -> User | None:
    """The session's user, if still active."""
    try:
        user = db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None
    return user if user is not None and user.active else None


def load_user_from_request(request) -> User | None:
    """The user of an `Authorization: Bearer` token."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() != "bearer ":
        return None
    token = header[7:].strip()
    return user_for_token(token) if token else None
