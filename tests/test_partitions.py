"""Check-ins and visits partitioned by month on PostgreSQL: the migration on a database holding
data, partition pruning of the coverage queries, writes through the API, exactly-once, creating
months ahead (moving what the DEFAULT partition caught), the foreign keys kept by triggers, and
the downgrade. SQLite keeps plain tables: nothing to test there."""

from __future__ import annotations

import json
import os
import re
import threading
import uuid
from collections import namedtuple
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime

import flask_migrate
import pytest
from alembic.script import ScriptDirectory
from flask import current_app
from psycopg import sql
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models.base import utcnow
from app.services import checkins, coverage, partitions
from app.services.localtime import to_local, today
from tests.api.checkin_helpers import body as checkin_body
from tests.conftest import FreshGlobalsClient
from tests.factories import (
    build_district,
    local,
    make_api_token,
    make_checkin,
    make_household,
    make_photo,
    make_rectification,
    make_visit,
)
from tests.services.test_visits import NEAR

# The fixtures of the migration tests: an app on a fresh, empty database of the run's engine.
from tests.test_migrations import fresh_database_url, keep_logging, migration_app  # noqa: F401

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"),
    reason="PostgreSQL only: on SQLite check-ins and visits are plain tables",
)

REVISION = "232c6724c8ad"  # the partitioning migration
Row = namedtuple("Row", "id client_id captured_at")


def _before_partitioning() -> str:
    config = current_app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config).get_revision(REVISION).down_revision


def _sql(statement: str, **params):
    return db.session.execute(text(statement), params)


def _expected_partition(table: str, moment) -> str:
    day = to_local(moment)
    return partitions.partition_name(table, day.year, day.month)


def _where(table: str) -> dict[int, str]:
    """{row id: the partition holding it}."""
    rows = _sql(f"SELECT id, tableoid::regclass::text FROM {table}").all()
    return dict(rows)


def _snapshot(table: str) -> set:
    return set(_sql(f"SELECT id, client_id, user_id, captured_at FROM {table}").all())


def _relkind(table: str) -> str:
    return _sql("SELECT relkind FROM pg_class WHERE oid = to_regclass(:t)", t=table).scalar()


def _lend_later_columns() -> list[tuple[str, str]]:
    """The old data is built through today's models: tables and columns that later migrations
    add are lent to the old schema for that time (columns nullable, no default) and taken back
    before the upgrade."""
    have: dict[str, set[str]] = {}
    for table, column in _sql(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema()"
    ):
        have.setdefault(table, set()).add(column)
    lent = []
    missing = [table for table in db.metadata.sorted_tables if table.name not in have]
    db.metadata.create_all(db.session.connection(), tables=missing)  # e.g. the monthly sums
    lent += [(table.name, None) for table in reversed(missing)]
    for table in db.metadata.sorted_tables:
        if table.name not in have:
            continue
        for column in table.columns:
            if column.name not in have[table.name]:
                kind = column.type.compile(dialect=db.engine.dialect)
                _sql(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}')
                lent.append((table.name, column.name))
    db.session.commit()
    return lent


def _take_back(lent: list[tuple[str, str]]) -> None:
    for table, column in lent:
        if column is None:
            _sql(f"DROP TABLE {table}")
        else:
            _sql(f'ALTER TABLE {table} DROP COLUMN "{column}"')
    db.session.commit()


def _old_data():
    """A district with check-ins and visits over two years, photos and a rectification naming
    them, as a database from before the migration holds them (no idempotency keys yet)."""
    district = build_district()
    worker, site = district.a.worker, district.a.sites[0]
    household = make_household(area=district.a.grids[0])
    moments = [
        local(2025, 3, 15, 10),
        local(2026, 6, 1, 0, 30),  # local June, still May 31 in UTC: June's partition
        local(2026, 5, 31, 23, 59),
        utcnow(),
    ]
    checkins = [make_checkin(user=worker, site=site, at=at) for at in moments]
    visits = [make_visit(user=worker, household=household, at=at) for at in moments]
    photo = make_photo(user=worker, checkin=checkins[1])
    visit_photo = make_photo(user=worker, visit=visits[2])
    rectification = make_rectification(site=site, checkin=checkins[3])
    db.session.commit()
    plain = [[Row(r.id, r.client_id, r.captured_at) for r in rows] for rows in (checkins, visits)]
    return (*plain, photo.id, visit_photo.id, rectification.checkin_id)


def test_the_migration_keeps_every_row_in_its_month_and_the_downgrade_gives_them_back(
    migration_app,
):
    flask_migrate.upgrade(revision=_before_partitioning())
    # what an earlier migration of someone else might have added: carried over as it is
    _sql("ALTER TABLE checkins ADD COLUMN probe_area_id integer REFERENCES areas (id)")
    _sql("CREATE INDEX ix_checkins_probe ON checkins (probe_area_id, captured_at)")
    db.session.commit()
    lent = _lend_later_columns()
    checkins, visits, photo_id, visit_photo_id, rectified_id = _old_data()
    _sql("UPDATE checkins SET probe_area_id = (SELECT min(id) FROM areas)")
    db.session.commit()
    _take_back(lent)
    before = {table: _snapshot(table) for table in ("checkins", "visits")}
    db.session.remove()

    flask_migrate.upgrade()

    for table, rows in (("checkins", checkins), ("visits", visits)):
        assert _relkind(table) == "p"
        assert _snapshot(table) == before[table]
        where = _where(table)
        assert {where[row.id] for row in rows} >= {f"{table}_y2026m06", f"{table}_y2026m05"}
        for row in rows:
            assert where[row.id] == _expected_partition(table, row.captured_at), row.captured_at
        names = set(partitions.partitions_of(db.session.connection(), table))
        # every month from the first holding data through three months ahead, and DEFAULT
        assert {f"{table}_y2025m03", f"{table}_y2025m04", f"{table}_default"} <= names
        year, month = today().year, today().month
        for _ in range(partitions.MONTHS_AHEAD + 1):
            assert partitions.partition_name(table, year, month) in names
            year, month = partitions.next_month(year, month)
        assert partitions.rows_in_default(db.session.connection(), table) == 0
    assert _sql("SELECT count(*) FROM checkins WHERE probe_area_id IS NULL").scalar() == 0
    carried = _sql(
        "SELECT to_regclass('ix_checkins_probe') IS NOT NULL, (SELECT count(*) FROM "
        "pg_constraint WHERE conrelid = 'checkins'::regclass AND contype = 'f' "
        "AND confrelid = 'areas'::regclass)"
    ).one()
    assert carried == (True, 1)
    keys = _sql("SELECT kind, client_id, record_id FROM idempotency_keys").all()
    assert sorted(keys) == sorted(
        [("checkin", c.client_id, c.id) for c in checkins]
        + [("visit", v.client_id, v.id) for v in visits]
    )
    links = _sql("SELECT id, checkin_id, visit_id FROM photos").all()
    assert sorted(links) == sorted(
        [(photo_id, checkins[1].id, None), (visit_photo_id, None, visits[2].id)]
    )
    assert _sql("SELECT checkin_id FROM rectifications").scalar() == rectified_id
    # the sequence went with the table: new ids follow the old ones
    new_id = _sql("SELECT nextval(pg_get_serial_sequence('checkins', 'id'))").scalar()
    assert new_id > max(c.id for c in checkins)
    db.session.rollback()

    flask_migrate.downgrade(revision=_before_partitioning())
    for table in ("checkins", "visits"):
        assert _relkind(table) == "r"
        assert _snapshot(table) == before[table]
    foreign_keys = _sql(
        "SELECT conname FROM pg_constraint WHERE contype = 'f' "
        "AND confrelid IN ('checkins'::regclass, 'visits'::regclass) ORDER BY conname"
    ).scalars()
    assert list(foreign_keys) == [
        "fk_photos_checkin_id_checkins",
        "fk_photos_visit_id_visits",
        "fk_rectifications_checkin_id_checkins",
    ]
    assert _sql("SELECT to_regclass('idempotency_keys')").scalar() is None
    assert _sql("SELECT to_regclass('uq_checkins_client_id')").scalar() is not None
    db.session.rollback()
    flask_migrate.upgrade()  # and up again
    assert _relkind("checkins") == "p"


def test_the_triggers_keep_the_foreign_keys_into_the_partitioned_tables(migration_app):
    flask_migrate.upgrade()
    district = build_district()
    worker = district.a.worker
    checkin = make_checkin(user=worker, site=district.a.sites[0], at=utcnow())
    photo = make_photo(user=worker, checkin=checkin)
    rectification = make_rectification(site=district.a.sites[0], checkin=checkin)
    db.session.commit()

    for statement in (
        "UPDATE photos SET checkin_id = 999999 WHERE id = :p",
        "UPDATE photos SET visit_id = 999999 WHERE id = :p",
        "UPDATE rectifications SET checkin_id = 999999 WHERE id = :r",
    ):
        with pytest.raises(IntegrityError, match="foreign key"):
            _sql(statement, p=photo.id, r=rectification.id)
        db.session.rollback()

    # moving a check-in to another month's partition is not a delete: the links stay
    _sql("UPDATE checkins SET captured_at = :at WHERE id = :c", at=local(2027, 1, 2), c=checkin.id)
    assert _where("checkins")[checkin.id] == "checkins_y2027m01"
    assert _sql("SELECT checkin_id FROM photos").scalar() == checkin.id
    # deleting it sets the references to NULL, as ON DELETE SET NULL did
    _sql("DELETE FROM checkins WHERE id = :c", c=checkin.id)
    assert _sql("SELECT checkin_id FROM photos").scalar() is None
    assert _sql("SELECT checkin_id FROM rectifications").scalar() is None
    db.session.rollback()


def _plan_relations(plan: dict) -> set[str]:
    found = set()
    if "Relation Name" in plan:
        found.add(plan["Relation Name"])
    for child in plan.get("Plans", []):
        found |= _plan_relations(child)
    return found


def test_a_months_coverage_reads_only_that_months_partitions(migration_app):
    flask_migrate.upgrade()
    district = build_district()
    worker, site = district.a.worker, district.a.sites[0]
    household = make_household(area=district.a.grids[0])
    for table in partitions.PARTITIONED:
        for month in (10, 11):
            partitions.create_month(db.session.connection(), table, 2026, month)
    for at in (local(2026, 10, 31, 23), local(2026, 11, 1, 0, 5), local(2026, 11, 30, 23, 59)):
        make_checkin(user=worker, site=site, at=at)
        make_visit(user=worker, household=household, at=at)
    db.session.commit()

    # The whole month reads the monthly sums for its sites and visits (a row per site and
    # household, no partition), and the partitions for active people; days within a month read
    # the rows for every figure. Either way, only November's partitions.
    for last, counted, reads in ((date(2026, 11, 30), 2, 1), (date(2026, 11, 29), 1, 3)):
        _check_partitions_read(coverage.Period(date(2026, 11, 1), last), counted, reads)
    db.session.rollback()


def _check_partitions_read(period, counted: int, reads: int) -> None:
    statements = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        statements.append((statement, parameters))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        figures = coverage.compute(None, period)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    # 31 Oct is not November's
    assert figures["checkins"] == counted and figures["visits"] == counted

    evidence = [(s, p) for s, p in statements if re.search(r"\b(FROM|JOIN) (checkins|visits)\b", s)]
    assert len(evidence) >= reads  # (sites, visits,) active people
    cursor = db.session.connection().connection.cursor()
    for statement, parameters in evidence:
        # The bounds are parameters: a custom plan prunes when it is made ...
        read, removed = _explained(cursor, "EXPLAIN (FORMAT JSON) " + statement, parameters)
        assert read and read <= {"checkins_y2026m11", "visits_y2026m11"}, (read, statement)
        # ... and a generic one (a statement the driver prepared after a few runs may get one)
        # when the executor starts: it too reads November alone.
        numbered, values = _numbered(statement, parameters)
        types = [_pg_type(value) for value in values]
        cursor.execute(f"PREPARE coverage_query ({', '.join(types)}) AS {numbered}")
        cursor.execute("SET plan_cache_mode = force_generic_plan")
        args = ", ".join(sql.Literal(value).as_string(cursor) for value in values)
        read, removed = _explained(
            cursor, f"EXPLAIN (FORMAT JSON) EXECUTE coverage_query({args})", None
        )
        assert read and read <= {"checkins_y2026m11", "visits_y2026m11"}, (read, statement)
        assert removed, "pruned when the executor started"
        cursor.execute("RESET plan_cache_mode")
        cursor.execute("DEALLOCATE coverage_query")


def test_a_check_ins_previous_fix_is_looked_for_in_its_month_alone(migration_app):
    flask_migrate.upgrade()
    district = build_district()
    worker, site = district.a.worker, district.a.sites[0]
    for month in (9, 10, 11):
        partitions.create_month(db.session.connection(), "checkins", 2026, month)
    for at in (local(2026, 9, 10, 9), local(2026, 10, 10, 9), local(2026, 11, 20, 9)):
        make_checkin(user=worker, site=site, at=at)
    db.session.commit()
    worker_id, site_id = worker.id, site.id
    statements = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        previous, _recent = checkins._history(worker_id, site_id, local(2026, 11, 25, 9))
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    assert previous.captured_at == local(2026, 11, 20, 9)
    assert len(statements) == 1
    cursor = db.session.connection().connection.cursor()
    read, _removed = _explained(
        cursor, "EXPLAIN (FORMAT JSON) " + statements[0][0], statements[0][1]
    )
    assert read == {"checkins_y2026m11"}, read
    db.session.rollback()


def _explained(cursor, explain: str, parameters) -> tuple[set[str], bool]:
    """The check-in and visit tables a plan reads, and whether partitions were pruned at start."""
    cursor.execute(explain, parameters)
    plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    read = {
        name for name in _plan_relations(plan[0]["Plan"]) if name.startswith(("checkins", "visits"))
    }
    return read, "Subplans Removed" in json.dumps(plan)


def _pg_type(value) -> str:
    if isinstance(value, datetime):
        return "timestamptz"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "bigint"
    if isinstance(value, float):
        return "float8"
    return "text"


def _numbered(statement: str, parameters: dict) -> tuple[str, list]:
    """`%(name)s` placeholders as `$1`, `$2`, ... (for PREPARE), with the values in that order."""
    names: list[str] = []

    def number(match):
        if match.group(1) not in names:
            names.append(match.group(1))
        return f"${names.index(match.group(1)) + 1}"

    numbered = re.sub(r"%\((\w+)\)s", number, statement)
    return numbered, [parameters[name] for name in names]


def _post_all(app, url: str, bearer: str, data: dict, count: int) -> list[tuple[int, dict]]:
    """POST the same body from `count` threads at once, each with its own connection."""
    barrier = threading.Barrier(count, timeout=20)

    def send(_):
        with app.test_client() as client:
            barrier.wait()
            response = client.post(url, json=data, headers={"Authorization": f"Bearer {bearer}"})
            return response.status_code, response.get_json()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(send, range(count)))


def test_writes_land_in_their_month_and_retries_never_duplicate(migration_app):
    flask_migrate.upgrade()
    district = build_district()
    worker, site = district.a.worker, district.a.sites[0]
    household = make_household(area=district.a.grids[0])
    bearer = make_api_token(user=worker)
    db.session.commit()
    headers = {"Authorization": f"Bearer {bearer}"}
    migration_app.test_client_class = FreshGlobalsClient
    client = migration_app.test_client()

    checkin = checkin_body(site)
    visit = {
        "client_id": str(uuid.uuid4()),
        "household_id": household.id,
        "outcome": "reached",
        "lat": NEAR[0],
        "lng": NEAR[1],
        "accuracy_m": 15,
        "captured_at": utcnow().isoformat(),
    }
    for url, data, table in (
        ("/api/v1/checkins", checkin, "checkins"),
        ("/api/v1/visits", visit, "visits"),
    ):
        first = client.post(url, json=data, headers=headers)
        assert first.status_code == 201, first.get_json()
        again = client.post(url, json=data, headers=headers)
        assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]
        db.session.remove()
        where = _where(table)
        assert list(where) == [first.get_json()["id"]]
        assert where[first.get_json()["id"]] == _expected_partition(table, utcnow())

        fresh = {**data, "client_id": str(uuid.uuid4())}
        answers = _post_all(migration_app, url, bearer, fresh, 4)
        assert sorted(status for status, _ in answers) == [200, 200, 200, 201]
        assert len({answer["id"] for _, answer in answers}) == 1
        db.session.remove()
        count = _sql(f"SELECT count(*) FROM {table} WHERE client_id = :c", c=fresh["client_id"])
        assert count.scalar() == 1
        db.session.remove()


def test_creating_a_month_moves_the_rows_the_default_partition_caught(migration_app):
    flask_migrate.upgrade()
    district = build_district()
    worker, site = district.a.worker, district.a.sites[0]
    year = today().year + 2  # beyond the months created ahead: the DEFAULT partition takes it
    stray = make_checkin(user=worker, site=site, at=local(year, 5, 10))
    photo = make_photo(user=worker, checkin=stray)
    db.session.commit()
    assert _where("checkins")[stray.id] == "checkins_default"

    connection = db.session.connection()
    assert partitions.create_month(connection, "checkins", year, 5)
    assert not partitions.create_month(connection, "checkins", year, 5)  # already there
    db.session.commit()
    assert _where("checkins")[stray.id] == f"checkins_y{year}m05"
    assert partitions.rows_in_default(db.session.connection(), "checkins") == 0
    assert _sql("SELECT checkin_id FROM photos WHERE id = :p", p=photo.id).scalar() == stray.id
    db.session.rollback()

    # the command creates the coming months, and says nothing is left in DEFAULT
    result = migration_app.test_cli_runner().invoke(
        args=["partitions", "create-ahead", "--months", "5"]
    )
    assert result.exit_code == 0, result.output
    created = [line for line in result.output.splitlines() if line.startswith("created")]
    assert len(created) == 4  # months 4 and 5 ahead, of both tables
    assert "DEFAULT" not in result.output
