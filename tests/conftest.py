"""Fixtures: the app on the engine TEST_DATABASE_URL names, a per-test rolled-back database,
clients, and a small two-street district with users of every role."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, make_url, text

from app import create_app
from app.extensions import db, limiter
from app.services import passwords
from config import TestingConfig
from tests import factories


def _test_database_url() -> str:
    if os.environ.get("TEST_DATABASE_URL"):
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        return _worker_database(worker) if worker else TestingConfig.SQLALCHEMY_DATABASE_URI
    folder = Path(tempfile.mkdtemp(prefix="gridreach-test-"))
    return f"sqlite:///{folder / 'test.db'}"


def _worker_database(worker: str) -> str:
    """Under -n, each worker gets a database of its own next to TEST_DATABASE_URL's (made
    afresh), so that workers never see each other's rows or drop each other's tables."""
    server = make_url(TestingConfig.SQLALCHEMY_DATABASE_URI)
    name = f"{server.database}_{worker}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server.set(database=name).render_as_string(hide_password=False)


def stamp_latest_migration() -> None:
    """Mark the schema create_all built as the latest migration's, as `flask db upgrade` would
    (/readyz compares the two); migrations themselves are tested in test_migrations.py."""
    from app.services.readiness import migration_heads

    with db.engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE IF NOT EXISTS alembic_version "
                "(version_num VARCHAR(32) NOT NULL PRIMARY KEY)"
            )
        )
        connection.execute(text("DELETE FROM alembic_version"))
        for head in migration_heads():
            connection.execute(
                text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": head}
            )


def partition_as_migrated() -> None:
    """On PostgreSQL, partition checkins and visits by month as the migration does, so that the
    suite runs on the schema production has (create_all makes plain tables)."""
    from app.services import partitions

    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            for table in partitions.PARTITIONED:
                partitions.partition_table(connection, table)


class FreshGlobalsClient(FlaskClient):
    """A test client whose every request starts with an empty `g`, as in production.

    Each test holds an app context open, and Flask reuses it for the client's requests,
    so without this the first request's user (Flask-Login), locale (Babel) and CSRF token
    would carry over to every later request of the same test."""

    def open(self, *args, **kwargs):
        for key in list(g) if has_app_context() else ():
            g.pop(key)
        if not has_app_context() or _method(args, kwargs) not in ("GET", "HEAD"):
            return super().open(*args, **kwargs)
        writes: list[str] = []
        bind = db.session.get_bind()

        def watch(_c, _cur, statement, *_a):
            if _WRITE.match(statement):
                writes.append(statement)

        event.listen(bind, "before_cursor_execute", watch)
        try:
            response = super().open(*args, **kwargs)
        finally:
            event.remove(bind, "before_cursor_execute", watch)
        assert not writes, f"a read wrote: {writes}"  # reads are pure; audit rows excepted
        return response


# Writes a GET may not make: anything but an audit row.
_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b(?!\s+INTO\s+\"?audit_events\b)", re.IGNORECASE)


def _method(args, kwargs) -> str:
    """The method a test client call uses (a prepared request or environ builder carries its own)."""
    first = args[0] if args else None
    method = (
        kwargs.get("method")
        or getattr(first, "method", None)
        or getattr(first, "request_method", None)
    )
    return (method or "GET").upper()


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """One app for the whole run, its schema built fresh."""
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = _test_database_url()
        PHOTO_DIR = str(tmp_path_factory.mktemp("photos"))

    app = create_app(Config)
    app.test_client_class = FreshGlobalsClient
    with app.app_context():
        db.drop_all()
        db.create_all()
        partition_as_migrated()
        stamp_latest_migration()
    yield app
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _db(request, app):
    """Each test runs inside one outer transaction that is rolled back at the end;
    the app's own commits become savepoints on that connection."""
    if "committing" in request.fixturenames:
        yield
        return
    with app.app_context():
        engines = db.engines
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        if connection.dialect.name == "sqlite":
            # pysqlite defers BEGIN until the first INSERT/UPDATE, so a SAVEPOINT issued
            # before it would open (and its RELEASE commit) a transaction of its own:
            # the test's rows would outlive the rollback below.
            connection.exec_driver_sql("BEGIN")
        engines[None] = connection
        db.session.remove()
        db.session.configure(join_transaction_mode="create_savepoint")
        limiter.reset()
        app.extensions["login_limits"].reset()
        try:
            yield
        finally:
            db.session.remove()
            engines[None] = engine
            outer.rollback()
            connection.close()


@pytest.fixture
def committing(app):
    """For tests that need real commits (several connections, a live server): the tables
    are emptied afterwards instead of rolled back."""
    with app.app_context():
        limiter.reset()
        app.extensions["login_limits"].reset()
        yield
        db.session.remove()
        factories.empty_all_tables()


@pytest.fixture
def make_app(app):
    """make_app(Base, SETTING=value, ...): another app on the test database, configured
    differently (as another deployment or another worker process would be). Flask-Limiter
    keeps the storage of the last app bound to it, so the suite's own is handed back after."""
    saved = dict(limiter.__dict__)

    def _make(base=TestingConfig, **settings):
        settings.setdefault("SQLALCHEMY_DATABASE_URI", app.config["SQLALCHEMY_DATABASE_URI"])
        other = create_app(type("OtherConfig", (base,), settings))
        other.test_client_class = FreshGlobalsClient
        return other

    yield _make
    limiter.__dict__.update(saved)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def district(app):
    """Two streets, each with a community of two grids, sites, and users of every role."""
    return factories.build_district()


@pytest.fixture
def api(client):
    """A JSON client: api.get(url, user=...) sends that user's bearer token."""
    return factories.ApiClient(client)


@pytest.fixture
def login_as(client):
    """Log the test client in through the real login page as a given user."""

    def _login(user, password=factories.PASSWORD):
        response = client.post("/login", data={"username": user.username, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return _login


@pytest.fixture
def redis_server():
    """A real redis-server on a free port of 127.0.0.1 for the test, stopped after it."""
    from tests.redis_server import start_redis_server

    server = start_redis_server()
    yield server
    server.stop()


@pytest.fixture
def recorder():
    """A real HTTP server on 127.0.0.1 recording what it receives (notification channels)."""
    from tests.http_recorder import Recorder

    server = Recorder().start()
    yield server
    server.stop()


@pytest.fixture
def notify_to(app, recorder, monkeypatch):
    """notify_to(format="json", **settings): the app's notifications go to the recorder."""

    def _to(fmt: str = "json", path: str = "/hook", **settings):
        monkeypatch.setitem(app.config, "NOTIFY_WEBHOOK_URL", recorder.url + path)
        monkeypatch.setitem(app.config, "NOTIFY_WEBHOOK_FORMAT", fmt)
        for key, value in settings.items():
            monkeypatch.setitem(app.config, key, value)
        return recorder

    return _to


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 server on a free port of 127.0.0.1 for the whole run (stopped at the end)."""
    from tests.s3_server import start_s3_server

    server = start_s3_server()
    yield server
    server.stop()
