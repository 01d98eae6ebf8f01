"""Exactly-once for check-ins and visits: the key (kind, client_id) → the record it made.

The service that stores a record claims its key in the same transaction (inside the same
SAVEPOINT), after the record's INSERT. Two sends of one client_id at the same moment both pass
the look-up; the second's claim waits for the first's transaction and then breaks the key's
primary key, its SAVEPOINT (record included) is rolled back, and it answers the first record,
which it can now see. One code path on SQLite and PostgreSQL; on PostgreSQL it is what lets the
records' tables be partitioned by month (no unique client_id is possible on them there).

Check-ins (the busiest writer) do without the SAVEPOINT's round trips. On SQLite they use `take`:
INSERT ... ON CONFLICT DO NOTHING, which waits for the concurrent transaction in the same way but
answers False instead of failing, and the loser deletes the row it inserted. On PostgreSQL the
claim comes first, in the same statement as the record (`claiming_new_id`): the key is claimed
with the record's id drawn from its sequence, and the record inserted only if the claim was."""

from __future__ import annotations

from sqlalchemy import Connection, Row, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite

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


# The claim that does not fail: on a key already held (or being written by a concurrent
# transaction, which it waits for) it inserts nothing and returns no row. Each engine's own
# INSERT ... ON CONFLICT DO NOTHING RETURNING.
_TAKE = {
    name: dialect.insert(IdempotencyKey)
    .on_conflict_do_nothing(index_elements=["kind", "client_id"])
    .returning(IdempotencyKey.record_id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


def take(
    kind: str, client_id: str, user_id: int, record_id: int, connection: Connection | None = None
) -> bool:
    """Tie client_id to the record just inserted, as `claim` does; False (and nothing written)
    when another send holds it, instead of an error that would need a SAVEPOINT to survive.
    On the session's connection (`connection` when the caller holds it already)."""
    connection = connection if connection is not None else db.session.connection()
    params = {"kind": kind, "client_id": client_id, "user_id": user_id, "record_id": record_id}
    return connection.execute(_TAKE[connection.dialect.name], params).first() is not None


def claiming_new_id(kind: str, table: str):
    """PostgreSQL: a CTE claiming (kind, :client_id) for :user_id at :claimed_at with a new id
    drawn from the sequence of `table`.id; its one row is that id, or there is none when another
    send holds the key (a concurrent one is waited for, as `take` waits). The statement it is part
    of inserts the record FROM it, so that a repeat inserts nothing."""
    keys = IdempotencyKey.__table__
    return (
        postgresql.insert(keys)
        .values(
            kind=kind,
            client_id=bindparam("client_id", type_=keys.c.client_id.type),
            user_id=bindparam("user_id", type_=keys.c.user_id.type),
            record_id=func.nextval(func.pg_get_serial_sequence(table, "id")),
            created_at=bindparam("claimed_at", type_=keys.c.created_at.type),
        )
        .on_conflict_do_nothing(index_elements=["kind", "client_id"])
        .returning(keys.c.record_id)
        .cte("claim")
    )
