"""Who hears what, and the words they read.

- a new warning: the workers of its grid and the community's police, at once;
- reminders when half and when nine-tenths of its time has passed, to the same people;
- past its deadline: the community's coordinators (the street's when the community has none),
  and once late by another full span, the street's (as the zeroing board escalates);
- a warning unreachable twice: the community's police;
- a task assigned: its new assignees; a check-in rejected on review: its author.

Texts are written in the app's default language when the notification is written. They name
the person by the warning's label and never carry a phone number: any run of digits long enough
to be one is blotted out of the label and the address.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import literal, select

from app.extensions import db
from app.labels import WARNING_LEVEL_LABELS
from app.models import Area, User
from app.policy import coordinators, leaders, police_officers
from app.services.access import grids_of
from app.services.localtime import to_local
from app.services.notifications.outbox import notify, notify_once

DIGITS = re.compile(r"\+?\d(?:[\d\s\-]{4,}\d)")
STAGES = ("half", "due_soon", "community", "street")
STAGE_KINDS = {
    "half": "warning_reminder",
    "due_soon": "warning_due_soon",
    "community": "warning_escalated",
    "street": "warning_escalated",
}


def scrub(text: str | None) -> str:
    """A label or address with every number long enough to be a phone blotted out."""
    return DIGITS.sub("***", text or "")


def _chain(grid: Area) -> tuple[Area, Area, Area]:
    """(grid, community, street) of a grid."""
    ids = [int(p) for p in grid.path.strip("/").split("/")]
    found = {a.id: a for a in db.session.scalars(select(Area).where(Area.id.in_(ids)))}
    street = found[ids[0]]
    community = found[ids[-2]] if len(ids) >= 2 else grid
    return grid, community, street


def grid_workers(grid: Area) -> list[User]:
    """The active people who work the grid."""
    return list(
        db.session.scalars(select(User).where(User.active, literal(grid.id).in_(grids_of(User.id))))
    )


def community_police(grid: Area) -> list[User]:
    """Active police officers whose area is the grid's community, its street, or the grid."""
    grid, community, street = _chain(grid)
    return list(
        db.session.scalars(
            select(User).where(
                User.active,
                police_officers(User.role, User.force),
                User.area_id.in_((grid.id, community.id, street.id)),
            )
        )
    )


def coordinators_of(area: Area) -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.active, coordinators(User.role), User.area_id == area.id)
        )
    )


def _handlers(warning) -> list[User]:
    return grid_workers(warning.area) + community_police(warning.area)


def _when(moment: datetime) -> str:
    return to_local(moment).strftime("%m-%d %H:%M")


def _words(warning, headline: str) -> tuple[str, str]:
    grid, community, _street = _chain(warning.area)
    level = str(WARNING_LEVEL_LABELS.get(warning.level, warning.level))
    title = _("%(level)s warning: %(headline)s", level=level, headline=headline)
    parts = [
        _("Person: %(label)s", label=scrub(warning.subject_label)),
        _("Grid: %(grid)s (%(community)s)", grid=grid.name, community=community.name),
    ]
    if warning.address:
        parts.append(_("Address: %(address)s", address=scrub(warning.address)))
    parts.append(_("Deadline: %(when)s", when=_when(warning.deadline_at)))
    return title, "\n".join(parts)


def _tell_warning(kind, people, warning, headline, now, key=None):
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        title, text = _words(warning, headline())
    write = notify_once if key else notify
    extra = {"dedupe_key": key} if key else {}
    link = f"/worker/warnings/{warning.id}"
    return write(kind, people, title, text, warning=warning, link=link, now=now, **extra)


def warning_created(warning, now: datetime | None = None):
    """A new warning: its grid's workers and the community's police, at once."""
    return _tell_warning(
        "warning_new",
        _handlers(warning),
        warning,
        lambda: _("new, meet the person before the deadline"),
        now,
    )


def warnings_created(warnings: Iterable, now: datetime | None = None) -> int:
    """warning_created for each of many (an import), the people of each grid looked up once."""
    people: dict[int, list[User]] = {}
    told = 0
    for warning in warnings:
        if warning.area_id not in people:
            people[warning.area_id] = _handlers(warning)
        headline = lambda: _("new, meet the person before the deadline")  # noqa: E731
        told += (
            _tell_warning("warning_new", people[warning.area_id], warning, headline, now)
            is not None
        )
    return told


def warning_stage(warning, stage: str, now: datetime):
    """A reminder or an escalation, written once per warning and stage (several senders may find it)."""
    grid, community, street = _chain(warning.area)
    if stage in ("half", "due_soon"):
        people = _handlers(warning)
        headline = {
            "half": lambda: _("half of the time has passed"),
            "due_soon": lambda: _("the deadline is near"),
        }[stage]
    elif stage == "community":
        people = coordinators_of(community) or coordinators_of(street)
        headline = lambda: _("past its deadline, escalated to the community")  # noqa: E731
    else:
        people = coordinators_of(street)
        headline = lambda: _("still open, escalated to the street")  # noqa: E731
    key = f"warning:{warning.id}:{stage}"
    return _tell_warning(STAGE_KINDS[stage], people, warning, headline, now, key=key)


def warning_to_police(warning, now: datetime | None = None):
    """Unreachable twice: the community's police take the warning over."""
    return _tell_warning(
        "warning_to_police",
        community_police(warning.area),
        warning,
        lambda: _("could not be reached twice, handed to the police"),
        now,
    )


def task_assigned(task, people: Iterable[User], now: datetime | None = None):
    """A task's new assignees."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        title = _("New task: %(title)s", title=task.title)
        due = _when(task.due_at) if task.due_at else "—"
        text = _("Due: %(when)s", when=due)
    return notify("task_assigned", people, title, text, link=f"/worker/tasks/{task.id}", now=now)


def checkin_rejected(checkin, reason: str | None, now: datetime | None = None):
    """A check-in rejected on review: its author, with the reason."""
    author = db.session.get(User, checkin.user_id)
    if author is None:
        return None
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        title = _("Check-in rejected on review")
        text = _(
            "Site: %(site)s; reason: %(reason)s",
            site=checkin.site.name if checkin.site else "—",
            reason=scrub(reason) or "—",
        )
    return notify("checkin_rejected", [author], title, text, now=now)


def daily_report(day, text: str, now: datetime | None = None):
    """The daily report's paste-ready text to the district's leaders (and through the configured
    channel to their group), once per day however often it is asked for."""
    people = list(
        db.session.scalars(
            select(User).where(User.active, leaders(User.role), User.area_id.is_(None))
        )
    )
    title = f"【反诈日报】{day.isoformat()}"
    return notify_once(
        "daily_report", people, title, text, dedupe_key=f"daily_report:{day.isoformat()}", now=now
    )
