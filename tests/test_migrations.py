"""The committed migrations build the models' schema on a fresh database of the run's engine
(`flask db upgrade`, then what `flask db check` does), and downgrade back to nothing."""

from __future__ import annotations

import logging
import os
import uuid

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from app.models.base import render_migration_item
from app.services.partitions import schema_filters
from config import TestingConfig, database_url
from tests.factories import (
    local,
    make_area,
    make_checkin,
    make_household,
    make_site,
    make_user,
    make_visit,
)
from tests.services.coverage_helpers import month_sums_from_rows, stored_month_sums


@pytest.fixture
def keep_logging():
    """migrations/env.py runs logging.config.fileConfig, which disables every logger that exists;
    put logging back as it was for the tests that follow."""
    manager = logging.root.manager
    disabled = {
        name: lg.disabled
        for name, lg in manager.loggerDict.items()
        if isinstance(lg, logging.Logger)
    }
    root_handlers, root_level = list(logging.root.handlers), logging.root.level
    yield
    for name, lg in manager.loggerDict.items():
        if isinstance(lg, logging.Logger):
            lg.disabled = disabled.get(name, False)
    logging.root.handlers[:] = root_handlers
    logging.root.setLevel(root_level)


@pytest.fixture
def fresh_database_url(tmp_path):
    """An empty database of the engine the suite runs on, dropped afterwards."""
    test_url = os.environ.get("TEST_DATABASE_URL")
    if not test_url:
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    server = make_url(database_url(test_url, ""))
    name = f"gridreach_migrations_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def migration_app(fresh_database_url, keep_logging):
    class MigrationConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = fresh_database_url

    app = create_app(MigrationConfig)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _schema_diffs(app) -> list:
    """The differences autogenerate finds between the database and the models (what `flask db check` fails on)."""
    options = app.extensions["migrate"].configure_args
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": options.get("compare_type", True),
                "render_item": render_migration_item,
                **schema_filters(conn),
            },
        )
        return compare_metadata(context, db.metadata)


# Diffs that only mean "models gained something after the last revision": the lead regenerates
# the migration for those (make db-check, run by CI, fails on them meanwhile).
ADDITIONS = ("add_table", "add_column", "add_index", "add_constraint", "add_fk")


def _kind(diff) -> str:
    return diff[0][0] if isinstance(diff, list) else diff[0]


def _describe(diff) -> str:
    """`add_table task_reports`, `add_column tasks.note`, ... for the xfail message."""
    if isinstance(diff, list):
        return f"{diff[0][0]} {diff[0][2]}.{diff[0][3]}"
    kind, obj = diff[0], diff[-1]
    if kind == "add_column":
        return f"add_column {diff[2]}.{obj.name}"
    return f"{kind} {getattr(obj, 'name', None) or obj}"


def test_migrated_schema_matches_the_models(migration_app):
    flask_migrate.upgrade()
    assert "alembic_version" in inspect(db.engine).get_table_names()
    diffs = _schema_diffs(migration_app)
    changed = [d for d in diffs if _kind(d) not in ADDITIONS]
    assert changed == [], "the migrations and the models disagree, not just by additions"
    if diffs:
        pytest.xfail(
            "models are ahead of the migrations, regenerate them: "
            + ", ".join(sorted(_describe(d) for d in diffs))
        )
    flask_migrate.check()  # what `flask db check` runs: raises when autogenerate would write a revision


def test_the_check_finds_no_difference_between_the_models_and_themselves(migration_app):
    """Guards the check above: on a schema made straight from the models it reports nothing,
    so what it reports after `upgrade` is real (no false type or index differences)."""
    db.create_all()
    assert _schema_diffs(migration_app) == []


def test_upgrade_twice_then_downgrade_to_base_and_up_again(migration_app):
    flask_migrate.upgrade()
    migrated = set(inspect(db.engine).get_table_names())
    assert {"areas", "users", "api_tokens", "sites", "households", "audit_events"} <= migrated
    with db.engine.connect() as conn:
        head = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    flask_migrate.upgrade()  # nothing left to do
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head

    flask_migrate.downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}

    flask_migrate.upgrade()
    assert set(inspect(db.engine).get_table_names()) == migrated


def test_readyz_follows_the_migrations_the_database_has_run(migration_app):
    """/readyz against a database built by the real migrations: 503 before, 200 at the head,
    503 again once stamped back to an older revision."""
    client = migration_app.test_client()
    assert client.get("/readyz").status_code == 503
    flask_migrate.upgrade()
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["schema"] == "current"
    flask_migrate.stamp(revision="base")
    assert client.get("/readyz").get_json() == {
        "status": "unavailable",
        "database": "up",
        "schema": "missing",
    }


def test_the_monthly_sums_are_filled_from_the_rows_already_stored(migration_app):
    """The migration that adds site_months and household_months fills them from the check-ins
    and visits already stored, in the configured zone's months (on PostgreSQL: partitioned)."""
    flask_migrate.upgrade()
    street = make_area(level="street")
    grid = make_area(parent=make_area(level="community", parent=street))
    site, household = make_site(area=grid), make_household(area=grid)
    worker = make_user(role="worker", area=grid)
    for at, status in (
        (local(2026, 3, 31, 23, 59, 59), "accepted"),
        (local(2026, 4, 1), "accepted"),  # 16:00 UTC on 31 March: April
        (local(2026, 4, 1, 8), "flagged"),
        (local(2025, 12, 31, 23), "accepted"),
    ):
        make_checkin(site=site, user=worker, at=at, status=status, people_reached=3)
        make_visit(household=household, user=worker, at=at, materials_count=2, app_installed=True)
    db.session.commit()
    kept = stored_month_sums()
    assert kept == month_sums_from_rows() and len(kept[0]) == 3 and len(kept[1]) == 3
    db.session.remove()

    flask_migrate.downgrade(revision="a65597e97f2b-1")
    assert "site_months" not in inspect(db.engine).get_table_names()
    flask_migrate.upgrade()
    assert stored_month_sums() == kept
