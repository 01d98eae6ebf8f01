"""Which record a client_id made: exactly-once for check-ins and visits, whatever their tables.

A unique key on a partitioned table must include the partition key, so on PostgreSQL (where
check-ins and visits are partitioned by month of captured_at) `client_id` cannot be unique on the
records themselves. This small table keeps it unique instead, on both engines: the service writes
the key in the same transaction as the record, and a retry (or a concurrent send) of the same
client_id finds the key, or loses on its primary key, and answers the first record."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

# What a key can point at: the record's table, by its id.
IDEMPOTENT_KINDS = ("checkin", "visit")


class IdempotencyKey(db.Model):
    """One client_id of one kind of record, the person who sent it and the record it made."""

    __tablename__ = "idempotency_keys"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # checkins.id or visits.id, by kind (no foreign key: it points into one of two tables).
    record_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
