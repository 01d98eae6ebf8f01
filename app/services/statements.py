"""Read statements built once per shape and run with their values bound, as plain rows.

Building a SELECT and working out its cache key cost SQLAlchemy more CPU than PostgreSQL spends
running one of coverage's queries, and the ORM building each row of the answer as much again
(bench/coverage_bench.py --parts): a read whose shape depends on a few small facts only (how many
whole months a period has, whether an area is named) is built the first time it is asked for and
kept, its values (dates, paths, ids) given as bind parameters at each run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Integer, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Row

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


def in_ids(column, name: str):
    """SQL: the column among the ids bound as `name`. On PostgreSQL one array parameter
    (`= ANY`), so the statement's text stays the same whatever the number of ids; an expanding
    IN elsewhere."""
    if db.engine.dialect.name == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(Integer)))
    return column.in_(bindparam(name, expanding=True))


def rows(statement, values: dict[str, Any]) -> Sequence[Row]:
    """Every row of a read, run with `values` on the connection the session would choose for
    it (the replica inside replica_reads()), without the ORM making each row."""
    session = db.session
    if session.autoflush:  # as Session.execute would
        session.flush()
    connection = session.connection(bind_arguments={"clause": statement})
    return connection.execute(statement, values).all()
