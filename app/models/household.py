"""Households reached door to door: an address label and tags, never names or ID numbers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, attributes, mapped_column, relationship

from app.extensions import db
from app.models.area import Area, add_to_counters
from app.models.base import UTCDateTime, utcnow

HOUSEHOLD_TAGS = ("elderly", "floating", "student", "enterprise", "finance", "parent", "other")


class Household(db.Model):
    """A household in a grid; `unreachable` (vacant, demolished) removes it from coverage."""

    __tablename__ = "households"
    __table_args__ = (
        UniqueConstraint("area_id", "label"),
        # Coverage counts reachable households per grid from this index alone.
        Index("ix_households_area_unreachable", "area_id", "unreachable"),
        # ...and finds the few unreachable ones (whose visits do not count) from this one.
        Index("ix_households_unreachable_id", "unreachable", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # active_history: the grid's counters (below) need the value a change replaces.
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True, active_history=True)
    label: Mapped[str] = mapped_column(String(120))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    unreachable: Mapped[bool] = mapped_column(Boolean, default=False, active_history=True)
    unreachable_reason: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    area: Mapped[Area] = relationship()


def count_households(
    connection: Connection, rows: Iterable[tuple[int, bool]], sign: int = 1
) -> None:
    """Add (or with sign=-1 take away) households, as (grid id, unreachable), to their grids'
    household_rows and reachable_households, in the caller's transaction.

    Writers that insert households in bulk (imports, the demo) call it with what they inserted;
    the events below cover everything written through the ORM. The counters move by increments,
    so two transactions writing to one grid at once both count."""
    counted: Counter[int] = Counter()
    reachable: Counter[int] = Counter()
    for grid_id, unreachable in rows:
        counted[grid_id] += sign
        reachable[grid_id] += 0 if unreachable else sign
    deltas = {grid_id: (n, reachable[grid_id]) for grid_id, n in counted.items()}
    add_to_counters(connection, ("household_rows", "reachable_households"), deltas)


def _as_stored(household: Household) -> tuple[int, bool]:
    """(grid id, unreachable) as the row held them before this flush."""
    values = []
    for key in ("area_id", "unreachable"):
        history = attributes.get_history(household, key)
        values.append(history.deleted[0] if history.deleted else getattr(household, key))
    return values[0], bool(values[1])


@event.listens_for(Household, "after_insert")
def _count_new(_mapper, connection: Connection, household: Household) -> None:
    count_households(connection, [(household.area_id, bool(household.unreachable))])


@event.listens_for(Household, "after_update")
def _count_changed(_mapper, connection: Connection, household: Household) -> None:
    before, after = _as_stored(household), (household.area_id, bool(household.unreachable))
    if before != after:
        count_households(connection, [before], sign=-1)
        count_households(connection, [after])


@event.listens_for(Household, "after_delete")
def _count_deleted(_mapper, connection: Connection, household: Household) -> None:
    count_households(connection, [_as_stored(household)], sign=-1)
