"""Door-to-door visits (入户) to households."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, event, select, update
from sqlalchemy.orm import Mapped, attributes, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, keep_sums, utcnow
from app.models.household import Household
from app.models.household_month import HouseholdMonth, count_visits
from app.models.photo import Photo
from app.models.task import Task
from app.models.user import User

VISIT_OUTCOMES = ("reached", "not_home", "refused")


class Visit(db.Model):
    """One visit; `client_id` makes retries exactly-once (kept unique by idempotency_keys; on
    PostgreSQL the table is partitioned by month of captured_at), `flag_reason` marks far-away
    fixes."""

    __tablename__ = "visits"
    __table_args__ = (
        Index("ix_visits_household_captured", "household_id", "captured_at"),
        Index("ix_visits_user_captured", "user_id", "captured_at"),
        # Coverage reads a period's visits, grid by grid, from this index alone.
        Index(
            "ix_visits_coverage_grid",
            "captured_at",
            "area_id",
            "household_id",
            "outcome",
            "app_installed",
            "materials_count",
            "user_id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(36))
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    # The household's grid, copied when the visit is stored and kept equal to it (a household
    # moved to another grid takes its visits along: _follow_household below), so that coverage
    # groups a period's visits by grid without reading every household. Set by the writer, else
    # by _grid_of_household below.
    area_id: Mapped[int] = mapped_column()
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    task_id: Mapped[int | None] = mapped_column(
        ForeignKey("tasks.id", ondelete="SET NULL"), index=True
    )
    # active_history on what the monthly sums count: they need the value a change replaces.
    outcome: Mapped[str] = mapped_column(String(16), active_history=True)
    lat: Mapped[float | None]
    lng: Mapped[float | None]
    accuracy_m: Mapped[float | None]
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    app_installed: Mapped[bool] = mapped_column(Boolean, default=False, active_history=True)
    materials_count: Mapped[int | None] = mapped_column(active_history=True)
    flag_reason: Mapped[str | None] = mapped_column(String(64))
    # Details the worker may add within a day (PATCH /visits/ID); site_condition is that of the
    # publicity material at the doorway (a notice, a sticker), in the check-ins' words.
    people_reached: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(Text)
    site_condition: Mapped[str | None] = mapped_column(String(16))

    household: Mapped[Household] = relationship()
    user: Mapped[User] = relationship()
    task: Mapped[Task | None] = relationship()
    photos: Mapped[list[Photo]] = relationship(order_by="Photo.id", viewonly=True)

    @property
    def photo_ids(self) -> list[int]:
        return [photo.id for photo in self.photos]


@event.listens_for(Visit, "before_insert")
def _grid_of_household(_mapper, _connection, visit: Visit) -> None:
    """A writer that did not set the grid gets the household's, inside the INSERT itself."""
    if visit.area_id is None:
        visit.area_id = (
            select(Household.area_id).where(Household.id == visit.household_id).scalar_subquery()
        )


@event.listens_for(Household, "after_update")
def _follow_household(_mapper, connection, household: Household) -> None:
    """A household moved to another grid: its visits count there, as coverage always counted."""
    # has_changes, not .deleted: a household set anew after its row expired (a commit) has no
    # old value loaded, and its visits must follow all the same.
    if attributes.get_history(household, "area_id").has_changes():
        connection.execute(
            update(Visit.__table__)
            .where(Visit.__table__.c.household_id == household.id)
            .values(area_id=household.area_id)
        )
        months = HouseholdMonth.__table__
        connection.execute(
            update(months)
            .where(months.c.household_id == household.id)
            .values(area_id=household.area_id)
        )


# What the households' monthly sums (app/models/household_month.py) count of a visit: added when
# one is inserted, taken out when deleted, moved by an author's amended leaflets.
keep_sums(
    Visit,
    ("household_id", "captured_at", "outcome", "app_installed", "materials_count"),
    count_visits,
)
