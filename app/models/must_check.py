"""The four must-checks (四必查): opened by the system when a warning ends 已被骗, a case's loss is
large, a community's cases pile up within 30 days, or cases repeat at one place; concluded by a
coordinator of the community with who was responsible and what follows."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.area import Area
from app.models.base import UTCDateTime, utcnow
from app.models.case import FraudCase
from app.models.warning import RiskWarning

# 劝阻失效必查, 大额警情必查, 社区多发必查, 部位多发必查
MUST_CHECK_KINDS = ("defrauded", "large_loss", "community_repeat", "place_repeat")
MUST_CHECK_STATUSES = ("open", "concluded")


class MustCheck(db.Model):
    """One check per trigger: `trigger_key` names it (the warning, the case, the community or the
    place with the day it tipped over), so a retry or a second import never opens it twice."""

    __tablename__ = "must_checks"
    __table_args__ = (Index("ix_must_checks_status_area", "status", "area_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    trigger_key: Mapped[str] = mapped_column(String(300), unique=True)
    # The community the check belongs to (its coordinators conclude it).
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("fraud_cases.id"), index=True)
    warning_id: Mapped[int | None] = mapped_column(ForeignKey("warnings.id"), index=True)
    # The day the trigger happened (the case's day, or the day the warning was handled).
    trigger_on: Mapped[date]
    # What tipped it over: the loss, the number of cases, the place.
    detail: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), default="open")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    conclusion: Mapped[str | None] = mapped_column(Text)
    responsible: Mapped[str | None] = mapped_column(Text)
    follow_up: Mapped[str | None] = mapped_column(Text)
    concluded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    concluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    area: Mapped[Area] = relationship()
    case: Mapped[FraudCase | None] = relationship()
    warning: Mapped[RiskWarning | None] = relationship()
