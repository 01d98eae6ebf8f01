"""Background jobs: work too long for a request (a large import), done by `flask --app app worker`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

JOB_STATUSES = ("queued", "running", "done", "failed")


class Job(db.Model):
    """One unit of background work of a registered kind, with its input, progress and result."""

    __tablename__ = "jobs"
    __table_args__ = (
        # Workers look for the oldest queued job, and for running jobs whose worker went quiet.
        Index("ix_jobs_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(48))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    creator_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The uploaded file; emptied once the job has finished, so no resident data lingers here.
    payload: Mapped[bytes | None] = mapped_column(LargeBinary)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Moved on with every progress report: a running job whose heartbeat is old lost its worker.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
