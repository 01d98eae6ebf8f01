"""Publicity sites (宣传点位) where a printed QR code proves a visit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.area import Area
from app.models.base import UTCDateTime, utcnow

SITE_KINDS = (
    "banner",
    "board",
    "screen",
    "poster",
    "cinema",
    "clinic",
    "bank",
    "hotel",
    "internet_cafe",
    "school",
    "company",
    "service_window",
    "other",
)


class Site(db.Model):
    """A site in a grid; lat/lng are always WGS-84 once stored."""

    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(24))
    lat: Mapped[float]
    lng: Mapped[float]
    radius_m: Mapped[int] = mapped_column(default=100)
    address: Mapped[str] = mapped_column(String(255), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    qr_version: Mapped[int] = mapped_column(default=1)
    visits_per_month: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    area: Mapped[Area] = relationship()
