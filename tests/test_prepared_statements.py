"""DATABASE_PREPARED_STATEMENTS: psycopg prepares statements on the server unless told not to
(PgBouncer in transaction pooling); SQLite is left as it is either way."""

import pytest
from sqlalchemy import text

from app.extensions import db


def _threshold(app):
    with app.app_context():
        connection = db.engine.raw_connection()
        try:
            return getattr(connection.driver_connection, "prepare_threshold", "n/a")
        finally:
            connection.close()
            db.engine.dispose()


def test_postgresql_prepares_unless_switched_off(app, make_app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("psycopg's prepared statements are PostgreSQL's")
    assert _threshold(make_app(DATABASE_PREPARED_STATEMENTS=True)) == 5
    off = make_app(DATABASE_PREPARED_STATEMENTS=False)
    assert _threshold(off) is None
    with off.app_context():  # and it still works, each statement sent whole
        for _ in range(8):
            assert db.session.scalar(text("select 1")) == 1
        db.session.remove()
        db.engine.dispose()


def test_sqlite_takes_the_setting_without_complaint(app, make_app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    for setting in (True, False):
        other = make_app(DATABASE_PREPARED_STATEMENTS=setting)
        with other.app_context():
            assert db.session.scalar(text("select 1")) == 1
            db.session.remove()
