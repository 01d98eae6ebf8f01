"""/healthz answers without the database; /readyz tells whether the database answers and is at
the latest migration."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from app import create_app
from app.extensions import db
from app.services.readiness import migration_heads
from config import TestingConfig

# Nothing listens on port 1, so a connection is refused at once.
UNREACHABLE = "postgresql+psycopg://gridreach@127.0.0.1:1/gridreach"


@pytest.fixture
def app_without_database():
    class NoDatabase(TestingConfig):
        SQLALCHEMY_DATABASE_URI = UNREACHABLE

    app = create_app(NoDatabase)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_healthz_is_200_and_readyz_503_when_the_database_is_down(app_without_database):
    client = app_without_database.test_client()
    health = client.get("/healthz")
    assert health.status_code == 200 and health.get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.get_json()["database"] == "down"
    # still alive afterwards, and ready is still honest
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 503


def test_healthz_runs_no_sql_even_with_a_session_cookie(client, district, login_as):
    login_as(district.a.worker)
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        assert client.get("/healthz").status_code == 200
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    assert statements == []


def test_readyz_is_200_when_the_database_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "up", "schema": "current"}


def _set_revisions(*revisions: str) -> None:
    db.session.execute(text("DELETE FROM alembic_version"))
    for revision in revisions:
        db.session.execute(
            text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": revision}
        )
    db.session.commit()


def test_readyz_is_503_when_the_database_is_at_an_older_migration(client):
    _set_revisions("0000aaaa0000")  # a revision that is not the head of migrations/
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "up", "schema": "outdated"}
    _set_revisions(*migration_heads())
    assert client.get("/readyz").status_code == 200


def test_readyz_is_503_when_no_migration_was_ever_run(client):
    _set_revisions()  # an empty alembic_version, as a schema built by hand leaves it
    response = client.get("/readyz")
    assert response.status_code == 503 and response.get_json()["schema"] == "missing"
