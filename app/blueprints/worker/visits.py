"""Door-to-door visits on the phone: my grids and tasks, then a grid's households, one tap per outcome."""

from __future__ import annotations

from flask import make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.blueprints import API_PREFIX as PREFIX
from app.blueprints.worker import bp
from app.guard import authorize
from app.kit import page_of, private
from app.labels import HOUSEHOLD_TAG_LABELS, VISIT_OUTCOME_LABELS, VISIT_STATE_LABELS
from app.services import visit_sheet

VISITS_URL = PREFIX + "/visits"
MESSAGES = {
    "photo_waiting": _l("Doorway photo kept: tap how the visit went, and it goes with the visit."),
    "photo_queued": _l("Doorway photo saved on this phone; it is added to the visit when sent."),
    "photo_sent": _l("Doorway photo added to the visit."),
    "photo_unreadable": _l("This photo could not be read. Take it again or choose another."),
    "locating": _l("Finding your position…"),
    "gps_ok": _l("GPS ready, accurate to %(accuracy)s m"),
    "gps_wait": _l("Waiting for GPS…"),
    "denied": _l(
        "Location is blocked for this page: allow it in the browser's site settings, then tap again."
    ),
    "no_fix": _l("No GPS position yet. Turn on location, step near a window, and tap again."),
    "sent": _l("Recorded"),
    "queued": _l("Saved on this phone; it will be sent when the connection is back."),
    "refused": _l("Not recorded:"),
    "login": _l("You are logged out. Log in again to send the saved visits."),
    "flagged": _l("Recorded, but the position is outside this grid: a coordinator will review it."),
    "waiting": _l("Waiting to be sent: %(count)s"),
    "progress": _l("%(visited)s of %(total)s households visited, %(reached)s reached"),
}


def _sheet_page(sheet):
    config = {
        "api": VISITS_URL,
        "photos_api": PREFIX + "/photos",
        "csrf_url": "/csrf-token",
        "task_id": sheet.task.id if sheet.task else None,
        "messages": {k: str(v) for k, v in MESSAGES.items()},
        "states": {k: str(v) for k, v in VISIT_STATE_LABELS.items()},
    }
    html = render_template(
        "worker/visits_sheet.html",
        sheet=sheet,
        config=config,
        outcomes=VISIT_OUTCOME_LABELS,
        states=VISIT_STATE_LABELS,
        tags=HOUSEHOLD_TAG_LABELS,
        q=request.args.get("q", ""),
    )
    return private(make_response(html), revalidate=True)


@bp.get("/visits")
@authorize("record", "visit")
def visits_home():
    """My door-to-door tasks and my grids."""
    html = render_template(
        "worker/visits.html",
        tasks=visit_sheet.my_door_tasks(current_user),
        grids=page_of(visit_sheet.my_grids(current_user)),
    )
    return private(make_response(html), revalidate=True)


@bp.get("/visits/tasks/<int:task_id>")
@authorize("record", "visit")
def visit_task(task_id: int):
    """A door-to-door task's households, those not yet visited since the task began first."""
    task = visit_sheet.task_for(current_user, task_id)
    since = visit_sheet.task_start(task)
    return _sheet_page(
        visit_sheet.build_sheet(task.area, since, task=task, q=request.args.get("q"))
    )


@bp.get("/visits/grids/<int:grid_id>")
@authorize("record", "visit")
def visit_grid(grid_id: int):
    """A grid's households, those not yet visited this month first."""
    grid = visit_sheet.grid_for(current_user, grid_id)
    return _sheet_page(
        visit_sheet.build_sheet(grid, visit_sheet.month_start(), q=request.args.get("q"))
    )
