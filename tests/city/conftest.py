"""Fixtures of the city tests: a primary with a streaming replica, PgBouncer in front, and apps
on them (the suite's own database is not used).

They start their own servers whatever the suite's engine, so they run once per `make test`: in
its PostgreSQL run (which has the server binaries), and in `make test-city`."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import event

from app.extensions import db
from config import database_url
from tests import factories
from tests.city.servers import Cluster, PgBouncer, Workspace
from tests.conftest import stamp_latest_migration


def _once_per_suite() -> None:
    if not os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"):
        pytest.skip("the city tests run in the PostgreSQL run (make test-pg) and in make test-city")


@pytest.fixture(scope="session")
def primary_and_replica():
    """A primary and a hot standby streaming from it (made by pg_basebackup -R)."""
    _once_per_suite()
    workspace = Workspace("gridreach-city-")
    primary = replica = None
    try:
        primary = Cluster.primary(workspace)
        replica = primary.replica(workspace)
        yield primary, replica
    finally:
        for cluster in (replica, primary):
            if cluster is not None:
                cluster.stop()
        workspace.remove()


@pytest.fixture(scope="session")
def pgbouncer(primary_and_replica):
    primary, _replica = primary_and_replica
    workspace = Workspace("gridreach-pgbouncer-")
    bouncer = PgBouncer(workspace, primary)
    try:
        yield bouncer
    finally:
        bouncer.stop()
        workspace.remove()


@pytest.fixture
def on_servers(make_app):
    """on_servers(primary_url, **settings): an app on that database, its schema built at the
    latest migration, used inside its own app context; its tables are emptied afterwards."""
    contexts = []

    def _make(url: str, **settings):
        app = make_app(SQLALCHEMY_DATABASE_URI=database_url(url, ""), **settings)
        # Flask-SQLAlchemy keeps a metadata per bind key on the shared `db`: the suite's own app,
        # which has no replica, would then find one to drop at the end. No table lives there.
        db.metadatas.pop("replica", None)
        context = app.app_context()
        context.push()
        contexts.append(context)
        db.create_all(bind_key=None)  # the replica gets its tables by replication
        stamp_latest_migration()
        return app

    yield _make
    for context in reversed(contexts):
        db.session.remove()
        factories.empty_all_tables()
        db.engine.dispose()
        for engine in db.engines.values():
            engine.dispose()
        context.pop()


class StatementLog:
    """The statements each engine of the current app ran, by bind name (None: the primary)."""

    def __init__(self):
        self.lines: dict[str | None, list[str]] = {}
        for name, engine in db.engines.items():
            self.lines[name] = []
            event.listen(engine, "before_cursor_execute", self._watch(name))

    def _watch(self, name):
        def watch(_conn, _cursor, statement, *_args):
            self.lines[name].append(" ".join(statement.split()))

        return watch

    def clear(self) -> None:
        for lines in self.lines.values():
            lines.clear()
