"""Awareness quizzes (反诈知识问答): a public sheet tied to an area, and the answers residents send."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.area import Area
from app.models.base import UTCDateTime, utcnow

QUIZ_AUDIENCES = ("residents", "students", "parents")
# Answers sent by one address to one quiz in a day, unless the coordinator raises it (a school or
# a cinema answers from behind one address).
DEFAULT_ADDRESS_ALLOWANCE = 30


class Quiz(db.Model):
    """A quiz of single- and multiple-choice questions; `questions` holds
    `[{"text", "choices": [...], "answer": [indexes]}]`; `token` is printed in its QR code."""

    __tablename__ = "quizzes"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    audience: Mapped[str] = mapped_column(String(16))
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    pass_mark: Mapped[float] = mapped_column(Float)
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    address_allowance: Mapped[int] = mapped_column(default=DEFAULT_ADDRESS_ALLOWANCE)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    area: Mapped[Area] = relationship()


class QuizResponse(db.Model):
    """One answered sheet. No person is named: `device_id` is a random id the phone made, and
    `address_key` a keyed hash of the sender's address, kept only to apply the abuse limits.
    `counted` is false for a sheet answered faster than a person can read it."""

    __tablename__ = "quiz_responses"
    __table_args__ = (
        UniqueConstraint("quiz_id", "client_id"),
        # The limits count a device's and an address's sheets of the last day from these.
        Index("ix_quiz_responses_device", "quiz_id", "device_id", "created_at"),
        Index("ix_quiz_responses_address", "quiz_id", "address_key", "created_at"),
        # Awareness reads a period's counted sheets.
        Index("ix_quiz_responses_awareness", "created_at", "quiz_id", "counted", "passed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id"))
    client_id: Mapped[str] = mapped_column(String(36))
    device_id: Mapped[str | None] = mapped_column(String(36))
    address_key: Mapped[str] = mapped_column(String(32))
    answers: Mapped[list[list[int]]] = mapped_column(JSON)
    score: Mapped[float] = mapped_column(Float)
    passed: Mapped[bool] = mapped_column(Boolean)
    counted: Mapped[bool] = mapped_column(Boolean)
    elapsed_ms: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    quiz: Mapped[Quiz] = relationship()
