"""Read statements built once per shape and run with their values bound, as plain rows.

Building a SELECT and working out its cache key cost SQLAlchemy more CPU than PostgreSQL spends
running one of coverage's queries, and the ORM building each row of the answer as much again
(bench/coverage_bench.py --parts): a read whose shape depends on a few small facts only (how many
whole months a period has, whether an area is named) is built the first time it is asked for and
kept, its values (dates, paths, ids) given as bind parameters at each run.

Reads that do not depend on each other's answers can be sent together (`read_all`): on
PostgreSQL in psycopg's pipeline mode, so that the server runs the next ones while this process
works through the rows of the first, instead of each side waiting for the other in turn.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from typing import Any, TypeVar

from sqlalchemy import any_, bindparam, func, text
from sqlalchemy.dialects.postgresql import ARRAY

from app.extensions import db

T = TypeVar("T")
_BUILT: dict[tuple, Any] = {}


def prebuilt(shape: tuple, build: Callable[[], T]) -> T:
    """The statement `build()` makes for `shape` (a tuple naming the statement and everything
    its text depends on), built once per shape and database engine."""
    key = (db.engine.dialect.name, *shape)
    statement = _BUILT.get(key)
    if statement is None:
        statement = _BUILT.setdefault(key, build())
    return statement


def in_list(column, name: str):
    """SQL: the column among the values bound as `name` (a list). On PostgreSQL one array
    parameter (`= ANY`), so the statement's text stays the same whatever the number of values;
    an expanding IN elsewhere. (A fixed list of the code's own words: models.base.one_of.)"""
    if db.engine.dialect.name == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(column.type)))
    return column.in_(bindparam(name, expanding=True))


def in_subquery(column, ids):
    """SQL: the column among the ids a subquery gives. On PostgreSQL as one array made first
    (`= ANY(ARRAY(...))`), which an index on the column can look up one by one, where `IN`
    would hash every row of the table; a plain IN elsewhere."""
    if db.engine.dialect.name == "postgresql":
        return column == any_(func.array(ids.scalar_subquery()))
    return column.in_(ids)


_COMPILED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


# Whether this transaction has written anything (an id is given to it at its first write): a
# second connection would not see what it wrote.
_HAS_WRITTEN = text("SELECT pg_current_xact_id_if_assigned() IS NOT NULL")


def read_all(
    reads: list[tuple[Any, dict[str, Any]]], beside: list[tuple[Any, dict[str, Any]]] = ()
) -> Iterator[Sequence[tuple]]:
    """The rows of each (statement, values) read of `reads` in turn, then of each of `beside`;
    every read is a plain SELECT of plain values and goes where the first would (the replica
    inside replica_reads()).

    On PostgreSQL, in pipeline mode, each of `reads` is sent as soon as the rows of the one
    before have come and before they are handed over: the server runs it while the caller works
    through them. `beside` is sent at once on a second connection of the same engine, where
    another server process runs it at the same time, unless this transaction has written
    something (which another connection would not see): then after `reads`, on this one. Like
    every statement a transaction at READ COMMITTED sends, each read sees what was committed
    when it started. Elsewhere each read runs when its rows are asked for. The engine's
    before_cursor_execute hooks see each statement, as they would see it sent by SQLAlchemy."""
    session = db.session
    if session.autoflush:  # as Session.execute would
        session.flush()
    connection = session.connection(bind_arguments={"clause": reads[0][0]})
    if connection.dialect.name != "postgresql":
        for statement, values in [*reads, *beside]:
            yield connection.execute(statement, values).all()
        return
    second = None
    if beside and not connection.execute(_HAS_WRITTEN).scalar():
        second = connection.engine.connect()
    else:
        reads = [*reads, *beside]
    try:
        with ExitStack() as pipelines:
            if second is not None:
                pipelines.enter_context(second.connection.driver_connection.pipeline())
                besides = [_send(second, *read) for read in beside]
            pipelines.enter_context(connection.connection.driver_connection.pipeline())
            cursor = _send(connection, *reads[0])
            for following in [*reads[1:], None]:
                # (A fetch waits for every read sent on its connection: the next is sent after.)
                rows = cursor.fetchall()
                if following is not None:
                    cursor = _send(connection, *following)
                yield rows
            if second is not None:
                for cursor in besides:
                    yield cursor.fetchall()
    finally:
        if second is not None:
            second.close()  # back to the pool, its transaction rolled back


def _send(connection, statement, values: dict[str, Any]):
    """A psycopg cursor that has sent `statement` with `values` (compiled once per statement)."""
    compiled = _COMPILED.get(statement)
    if compiled is None:
        compiled = _COMPILED[statement] = statement.compile(dialect=connection.dialect)
        if "POSTCOMPILE" in compiled.string:  # an IN list, written out at each run
            raise ValueError("a read sent together binds its lists with in_list")
    text, parameters = compiled.string, compiled.construct_params(values)
    cursor = connection.connection.driver_connection.cursor()
    for hook in connection.dispatch.before_cursor_execute:
        text, parameters = hook(connection, cursor, text, parameters, None, False)
    cursor.execute(text, parameters)
    return cursor
