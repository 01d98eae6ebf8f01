"""Writing the audit log: who did what to which object, when, from where, and what changed.

Changes are recorded as {"fields": [names], "changes": {name: {"old": ..., "new": ...}}}; a secret
(a password) appears in `fields` by name only, never with a value or a hash.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.errors import Invalid
from app.extensions import db
from app.models import AuditEvent, User
from app.policy import require
from app.services.localtime import start_of_day, to_local
from app.services.reports import safe_text

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


def changes(
    before: dict[str, Any], after: dict[str, Any], secrets: Iterable[str] = ()
) -> dict[str, Any]:
    """What changed between two snapshots, old → new, plus the names of secrets that were set."""
    changed = {
        name: {"old": before.get(name), "new": after.get(name)}
        for name in after
        if before.get(name) != after.get(name)
    }
    return {"fields": sorted(set(changed) | set(secrets)), "changes": changed}


# The audit log page and its export (admins only).
EXPORT_LIMIT = 100_000


def search_events(actor: User, filters: dict[str, Any]):
    """A select() of (event, who) rows matching the filters, newest first; admins only."""
    require(actor, "read", "audit")
    query = select(AuditEvent, User).outerjoin(User, User.id == AuditEvent.actor_id)
    if filters.get("actor"):
        person = db.session.scalar(select(User.id).where(User.username == filters["actor"]))
        if person is None:
            raise Invalid(_l("no such person"), {"actor": _l("no such username")})
        query = query.where(AuditEvent.actor_id == person)
    for key in ("action", "object_type", "object_id"):
        if filters.get(key) not in (None, ""):
            query = query.where(getattr(AuditEvent, key) == filters[key])
    if filters.get("from_"):
        query = query.where(AuditEvent.created_at >= start_of_day(filters["from_"]))
    if filters.get("to"):
        query = query.where(AuditEvent.created_at < start_of_day(filters["to"] + timedelta(days=1)))
    return query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())


def page_of_events(actor: User, filters: dict[str, Any]) -> dict[str, Any]:
    """One page of search_events as {"items": [(event, who)], "total", "page", "per_page"}."""
    query = search_events(actor, filters)
    page, per_page = filters.get("page", 1), filters.get("per_page", 50)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    return {"items": items, "total": total, "page": page, "per_page": per_page}


def actions() -> list[str]:
    """Every action the log holds, for the filter's choices."""
    return list(
        db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    )


def describe(detail: dict[str, Any]) -> list[str]:
    """The event's detail as lines: "field: old → new" for changes, a secret by its name, then the rest."""
    lines = []
    changed = detail.get("changes") or {}
    for name in detail.get("fields") or sorted(changed):
        if name in changed:
            lines.append(
                f"{name}: {_shown(changed[name].get('old'))} → {_shown(changed[name].get('new'))}"
            )
        else:
            lines.append(f"{name}: ***")
    for key, value in detail.items():
        if key not in ("changes", "fields"):
            lines.append(f"{key}: {_shown(value)}")
    return lines


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def events_csv(rows, headers: list[str]) -> bytes:
    """The rows of search_events as CSV: UTF-8 with a BOM, times in the district's zone,
    text a spreadsheet will not run as a formula; at most EXPORT_LIMIT rows."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for event, who in rows:
        values = [
            to_local(event.created_at).strftime("%Y-%m-%d %H:%M:%S"),
            who.username if who else "",
            who.display_name if who else "",
            event.action,
            event.object_type,
            event.object_id,
            event.address or "",
            "\n".join(describe(event.detail or {})),
        ]
        writer.writerow(
            [safe_text(v) if isinstance(v, str) else ("" if v is None else v) for v in values]
        )
    return "\ufeff".encode() + out.getvalue().encode("utf-8")
