"""A restart of PostgreSQL (or of PgBouncer in front of it) closes every pooled connection: the
next request is still answered, because each checkout pings its connection first
(`pool_pre_ping`, one `SELECT 1` a request). With the ping switched off, the same request fails
on the dead connection (checked: psycopg's AdminShutdown, then PendingRollbackError while the
error is being answered)."""

import pytest
from sqlalchemy import text

from app.extensions import db
from tests.factories import make_api_token, make_user

NAME = "gridreach-restart-test"


def _drop_connections(name: str) -> int:
    """What a server restart does to the app's pooled connections, from the server's side."""
    return db.session.execute(
        text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = :name"
        ),
        {"name": name},
    ).scalar_one()


def test_the_first_request_after_the_connections_were_dropped_is_answered(
    app, make_app, committing
):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no server to restart")
    bearer = make_api_token(user=make_user(role="coordinator"))
    db.session.commit()
    options = {
        **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
        "connect_args": {"application_name": NAME},
    }
    assert options["pool_pre_ping"] is True  # the deployed setting (config.py)
    other = make_app(SQLALCHEMY_ENGINE_OPTIONS=options)
    client = other.test_client()  # not kept open: the checks below run in the suite's app
    headers = {"Authorization": f"Bearer {bearer}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # now pooled
    assert _drop_connections(NAME) == 1
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    with other.app_context():
        db.engine.dispose()
