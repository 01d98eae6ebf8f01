"""Exactly-once for check-ins and visits: the key (kind, client_id) → the record it made.

The service that stores a record claims its key in the same transaction (inside the same
SAVEPOINT), after the record's INSERT. Two sends of one client_id at the same moment both pass
the look-up; the second's claim waits for the first's transaction and then breaks the key's
primary key, its SAVEPOINT (record included) is rolled back, and it answers the first record,
which it can now see. One code path on SQLite and PostgreSQL; on PostgreSQL it is what lets the
records' tables be partitioned by month (no unique client_id is possible on them there)."""

from __future__ import annotations

from sqlalchemy import Row, bindparam, select

from app.extensions import db
from app.models import IdempotencyKey

_EARLIER = select(IdempotencyKey.user_id, IdempotencyKey.record_id).where(
    IdempotencyKey.kind == bindparam("kind"), IdempotencyKey.client_id == bindparam("client_id")
)
_CLAIM = IdempotencyKey.__table__.insert()


def earlier(kind: str, client_id: str) -> Row | None:
    """(user_id, record_id) of the record an earlier send of this client_id made, else None."""
    params = {"kind": kind, "client_id": client_id}
    return db.session.connection().execute(_EARLIER, params).first()


def claim(kind: str, client_id: str, user_id: int, record_id: int) -> None:
    """Tie client_id to the record just inserted; IntegrityError when another send holds it.

    Call it inside the SAVEPOINT that inserted the record, so that losing rolls both back."""
    db.session.connection().execute(
        _CLAIM,
        {"kind": kind, "client_id": client_id, "user_id": user_id, "record_id": record_id},
    )
