"""Whether the session's transaction has written anything: a request that only read ends
without a COMMIT.

Every statement any engine sends passes `_note_write`; one that is not a read marks the
connection it ran on, and the mark is cleared when a session begins a transaction on that
connection. Unknown statements count as writes: a needless COMMIT costs a round trip, a
missing one loses data."""

from __future__ import annotations

import re

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

WROTE = "gridreach_wrote"
# What a transaction may run without writing: reads, and savepoints around them.
_READS = re.compile(r"\s*(SELECT|SAVEPOINT|RELEASE\b|ROLLBACK\b|SHOW|PRAGMA)\b", re.IGNORECASE)


def _note_write(conn, _cursor, statement, _parameters, _context, _executemany) -> None:
    if not _READS.match(statement):
        conn.info[WROTE] = True


def _forget_writes(_session, transaction, connection) -> None:
    if transaction.parent is None:  # the outermost transaction: the mark is from an earlier one
        connection.info.pop(WROTE, None)


def watch_writes(session) -> None:
    """Start watching (once per process: the listeners are on every engine and session)."""
    if not event.contains(Engine, "before_cursor_execute", _note_write):
        event.listen(Engine, "before_cursor_execute", _note_write)
    if not event.contains(Session, "after_begin", _forget_writes):
        event.listen(Session, "after_begin", _forget_writes)


def wrote(session: Session) -> bool:
    """True when the session's transaction sent anything but reads."""
    if not session.in_transaction():
        return False
    return bool(session.connection().info.get(WROTE))
