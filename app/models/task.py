"""Campaigns fan out into one task per grid; tasks are assigned to people."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.area import Area
from app.models.base import UTCDateTime, utcnow
from app.models.photo import Photo
from app.models.site import Site
from app.models.user import User

TASK_KINDS = (
    "door_to_door",
    "site_check",
    "poster",
    "banner",
    "screen",
    "lecture",
    "stall",
    "screening",
    "rider_drop",
    "app_promotion",
    "return_visit",
    "other",
)
# What campaigns and coordinators plan: every kind but the return visit, which a case makes.
PLANNED_KINDS = tuple(kind for kind in TASK_KINDS if kind != "return_visit")
TASK_STATUSES = ("open", "in_progress", "done", "cancelled")

task_assignees = Table(
    "task_assignees",
    db.metadata,
    Column("task_id", ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)
task_sites = Table(
    "task_sites",
    db.metadata,
    Column("task_id", ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True),
    Column("site_id", ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Campaign(db.Model):
    """A round of publicity over an area and a period; may repeat every month."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(24))
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    targets: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    repeat_monthly: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set: one task per active person of this force in the area, instead of one per grid.
    force: Mapped[str | None] = mapped_column(String(24))
    # Set: the evidence its tasks count (check-ins, or visits for door-to-door) counts only with a
    # photo; copied to each task, where it may be changed task by task.
    photo_required: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # A monthly repeat points at the campaign it was rolled from.
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    area: Mapped[Area] = relationship()
    tasks: Mapped[list[Task]] = relationship(back_populates="campaign", order_by="Task.id")


class Task(db.Model):
    """Work for one grid, or for one person of a force; progress is counted from evidence."""

    __tablename__ = "tasks"
    # A campaign makes one task per grid, or one per person (person_key = their id; 0 for a grid's
    # task): a second fan-out of the same campaign can never duplicate either.
    __table_args__ = (UniqueConstraint("campaign_id", "area_id", "person_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(24))
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    target_count: Mapped[int] = mapped_column(default=1)
    targets: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reported_count: Mapped[int] = mapped_column(default=0)
    person_key: Mapped[int] = mapped_column(default=0, server_default="0")
    # A return visit (回访) after this case: one per case, made when the case is recorded.
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("fraud_cases.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    # Set: a check-in (a visit, for door-to-door and app promotion) counts only once it has a photo;
    # without one it is recorded all the same and counts when a photo is added to it.
    photo_required: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    campaign: Mapped[Campaign | None] = relationship(back_populates="tasks")
    area: Mapped[Area] = relationship()
    assignees: Mapped[list[User]] = relationship(secondary=task_assignees, order_by="User.id")
    sites: Mapped[list[Site]] = relationship(secondary=task_sites, order_by="Site.id")

    @property
    def assignee_ids(self) -> list[int]:
        return [user.id for user in self.assignees]

    @property
    def site_ids(self) -> list[int]:
        return [site.id for site in self.sites]

    @property
    def seconds_left(self) -> int:
        """Whole seconds until due; negative once past."""
        return int((self.due_at - utcnow()).total_seconds())

    def is_overdue(self, now: datetime | None = None) -> bool:
        """Past its due time and neither done nor cancelled."""
        return self.status in ("open", "in_progress") and (now or utcnow()) > self.due_at


class TaskReport(db.Model):
    """An activity an assignee reports: a lecture (宣讲/授课), a stall (摆摊), a screening (放映) or
    a rider drop, with its count (sessions held, leaflets handed out), when and where it took
    place (a site or a free address, and the community it counts for), the audience or people
    reached, the materials handed out, and a note."""

    __tablename__ = "task_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    count: Mapped[int]
    note: Mapped[str | None] = mapped_column(Text)
    # When it took place (the report's time when not given); reports count on its local day.
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="SET NULL"))
    address: Mapped[str | None] = mapped_column(String(200))
    # The community (or any area) it counts for: the site's area, else the task's grid.
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    audience: Mapped[int | None]
    materials: Mapped[int | None]
    # Made on the phone, so that a retried report is stored once.
    client_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    task: Mapped[Task] = relationship()
    user: Mapped[User] = relationship()
    photos: Mapped[list[Photo]] = relationship(order_by="Photo.id", viewonly=True)

    @property
    def photo_ids(self) -> list[int]:
        return [photo.id for photo in self.photos]

    site: Mapped[Site | None] = relationship()
    area: Mapped[Area | None] = relationship()
