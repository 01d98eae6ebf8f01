"""Column types and helpers shared by every model."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, DateTime, TypeDecorator, event, literal_column
from sqlalchemy.orm import attributes

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


def one_of(column, values: tuple[str, ...], negate: bool = False) -> ColumnElement[bool]:
    """`column IN ('a', 'b')` (NOT IN with `negate`) for a fixed tuple of the code's own words,
    written into the SQL: a statement built once with it runs as compiled, where
    `column.in_(values)`'s expanding parameter has the SQL rewritten on every execution, and
    there are no parameters to bind on each run."""
    items = [literal_column("'" + value.replace("'", "''") + "'", column.type) for value in values]
    return column.not_in(items) if negate else column.in_(items)


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


def keep_sums(model, counted: tuple[str, ...], add) -> None:
    """Keep monthly sums current with `model`'s rows through the ORM: `add(connection, rows,
    sign=1)` gets the `counted` columns of a row inserted (+1), deleted (-1), or changed (the old
    values -1, the new +1). The counted columns need active_history, so that the old is known."""

    def values(obj, stored: bool) -> dict:
        """The counted columns as the row held them before this flush (stored) or holds them now."""
        found = {}
        for key in counted:
            history = attributes.get_history(obj, key)
            old = stored and history.deleted
            found[key] = history.deleted[0] if old else getattr(obj, key)
        return found

    @event.listens_for(model, "after_insert")
    def _count_new(_mapper, connection, obj) -> None:
        add(connection, [values(obj, stored=False)])

    @event.listens_for(model, "after_update")
    def _count_changed(_mapper, connection, obj) -> None:
        if not any(attributes.get_history(obj, key).has_changes() for key in counted):
            return  # a note, a photo, a review's own columns: nothing counted moved
        before, after = values(obj, stored=True), values(obj, stored=False)
        if before != after:
            add(connection, [before], sign=-1)
            add(connection, [after])

    @event.listens_for(model, "after_delete")
    def _count_deleted(_mapper, connection, obj) -> None:
        add(connection, [values(obj, stored=True)], sign=-1)
