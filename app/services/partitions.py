"""Check-ins and visits partitioned by month on PostgreSQL (SQLite keeps one table each).

`checkins` and `visits` are RANGE-partitioned on `captured_at` (what coverage, the ledgers and the
lists filter by), one partition per month of the district's time zone (Asia/Shanghai), so that a
month's coverage reads that month's partition alone, plus a DEFAULT partition that catches a row
whose month has no partition yet. Partition names: `checkins_y2026m12`, `checkins_default`.

What partitioning changes, and how the rest is kept:
- A primary key or unique key on a partitioned table must include the partition key: the primary
  key becomes (id, captured_at) (the models keep `id`: ids come from one sequence, so they stay
  unique), and `client_id` is kept unique by `idempotency_keys` (app/services/idempotency.py).
- A foreign key INTO a partitioned table must reference such a key, so photos.checkin_id,
  photos.visit_id and rectifications.checkin_id cannot keep theirs. Each becomes a pair of
  triggers doing what the key did: on the referencing table, an INSERT or UPDATE must name an
  existing record (locked FOR KEY SHARE, as a foreign key locks it; else SQLSTATE 23503, the
  foreign key's error); on the partitioned table, deleting a record applies the key's ON DELETE
  (SET NULL, CASCADE, or refusal for NO ACTION/RESTRICT), unless a record with the same id still
  exists (a row moved between partitions). The key's definition is kept in the trigger's comment,
  which is what the downgrade puts back.
- `flask db check` skips the partitions and those foreign keys (schema_filters below).

create_ahead() (`flask --app app partitions create-ahead`, monthly from the systemd timer, and
from the migration) creates the coming months' partitions. If it is forgotten, rows of a month
without a partition land in the DEFAULT partition: nothing is lost, but coverage for that month
scans the DEFAULT partition too. The next create_ahead() moves those rows into their new partition
(create_month), in one transaction that holds the table locked for the move."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from sqlalchemy import text
from sqlalchemy.engine import Connection

from app.services.localtime import local_zone, today

PARTITIONED = {"checkins": "captured_at", "visits": "captured_at"}
MONTHS_AHEAD = 3
# Beyond this many months from the first to the last month holding data, the migration creates
# partitions for the months holding data only (a stray date would otherwise make hundreds).
MAX_SPAN_MONTHS = 120

_CHECK_FUNCTION = """
CREATE OR REPLACE FUNCTION partitioned_fk_check() RETURNS trigger LANGUAGE plpgsql AS $$
-- TG_ARGV: referenced table, referenced column, referencing column
DECLARE
    ref bigint := (to_jsonb(NEW) ->> TG_ARGV[2])::bigint;
    hit integer;
BEGIN
    IF ref IS NULL THEN
        RETURN NEW;
    END IF;
    EXECUTE format('SELECT 1 FROM %I WHERE %I = $1 LIMIT 1 FOR KEY SHARE', TG_ARGV[0], TG_ARGV[1])
        INTO hit USING ref;
    IF hit IS NULL THEN
        RAISE foreign_key_violation USING MESSAGE = format(
            'insert or update on table "%s" violates foreign key "%s"', TG_TABLE_NAME, TG_NAME),
            DETAIL = format('Key (%s)=(%s) is not present in table "%s".',
                            TG_ARGV[2], ref, TG_ARGV[0]);
    END IF;
    RETURN NEW;
END $$
"""

_DELETE_FUNCTION = """
CREATE OR REPLACE FUNCTION partitioned_fk_on_delete() RETURNS trigger LANGUAGE plpgsql AS $$
-- TG_ARGV: referenced table, referenced column, referencing table, referencing column, action
DECLARE
    ref bigint := (to_jsonb(OLD) ->> TG_ARGV[1])::bigint;
    hit integer;
BEGIN
    EXECUTE format('SELECT 1 FROM %I WHERE %I = $1 LIMIT 1', TG_ARGV[0], TG_ARGV[1])
        INTO hit USING ref;
    IF hit IS NOT NULL THEN
        RETURN NULL;  -- moved to another partition, not deleted
    END IF;
    IF TG_ARGV[4] = 'SET NULL' THEN
        EXECUTE format('UPDATE %I SET %I = NULL WHERE %I = $1', TG_ARGV[2], TG_ARGV[3], TG_ARGV[3])
            USING ref;
    ELSIF TG_ARGV[4] = 'CASCADE' THEN
        EXECUTE format('DELETE FROM %I WHERE %I = $1', TG_ARGV[2], TG_ARGV[3]) USING ref;
    ELSE
        EXECUTE format('SELECT 1 FROM %I WHERE %I = $1 LIMIT 1', TG_ARGV[2], TG_ARGV[3])
            INTO hit USING ref;
        IF hit IS NOT NULL THEN
            RAISE foreign_key_violation USING MESSAGE = format(
                'delete on table "%s" violates foreign key "%s" on table "%s"',
                TG_ARGV[0], TG_NAME, TG_ARGV[2]);
        END IF;
    END IF;
    RETURN NULL;
END $$
"""

_ACTIONS = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL"}


# --- months ----------------------------------------------------------------------------------


def month_start(year: int, month: int) -> datetime:
    """Local midnight of the month's first day, in UTC (a partition's lower bound)."""
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return datetime(year, month, 1, tzinfo=local_zone()).astimezone(UTC)


def next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def partition_name(table: str, year: int, month: int) -> str:
    return f"{table}_y{year:04d}m{month:02d}"


def _months(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = next_month(*month)
    return months


# --- the catalogue ---------------------------------------------------------------------------


def is_partitioned(connection: Connection, table: str) -> bool:
    """Whether `table` is a partitioned table (always False on SQLite)."""
    if connection.dialect.name != "postgresql":
        return False
    kind = connection.execute(
        text("SELECT relkind FROM pg_class WHERE oid = to_regclass(:t)"), {"t": table}
    ).scalar()
    return kind == "p"


def partitions_of(connection: Connection, table: str) -> dict[str, str]:
    """{partition name: its bound, as `FOR VALUES ...` or `DEFAULT`}."""
    rows = connection.execute(
        text(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(:t)"
        ),
        {"t": table},
    ).all()
    return dict(rows)


def schema_filters(connection: Connection) -> dict:
    """Alembic `include_name`/`include_object` hooks for this database: on PostgreSQL, the
    partitions are not tables of the models, and the foreign keys into a partitioned table are
    triggers (see above); elsewhere, nothing is skipped."""
    if connection.dialect.name != "postgresql":
        return {}
    rows = connection.execute(
        text(
            "SELECT c.relname, c.relkind = 'p' FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND (c.relispartition OR c.relkind = 'p')"
        )
    ).all()
    parents = {name for name, parent in rows if parent}
    partitions = {name for name, parent in rows if not parent}

    def include_name(name, type_, _parent_names):
        return not (type_ == "table" and name in partitions)

    def include_object(obj, _name, type_, _reflected, _compare_to):
        if type_ == "foreign_key_constraint":
            return obj.referred_table.name not in parents
        return True

    return {"include_name": include_name, "include_object": include_object}


# --- creating partitions ---------------------------------------------------------------------


def create_month(connection: Connection, table: str, year: int, month: int) -> bool:
    """Create the month's partition of `table` unless it exists; False when it did.

    Rows of that month already in the DEFAULT partition move into the new one: the DEFAULT
    partition is detached, the month's partition created, the rows copied and deleted from the
    DEFAULT partition, which is attached again (all in the caller's transaction)."""
    name = partition_name(table, year, month)
    if name in partitions_of(connection, table):
        return False
    key = PARTITIONED[table]
    bounds = {"lo": month_start(year, month), "hi": month_start(*next_month(year, month))}
    lo = connection.execute(text("SELECT CAST(:lo AS timestamptz)::text"), bounds).scalar()
    hi = connection.execute(text("SELECT CAST(:hi AS timestamptz)::text"), bounds).scalar()
    default = f"{table}_default"
    within = f"{key} >= CAST(:lo AS timestamptz) AND {key} < CAST(:hi AS timestamptz)"
    stray = (
        default in partitions_of(connection, table)
        and connection.execute(
            text(f"SELECT EXISTS (SELECT 1 FROM {default} WHERE {within})"), bounds
        ).scalar()
    )
    if stray:
        connection.execute(text(f"ALTER TABLE {table} DETACH PARTITION {default}"))
    connection.execute(
        text(f"CREATE TABLE {name} PARTITION OF {table} FOR VALUES FROM ('{lo}') TO ('{hi}')")
    )
    if stray:
        connection.execute(
            text(f"INSERT INTO {table} SELECT * FROM {default} WHERE {within}"), bounds
        )
        connection.execute(text(f"DELETE FROM {default} WHERE {within}"), bounds)
        connection.execute(text(f"ALTER TABLE {table} ATTACH PARTITION {default} DEFAULT"))
    return True


def create_ahead(
    connection: Connection, months: int = MONTHS_AHEAD, on: date | None = None
) -> list[str]:
    """Partitions for this month and the `months` after it, for every partitioned table; the
    names of those created (none on SQLite, or when they all exist)."""
    day = on or today()
    wanted = _months((day.year, day.month), _add_months(day.year, day.month, months))
    created = []
    for table in PARTITIONED:
        if not is_partitioned(connection, table):
            continue
        for year, month in wanted:
            if create_month(connection, table, year, month):
                created.append(partition_name(table, year, month))
    return created


def rows_in_default(connection: Connection, table: str) -> int:
    """How many rows of `table` sit in its DEFAULT partition (0 when not partitioned)."""
    if f"{table}_default" not in partitions_of(connection, table):
        return 0
    return connection.execute(text(f"SELECT count(*) FROM {table}_default")).scalar()


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + n
    return index // 12, index % 12 + 1


# --- turning a table into a partitioned one, and back ----------------------------------------


def _rows(connection: Connection, sql: str, **params) -> list:
    return connection.execute(text(sql), params).all()


def partition_table(connection: Connection, table: str, months_ahead: int = MONTHS_AHEAD) -> None:
    """Turn `table` (holding data) into a table partitioned by month of its partition key.

    Generic over the columns (CREATE TABLE ... LIKE): whatever columns, defaults, CHECK
    constraints, indexes and foreign keys the table has when this runs are carried over."""
    key = PARTITIONED[table]
    old = f"{table}_unpartitioned"
    connection.execute(text(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))
    indexes = _rows(
        connection,
        "SELECT i.relname, pg_get_indexdef(i.oid), x.indisunique, x.indisprimary "
        "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "WHERE x.indrelid = to_regclass(:t) ORDER BY i.relname",
        t=table,
    )
    primary = _rows(
        connection,
        "SELECT conname, ARRAY(SELECT attname FROM unnest(conkey) k "
        "JOIN pg_attribute a ON a.attrelid = conrelid AND a.attnum = k) "
        "FROM pg_constraint WHERE conrelid = to_regclass(:t) AND contype = 'p'",
        t=table,
    )
    outgoing = _rows(
        connection,
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = to_regclass(:t) AND contype = 'f' ORDER BY conname",
        t=table,
    )
    incoming = _incoming(connection, table)
    sequences = _rows(
        connection,
        "SELECT s.oid::regclass::text, a.attname FROM pg_depend d "
        "JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' "
        "JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid "
        "WHERE d.refobjid = to_regclass(:t) AND d.deptype = 'a'",
        t=table,
    )
    for name, definition, unique, is_primary in indexes:
        if unique and not is_primary and key not in definition:
            raise RuntimeError(f"unique index {name} on {table} would not include {key}")
    for referencing, constraint, _column, _action, _definition in incoming:
        connection.execute(text(f"ALTER TABLE {referencing} DROP CONSTRAINT {constraint}"))
    for name, _definition, _unique, is_primary in indexes:
        if not is_primary:
            connection.execute(text(f"DROP INDEX {name}"))
    pk_name, pk_columns = primary[0] if primary else (f"pk_{table}", ["id"])
    if primary:
        connection.execute(text(f"ALTER TABLE {table} DROP CONSTRAINT {pk_name}"))
    connection.execute(text(f"ALTER TABLE {table} RENAME TO {old}"))

    connection.execute(
        text(
            f"CREATE TABLE {table} (LIKE {old} INCLUDING ALL EXCLUDING INDEXES) "
            f"PARTITION BY RANGE ({key})"
        )
    )
    columns = [*pk_columns, *([key] if key not in pk_columns else [])]
    connection.execute(
        text(f"ALTER TABLE {table} ADD CONSTRAINT {pk_name} PRIMARY KEY ({', '.join(columns)})")
    )
    for year, month in _data_months(connection, old, key, months_ahead):
        create_month(connection, table, year, month)
    connection.execute(text(f"CREATE TABLE {table}_default PARTITION OF {table} DEFAULT"))
    connection.execute(text(f"INSERT INTO {table} SELECT * FROM {old}"))
    for sequence, column in sequences:
        connection.execute(text(f"ALTER SEQUENCE {sequence} OWNED BY {table}.{column}"))
    for _name, definition, _unique, is_primary in indexes:
        if not is_primary:
            connection.execute(text(definition))
    for name, definition in outgoing:
        connection.execute(text(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}"))
    connection.execute(text(f"DROP TABLE {old}"))
    _install_functions(connection)
    for referencing, constraint, column, action, definition in incoming:
        _install_reference(connection, table, referencing, constraint, column, action, definition)
    connection.execute(text(f"ANALYZE {table}"))


def _incoming(connection: Connection, table: str) -> list:
    """(referencing table, constraint, column, ON DELETE action, definition) of the single-column
    foreign keys into `table`."""
    rows = _rows(
        connection,
        "SELECT conrelid::regclass::text, conname, confdeltype, pg_get_constraintdef(oid), "
        "ARRAY(SELECT attname FROM unnest(conkey) k JOIN pg_attribute a "
        "ON a.attrelid = conrelid AND a.attnum = k) "
        "FROM pg_constraint WHERE confrelid = to_regclass(:t) AND contype = 'f' ORDER BY conname",
        t=table,
    )
    found = []
    for referencing, constraint, action, definition, columns in rows:
        if len(columns) != 1 or action not in _ACTIONS:
            raise RuntimeError(f"cannot keep foreign key {constraint} into partitioned {table}")
        found.append((referencing, constraint, columns[0], _ACTIONS[action], definition))
    return found


def _install_functions(connection: Connection) -> None:
    connection.execute(text(_CHECK_FUNCTION))
    connection.execute(text(_DELETE_FUNCTION))


def _install_reference(connection, table, referencing, constraint, column, action, definition):
    """The two triggers standing for foreign key `constraint` (referencing.column → table.id)."""
    note = json.dumps({"constraint": constraint, "references": table, "definition": definition})
    connection.execute(
        text(
            f"CREATE TRIGGER {constraint} BEFORE INSERT OR UPDATE OF {column} ON {referencing} "
            f"FOR EACH ROW EXECUTE FUNCTION partitioned_fk_check('{table}', 'id', '{column}')"
        )
    )
    quoted = connection.execute(text("SELECT quote_literal(:note)"), {"note": note}).scalar()
    connection.exec_driver_sql(f"COMMENT ON TRIGGER {constraint} ON {referencing} IS {quoted}")
    connection.execute(
        text(
            f"CREATE TRIGGER {constraint} AFTER DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION "
            f"partitioned_fk_on_delete('{table}', 'id', '{referencing}', '{column}', '{action}')"
        )
    )


def _data_months(connection: Connection, table: str, key: str, ahead: int) -> list[tuple[int, int]]:
    """The local months holding rows of `table`, through this month and `ahead` more."""
    zone = local_zone().key
    held = [
        (int(y), int(m))
        for y, m in _rows(
            connection,
            f"SELECT DISTINCT EXTRACT(year FROM {key} AT TIME ZONE :z), "
            f"EXTRACT(month FROM {key} AT TIME ZONE :z) FROM {table}",
            z=zone,
        )
    ]
    day = today()
    coming = _months((day.year, day.month), _add_months(day.year, day.month, ahead))
    if not held:
        return coming
    first, last = min(held), max(held)
    span = _months(first, last)
    months = set(span if len(span) <= MAX_SPAN_MONTHS else held)
    return sorted(months | set(coming))


def unpartition_table(connection: Connection, table: str) -> None:
    """Undo partition_table: one plain table again, its primary key and foreign keys restored."""
    key = PARTITIONED[table]
    old = f"{table}_partitioned"
    connection.execute(text(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))
    indexes = _rows(
        connection,
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid "
        "WHERE x.indrelid = to_regclass(:t) AND NOT x.indisprimary ORDER BY i.relname",
        t=table,
    )
    pk_name, pk_columns = _rows(
        connection,
        "SELECT conname, ARRAY(SELECT attname FROM unnest(conkey) k "
        "JOIN pg_attribute a ON a.attrelid = conrelid AND a.attnum = k) "
        "FROM pg_constraint WHERE conrelid = to_regclass(:t) AND contype = 'p'",
        t=table,
    )[0]
    outgoing = _rows(
        connection,
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = to_regclass(:t) AND contype = 'f' AND conparentid = 0 ORDER BY conname",
        t=table,
    )
    sequences = _rows(
        connection,
        "SELECT s.oid::regclass::text, a.attname FROM pg_depend d "
        "JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' "
        "JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid "
        "WHERE d.refobjid = to_regclass(:t) AND d.deptype = 'a'",
        t=table,
    )
    references = _rows(
        connection,
        "SELECT t.tgrelid::regclass::text, t.tgname, obj_description(t.oid, 'pg_trigger') "
        "FROM pg_trigger t WHERE NOT t.tgisinternal "
        "AND t.tgfoid = 'partitioned_fk_check'::regproc ORDER BY t.tgname",
    )
    references = [row for row in references if json.loads(row[2])["references"] == table]
    for referencing, trigger, _note in references:
        connection.execute(text(f"DROP TRIGGER {trigger} ON {referencing}"))
    for name, _definition in indexes:
        connection.execute(text(f"DROP INDEX {name}"))
    connection.execute(text(f"ALTER TABLE {table} DROP CONSTRAINT {pk_name}"))
    connection.execute(text(f"ALTER TABLE {table} RENAME TO {old}"))
    connection.execute(text(f"CREATE TABLE {table} (LIKE {old} INCLUDING ALL EXCLUDING INDEXES)"))
    columns = [c for c in pk_columns if c != key] or pk_columns
    connection.execute(
        text(f"ALTER TABLE {table} ADD CONSTRAINT {pk_name} PRIMARY KEY ({', '.join(columns)})")
    )
    connection.execute(text(f"INSERT INTO {table} SELECT * FROM {old}"))
    for sequence, column in sequences:
        connection.execute(text(f"ALTER SEQUENCE {sequence} OWNED BY {table}.{column}"))
    for _name, definition in indexes:
        connection.execute(text(definition.replace(" ON ONLY ", " ON ")))
    for name, definition in outgoing:
        connection.execute(text(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}"))
    connection.execute(text(f"DROP TABLE {old}"))
    for referencing, _trigger, note in references:
        saved = json.loads(note)
        connection.execute(
            text(
                f"ALTER TABLE {referencing} ADD CONSTRAINT {saved['constraint']} {saved['definition']}"
            )
        )


def drop_functions(connection: Connection) -> None:
    """Once no table is partitioned any more: the trigger functions go too."""
    connection.execute(text("DROP FUNCTION IF EXISTS partitioned_fk_check()"))
    connection.execute(text("DROP FUNCTION IF EXISTS partitioned_fk_on_delete()"))
