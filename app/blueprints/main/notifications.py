"""A person's notifications: the list (unread first) and marking them read."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.blueprints.main import bp
from app.guard import authorize
from app.kit import answer_status, page_of, private, submit
from app.kit.forms import NotifyChannelForm
from app.redirects import safe_next
from app.schemas.notification import NotifyChannelSchema
from app.services.notifications import inbox, preferences


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


@bp.route("/notifications/channel", methods=["GET", "POST"])
@authorize("update", "notify_channel")
def notify_channel():
    """My own channel besides the inbox: SMS (where a gateway is set) or a group robot."""
    setting = preferences.describe(current_user)
    form = NotifyChannelForm(data={"channel": setting["channel"] or ""}).offer(setting["channels"])
    change = lambda data: preferences.set_channel(current_user, data)  # noqa: E731
    if submit(form, change, schema=NotifyChannelSchema()) is not None:
        flash(_("Saved."), "ok")
        return redirect(url_for(".notify_channel"))
    page = render_template("main/notify_channel.html", form=form, setting=setting)
    return private(make_response(page, answer_status(form)))
