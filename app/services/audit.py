"""Writing the audit log."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request

from app.extensions import db
from app.models import AuditEvent, User


def record_event(actor: User | None, action: str, obj: Any = None, **detail: Any) -> AuditEvent:
    """Add an audit event for `action` on `obj` (flushed with the caller's transaction)."""
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=type(obj).__name__.lower() if obj is not None else "",
        object_id=getattr(obj, "id", None),
        detail=detail,
        address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    return event
