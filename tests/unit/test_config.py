"""config.py: database URLs as PostgreSQL tools write them, the production secret, SQLite settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app import create_app
from app.extensions import db
from config import DEFAULT_SECRET_KEY, Config, ProductionConfig, TestingConfig, database_url

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = "sqlite:///default.db"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            "postgres://gr:s3cret@db.example:5432/gridreach",
            "postgresql+psycopg://gr:s3cret@db.example:5432/gridreach",
        ),
        (
            "postgresql://gr:s3cret@db.example:5433/gridreach",
            "postgresql+psycopg://gr:s3cret@db.example:5433/gridreach",
        ),
        (
            "postgresql://user@/gridreach?host=/var/run/postgresql",
            "postgresql+psycopg://user@/gridreach?host=/var/run/postgresql",
        ),
        (
            "postgresql://u:p%40ss@h/db?sslmode=require",
            "postgresql+psycopg://u:p%40ss@h/db?sslmode=require",
        ),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////srv/gridreach/gridreach.db", "sqlite:////srv/gridreach/gridreach.db"),
        ("sqlite:///relative.db", "sqlite:///relative.db"),
        ("sqlite://", "sqlite://"),
        (None, DEFAULT),
        ("", DEFAULT),
    ],
)
def test_database_url_normalisation(given, expected):
    assert database_url(given, DEFAULT) == expected


def test_postgres_urls_load_the_installed_psycopg_driver():
    class PgConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url("postgres://u:p@127.0.0.1:1/x", DEFAULT)

    app = create_app(PgConfig)
    with app.app_context():  # building the engine does not connect
        assert db.engine.dialect.name == "postgresql" and db.engine.dialect.driver == "psycopg"
        assert db.engine.url.password == "p" and db.engine.url.port == 1


def _python(code: str, **env) -> subprocess.CompletedProcess:
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "SECRET_KEY", "GRIDREACH_ENV", "TEST_DATABASE_URL")
    }
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_database_url_is_read_from_the_environment():
    result = _python(
        "import config; print(config.Config.SQLALCHEMY_DATABASE_URI)",
        DATABASE_URL="postgres://gr:pw@10.0.0.5:6432/grid",
    )
    assert result.stdout.strip() == "postgresql+psycopg://gr:pw@10.0.0.5:6432/grid", result.stderr
    default = _python("import config; print(config.Config.SQLALCHEMY_DATABASE_URI)")
    assert default.stdout.strip() == f"sqlite:///{ROOT / 'instance' / 'gridreach.db'}"


def test_production_refuses_to_start_without_a_secret_key():
    result = _python(
        "from app import create_app; create_app()",
        GRIDREACH_ENV="production",
        DATABASE_URL="sqlite://",
    )
    assert result.returncode != 0 and "SECRET_KEY must be set in production" in result.stderr


@pytest.mark.parametrize("secret", [DEFAULT_SECRET_KEY, ""])
def test_production_env_refuses_the_default_or_an_empty_key(monkeypatch, secret):
    monkeypatch.setenv("GRIDREACH_ENV", "production")
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", secret)
    monkeypatch.setattr(ProductionConfig, "SQLALCHEMY_DATABASE_URI", "sqlite://")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


def test_production_config_refuses_the_default_key_even_without_the_env(monkeypatch):
    monkeypatch.delenv("GRIDREACH_ENV", raising=False)

    class Prod(ProductionConfig):
        SECRET_KEY = DEFAULT_SECRET_KEY
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(Prod)


def test_production_starts_with_a_real_key(monkeypatch):
    monkeypatch.setenv("GRIDREACH_ENV", "production")

    class Prod(ProductionConfig):
        SECRET_KEY = "a-long-random-production-secret"
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    app = create_app(Prod)
    assert app.config["SESSION_COOKIE_SECURE"] in (True, False) and not app.debug


def test_development_may_use_the_default_key(monkeypatch):
    monkeypatch.delenv("GRIDREACH_ENV", raising=False)

    class Dev(Config):
        SECRET_KEY = DEFAULT_SECRET_KEY
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    assert create_app(Dev).config["SECRET_KEY"] == DEFAULT_SECRET_KEY


@pytest.fixture
def sqlite_app(tmp_path):
    class FileConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'nested' / 'gridreach.db'}"

    app = create_app(FileConfig)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(sqlite_app, tmp_path):
    assert (tmp_path / "nested").is_dir()  # the folder is made for the file
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_sqlite_every_pooled_connection_gets_the_settings(sqlite_app):
    connections = [db.engine.connect() for _ in range(3)]
    try:
        for conn in connections:
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
    finally:
        for conn in connections:
            conn.close()


def test_sqlite_enforces_foreign_keys(sqlite_app):
    with db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE parent (id INTEGER PRIMARY KEY)"))
        conn.execute(
            text(
                "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id))"
            )
        )
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(text("INSERT INTO child (parent_id) VALUES (42)"))
