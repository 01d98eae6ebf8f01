"""Column types and helpers shared by every model."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import DateTime, TypeDecorator

# Ids and whole-number columns are INTEGER: 32 bits on PostgreSQL. The one bound every schema,
# URL converter and the last check before a flush compare numbers with.
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1


def utcnow() -> datetime:
    """Now, in UTC, as an aware datetime (a callable default, evaluated per row)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """An aware timestamp stored in UTC; SQLite gives naive values back, so we re-attach UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def render_migration_item(type_, obj, autogen_context):
    """Write our UTC type into migrations as the plain timezone-aware DateTime it stores."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def local_month(moment: datetime) -> date:
    """The first day of the local (TIMEZONE) month a UTC moment falls in; a naive one is UTC."""
    from app.services.localtime import to_local  # the zone is configuration: read when asked

    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return to_local(moment).date().replace(day=1)


def add_to_sums(
    connection, table, keys: tuple[str, ...], params: list[dict], fixed: dict | None = None
) -> None:
    """One INSERT ... ON CONFLICT DO UPDATE adding each row of `params` to the row of `table`
    with the same `keys` (creating it at those values): increments, never recounts, so two
    transactions adding to one row at once both count. `fixed` (column: SQL expression) is set when
    the row is created, and left alone after. SQLite and PostgreSQL share the syntax."""
    if params:
        connection.execute(_adding(table, keys, connection.dialect.name, fixed), params)


_ADDING: dict[tuple, Any] = {}  # the statement, built once (a check-in runs it)


def _adding(table, keys: tuple[str, ...], dialect: str, fixed: dict | None):
    found = _ADDING.get((table.name, keys, dialect))
    if found is not None:
        return found
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(table).values(fixed) if fixed else insert(table)
    added = {
        column.name: column + statement.excluded[column.name]
        for column in table.columns
        if column.name not in keys and column.name not in (fixed or {})
    }
    statement = statement.on_conflict_do_update(index_elements=keys, set_=added)
    return _ADDING.setdefault((table.name, keys, dialect), statement)
