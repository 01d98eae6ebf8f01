"""Writing the audit log: who did what to which object, when, from where, and what changed.

Changes are recorded as {"fields": [names], "changes": {name: {"old": ..., "new": ...}}}; a secret
(a password) appears in `fields` by name only, never with a value or a hash.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from app.extensions import db
from app.models import AuditEvent, User

SECRET_FIELDS = frozenset({"password", "password_hash", "token"})

_origin: Callable[[], str | None] = lambda: None  # noqa: E731  (replaced by the web layer)


def set_origin_source(source: Callable[[], str | None]) -> None:
    """Register where "from where" comes from (the web layer gives the client's address)."""
    global _origin
    _origin = source


def record_event(actor: User | None, action: str, obj: Any = None, **detail: Any) -> AuditEvent:
    """Add an audit event for `action` on `obj` (flushed with the caller's transaction)."""
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=type(obj).__name__.lower() if obj is not None else "",
        object_id=getattr(obj, "id", None),
        detail=detail,
        address=_origin(),
    )
    db.session.add(event)
    return event


def plain(value: Any) -> Any:
    """A value as JSON can hold it: dates as ISO text, decimals as text, rows by their id."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if hasattr(value, "id"):
        return value.id
    return str(value)


def snapshot(obj: Any, names: Iterable[str]) -> dict[str, Any]:
    """The current values of `names` on `obj`, secrets left out."""
    return {name: plain(getattr(obj, name, None)) for name in names if name not in SECRET_FIELDS}


def changes(before: dict[str, Any], after: dict[str, Any], secrets: Iterable[str] = ()) -> dict[str, Any]:
    """What changed between two snapshots, old → new, plus the names of secrets that were set."""
    changed = {name: {"old": before.get(name), "new": after.get(name)}
               for name in after if before.get(name) != after.get(name)}
    return {"fields": sorted(set(changed) | set(secrets)), "changes": changed}
