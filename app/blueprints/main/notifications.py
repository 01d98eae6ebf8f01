"""A person's notifications: the list (unread first) and marking them read."""

from __future__ import annotations

from flask import make_response, redirect, render_template, request, url_for
from flask_login import current_user

from app.blueprints.main import bp
from app.guard import authorize
from app.kit import page_of, private
from app.redirects import safe_next
from app.services.notifications import inbox


@bp.get("/notifications")
@authorize("read", "notification")
def notifications():
    """My notifications, unread first; opening the list marks nothing read (reads are pure)."""
    rows = page_of(inbox.list_for(current_user))
    page = render_template("main/notifications.html", rows=rows)
    return private(make_response(page))


@bp.post("/notifications/read")
@authorize("update", "notification")
def mark_read():
    """Mark one notification (`id`) or all of mine read, then go on (`next`) or back to the list."""
    raw = request.form.get("id", "")
    inbox.mark_read(current_user, int(raw) if raw.isdigit() and len(raw) < 10 else None)
    target = request.form.get("next")
    return redirect(safe_next(target) if target else url_for(".notifications"))
