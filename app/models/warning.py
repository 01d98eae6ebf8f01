"""Risk warnings (预警指令) pushed by the bureau, handled face to face within a deadline."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.area import Area
from app.models.base import UTCDateTime, utcnow
from app.models.household import Household
from app.models.user import User

WARNING_LEVELS = ("high", "medium", "low")
WARNING_RESULTS = ("dissuaded", "phone_dissuaded", "unreachable", "already_defrauded")
REPORTED_TO = ("96110", "110", "none")


class RiskWarning(db.Model):
    """A warning about a person likely to be defrauded; `phone` is masked on the way out."""

    __tablename__ = "warnings"

    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[str] = mapped_column(String(8), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    subject_label: Mapped[str] = mapped_column(String(80))
    phone: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    result: Mapped[str | None] = mapped_column(String(24))
    note: Mapped[str | None] = mapped_column(Text)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_lat: Mapped[float | None]
    handled_lng: Mapped[float | None]
    # Where to find the person: a known household, or an address label.
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    address: Mapped[str | None] = mapped_column(String(200))
    # 无法见面: the first failure asks to try again; the second hands the warning to the police.
    unreachable_count: Mapped[int] = mapped_column(default=0, server_default="0")
    handed_to_police_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The client_id of the last 无法见面 counted, so that a retried post does not count twice.
    last_attempt_id: Mapped[str | None] = mapped_column(String(36))
    # 已被骗 (快采): when, how much, through what, to whom, whether reported; and 止损金额.
    loss_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    stopped_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    paid_to: Mapped[str | None] = mapped_column(String(80))
    defrauded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fraud_channel: Mapped[str | None] = mapped_column(String(40))
    reported_to: Mapped[str | None] = mapped_column(String(8))

    area: Mapped[Area] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    handled_by: Mapped[User | None] = relationship(foreign_keys=[handled_by_id])
    household: Mapped[Household | None] = relationship()
