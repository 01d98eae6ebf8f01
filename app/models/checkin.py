"""Check-ins at publicity sites, proven by a scanned code and a GPS fix."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, keep_sums, utcnow
from app.models.photo import Photo
from app.models.site import Site
from app.models.site_month import count_checkins
from app.models.task import Task
from app.models.user import User

CHECKIN_STATUSES = ("accepted", "rejected", "flagged")
# The site's state as the worker found it: 完好, 破损, 被遮挡, 缺失, 屏幕未播放 (e-screens).
SITE_CONDITIONS = ("ok", "damaged", "covered", "missing", "screen_off")


class CheckIn(db.Model):
    """One check-in; `client_id` (made on the phone) makes retries exactly-once, kept unique by
    idempotency_keys (on PostgreSQL the table is partitioned by month of captured_at and its
    primary key there is (id, captured_at): see app/services/partitions.py)."""

    __tablename__ = "checkins"
    __table_args__ = (
        # A person's check-ins in time order; with the status, coverage asks "did they make an
        # accepted check-in in the period" from the index alone, person by person.
        Index("ix_checkins_user_captured", "user_id", "captured_at", "status"),
        # Coverage reads every counted check-in of a site in a period from this index alone;
        # task progress, a site's last sighting and the review queue (a site's flagged ones) seek
        # on its leading columns. (A site-and-time index and one on status alone were dropped:
        # this one answers their queries, and both cost every insert; bench/checkin_indexes.py.)
        Index(
            "ix_checkins_coverage",
            "site_id",
            "status",
            "captured_at",
            "user_id",
            "people_reached",
            "materials_count",
        ),
        # ...and PostgreSQL reads a whole district's period from this one (hash join on the sites).
        Index(
            "ix_checkins_period",
            "captured_at",
            "status",
            "site_id",
            "people_reached",
            "materials_count",
            "user_id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(36))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    task_id: Mapped[int | None] = mapped_column(
        ForeignKey("tasks.id", ondelete="SET NULL"), index=True
    )
    lat: Mapped[float]
    lng: Mapped[float]
    accuracy_m: Mapped[float | None]
    distance_m: Mapped[float]
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # active_history on what the monthly sums count: they need the value a change replaces.
    status: Mapped[str] = mapped_column(String(16), active_history=True)
    reason: Mapped[str | None] = mapped_column(String(64))
    people_reached: Mapped[int | None] = mapped_column(active_history=True)
    materials_count: Mapped[int | None] = mapped_column(active_history=True)
    note: Mapped[str | None] = mapped_column(Text)
    site_condition: Mapped[str | None] = mapped_column(String(16))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_note: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    site: Mapped[Site] = relationship()
    task: Mapped[Task | None] = relationship()
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    photos: Mapped[list[Photo]] = relationship(order_by="Photo.id", viewonly=True)

    @property
    def photo_ids(self) -> list[int]:
        return [photo.id for photo in self.photos]


# What the sites' monthly sums (app/models/site_month.py) count of a check-in: added when one is
# inserted, taken out when deleted, moved by a review's verdict or an author's amended counts.
keep_sums(
    CheckIn,
    ("site_id", "captured_at", "status", "people_reached", "materials_count"),
    count_checkins,
)
