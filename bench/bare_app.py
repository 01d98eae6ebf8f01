"""The bare Flask baselines the load benchmarks compare GridReach with, served by the same
gunicorn settings in the same run (bench/fixed_toll.py, bench/checkin_load.py):

- GET /ping answers "ok": what any Flask request costs, with nothing of ours on it;
- POST /read-insert (when DATABASE_URL is set) reads one site by id and inserts one row into
  `bench_bare_rows` (its own table: a primary key and a unique client_id, nothing else), in
  one transaction on the same engine and driver as the app, the SQLite pragmas included:
  the least a check-in could cost.

    gunicorn --workers 2 --threads 4 'bench.bare_app:create_app()'
"""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, jsonify, request

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config import database_url  # noqa: E402

metadata = sa.MetaData()
rows = sa.Table(
    "bench_bare_rows",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("client_id", sa.String(36), nullable=False, unique=True),
    sa.Column("site_id", sa.Integer, nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("lng", sa.Float, nullable=False),
    sa.Column("captured_at", sa.DateTime(timezone=True), nullable=False),
)
SITE = sa.text("SELECT id, lat, lng FROM sites WHERE id = :id")


def engine_for(url: str) -> sa.Engine:
    """An engine as the app makes it (the app's connect hook sets the same SQLite pragmas)."""
    engine = sa.create_engine(database_url(url, ""), pool_pre_ping=True)
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            for pragma in (
                "journal_mode=WAL",
                "busy_timeout=15000",
                "foreign_keys=ON",
                "synchronous=NORMAL",
            ):
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()

    return engine


def create_tables(url: str) -> None:
    engine = engine_for(url)
    metadata.create_all(engine)
    engine.dispose()


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/ping")
    def ping():
        return "ok"

    url = os.environ.get("DATABASE_URL")
    if url:
        engine = engine_for(url)

        @app.post("/read-insert")
        def read_insert():
            body = request.get_json()
            with engine.begin() as conn:
                site = conn.execute(SITE, {"id": body["site_id"]}).one()
                conn.execute(
                    rows.insert(),
                    {
                        "client_id": body["client_id"],
                        "site_id": site.id,
                        "lat": body["lat"],
                        "lng": body["lng"],
                        "captured_at": datetime.fromisoformat(body["captured_at"]),
                    },
                )
            return jsonify(client_id=body["client_id"], site_id=site.id), 201

    return app
