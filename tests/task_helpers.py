"""Evidence rows made directly with the models, for the progress tests of tasks and campaigns."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, CheckIn, Household, Site, Task, User, Visit
from app.models.base import utcnow
from app.services import warnings
from app.services.localtime import start_of_day, today


def make_task(grid, kind: str = "site_check", target: int = 2, assignees=(), sites=(), **fields) -> Task:
    starts = fields.pop("starts_at", start_of_day(today()) - timedelta(days=1))
    due = fields.pop("due_at", utcnow() + timedelta(days=7))
    task = Task(title=fields.pop("title", f"{kind} task"), kind=kind, area_id=grid.id, starts_at=starts, due_at=due,
                target_count=target, targets=fields.pop("targets", {}), status=fields.pop("status", "open"), **fields)
    task.assignees = list(assignees)
    task.sites = list(sites)
    db.session.add(task)
    db.session.flush()
    return task


def make_checkin(user: User, site: Site, task: Task | None = None, status: str = "accepted",
                 at: datetime | None = None, materials: int | None = None) -> CheckIn:
    checkin = CheckIn(client_id=str(uuid.uuid4()), user_id=user.id, site_id=site.id,
                      task_id=task.id if task else None, lat=site.lat, lng=site.lng, accuracy_m=10,
                      distance_m=5, captured_at=at or utcnow(), status=status, materials_count=materials)
    db.session.add(checkin)
    db.session.flush()
    return checkin


def make_visit(user: User, household: Household, task: Task | None = None, outcome: str = "reached",
               at: datetime | None = None, materials: int | None = None, app_installed: bool = False) -> Visit:
    visit = Visit(client_id=str(uuid.uuid4()), household_id=household.id, user_id=user.id,
                  task_id=task.id if task else None, outcome=outcome, captured_at=at or utcnow(),
                  materials_count=materials, app_installed=app_installed)
    db.session.add(visit)
    db.session.flush()
    return visit


def shanghai(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Shanghai wall-clock time as an aware UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


def make_warning(actor: User, grid, level: str = "high", at: datetime | None = None, **extra):
    """A risk warning entered by `actor` for `grid` (created at `at`, default now)."""
    data = {"level": level, "area_id": grid.id, "subject_label": "王某", "phone": "13800131234", **extra}
    return warnings.create_warning(actor, data, now=at)


def reveal_count() -> int:
    """How many times a full phone number has been revealed (audit events)."""
    return db.session.scalar(select(func.count()).where(AuditEvent.action == "warning.reveal_phone"))
