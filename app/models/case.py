"""Fraud cases (发案) per community, the input of red/yellow cards and back-checks."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.area import Area
from app.models.base import UTCDateTime, utcnow
from app.models.household import Household
from app.models.site import Site

FRAUD_TYPES = (
    "loan_investment",
    "order_brushing",
    "fake_customer_service",
    "pig_butchering",
    "shopping",
    "impersonating_police",
    "other",
)
AGE_BANDS = ("under_18", "18_30", "31_45", "46_60", "over_60")


class FraudCase(db.Model):
    """A reported case with its loss."""

    __tablename__ = "fraud_cases"
    __table_args__ = (
        Index("ix_fraud_cases_area_occurred", "area_id", "occurred_on"),
        # Cards, the daily report and the case list read a period's cases district-wide.
        Index("ix_fraud_cases_occurred", "occurred_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    occurred_on: Mapped[date]
    fraud_type: Mapped[str] = mapped_column(String(32))
    loss_amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    victim_age_band: Mapped[str | None] = mapped_column(String(16))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    # Where it happened (发案部位), for 部位多发必查: a publicity site, or an address as written.
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), index=True)
    address: Mapped[str | None] = mapped_column(String(200))
    # The police system's case number (案件编号): an import of the same file again adds nothing.
    reference: Mapped[str | None] = mapped_column(String(40), unique=True)
    # Made by the client that posts the case, so that a retried POST stores it once.
    client_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    area: Mapped[Area] = relationship()
    household: Mapped[Household | None] = relationship()
    site: Mapped[Site | None] = relationship()
