"""The weights of the monthly assessment (考核), set by the district: one row per indicator."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

INDICATORS = (
    "site_coverage",
    "household_coverage",
    "warnings_on_time",
    "cases_per_10k",
    "awareness_rate",
    "app_install_rate",
    "rounds_completed",
)


class AssessmentWeight(db.Model):
    """An indicator's weight; an indicator without a row weighs 1."""

    __tablename__ = "assessment_weights"

    indicator: Mapped[str] = mapped_column(String(32), primary_key=True)
    weight: Mapped[float] = mapped_column(Float)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
