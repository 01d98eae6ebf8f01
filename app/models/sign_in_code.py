"""One-time sign-in codes: how a person with no password yet (imported) signs in the first time,
how a signed-in person carries their session out of WeChat's browser, and SMS login codes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.user import User

# slip: printed (or made after an SMS code) for a person with no password, who sets one with it;
# link: a signed-in person's own link to continue in another browser (WeChat → the phone's own);
# sms: six digits sent to the person's phone (wrong tries are counted with the login limits).
PURPOSES = ("slip", "link", "sms")


class SignInCode(db.Model):
    """A one-time code; only a hash of it is stored (SHA-256 of a random slip or link code, an
    HMAC of an SMS code, whose six digits alone would be guessed from a bare hash). Used once,
    then dead; it also dies when it expires, when it is revoked, or when a newer code of the same
    purpose is made for the person."""

    __tablename__ = "sign_in_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    purpose: Mapped[str] = mapped_column(String(8), default="slip", server_default="slip")
    # link: the page (a path on this site) the person was on, where the link lands them.
    next_path: Mapped[str | None] = mapped_column(String(500))

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def is_live(self, now: datetime) -> bool:
        return self.used_at is None and self.revoked_at is None and self.expires_at > now
