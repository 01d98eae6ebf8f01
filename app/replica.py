"""Reads that may lag: dashboards and reports read through a streaming replica.

`DATABASE_REPLICA_URL` (config.py) adds a second engine, the bind `replica`. A view marked
`@reads_from_replica` runs its body with replica reads on; while they are on, the one place that
decides, `RoutingSession.get_bind`, sends every plain read to the replica and everything else to
the primary: a flush (the audit row of an export), an INSERT/UPDATE/DELETE, a SELECT ... FOR UPDATE.
Without the setting, or outside a marked view, everything goes to the primary.

Only views whose caller does not need to see their own write of a moment ago are marked: the
leaders' figures, rankings, maps, assessment, ledgers and the daily report. Forms, the worker's
task list after a check-in, and signing in (the person and their sessions are loaded by the guard,
before the body runs) read the primary."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from flask_sqlalchemy.session import Session
from sqlalchemy import Select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql.dml import UpdateBase

REPLICA = "replica"
_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Plain reads inside this block go to the replica, when there is one."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def reads_from_replica(view):
    """View decorator (innermost, under the guard): the body's reads go to the replica."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        with replica_reads():
            return view(*args, **kwargs)

    return wrapper


def _writes(clause) -> bool:
    if isinstance(clause, UpdateBase):
        return True
    return isinstance(clause, Select) and clause._for_update_arg is not None


class RoutingSession(Session):
    """db.session: the replica for plain reads inside `replica_reads()`, else Flask-SQLAlchemy's
    choice (the primary)."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and _replica_reads.get() and not self._flushing and not _writes(clause):
            replica = self._db.engines.get(REPLICA)
            if replica is not None:
                return replica
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


_LAG = text(
    "SELECT pg_is_in_recovery(), "
    "CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
    "ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END"
)


def replica_state(engines) -> dict:
    """For /readyz: nothing without a replica; else `replica` (up, down, or not_standby when the
    URL names a server that is not replaying another's WAL) and `replica_lag_seconds` (0 when it
    has replayed all it received; else the age of the last transaction it replayed)."""
    engine = engines.get(REPLICA)
    if engine is None:
        return {}
    try:
        with engine.connect() as connection:
            standby, lag = connection.execute(_LAG).one()
    except SQLAlchemyError:
        return {"replica": "down"}
    if not standby:
        return {"replica": "not_standby"}
    return {"replica": "up", "replica_lag_seconds": round(float(lag or 0), 3)}
