"""Whether the database answers and carries the schema of the latest migration (for /readyz)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


@cache
def migration_heads(directory: str = str(MIGRATIONS)) -> frozenset[str]:
    """The head revisions of migrations/, read once per process (a release restarts the server)."""
    return frozenset(ScriptDirectory(directory).get_heads())


def database_state() -> dict:
    """`database`: up or down; `schema`: current, outdated or missing (no alembic_version rows)."""
    try:
        current = set(MigrationContext.configure(db.session.connection()).get_current_heads())
    except SQLAlchemyError:
        db.session.rollback()
        return {"database": "down"}
    if not current:
        return {"database": "up", "schema": "missing"}
    return {"database": "up", "schema": "current" if current == migration_heads() else "outdated"}
