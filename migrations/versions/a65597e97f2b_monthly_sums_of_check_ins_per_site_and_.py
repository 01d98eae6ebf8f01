"""Monthly sums of each site's accepted check-ins and each household's visits.

Coverage read every check-in and visit of a period; the writers now keep these sums by local
month (app/models/site_month.py, household_month.py), so that a whole month is one row per site
and household visited. This fills them from the rows already stored, month by month in the
configured zone (the same months the app computes); `flask recount-months` does the same later.

Revision ID: a65597e97f2b
Revises: 2e503fc6d695
Create Date: 2026-12-01 17:18:26.323604

"""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op
from flask import current_app, has_app_context

# revision identifiers, used by Alembic.
revision = "a65597e97f2b"
down_revision = "2e503fc6d695"
branch_labels = None
depends_on = None

SITE_MONTHS = (
    "INSERT INTO site_months (site_id, month, checkins, people_reached, materials)"
    " SELECT site_id, :month, COUNT(*), COALESCE(SUM(people_reached), 0),"
    " COALESCE(SUM(materials_count), 0) FROM checkins"
    " WHERE status = 'accepted' AND captured_at >= :start AND captured_at < :end"
    " GROUP BY site_id"
)
HOUSEHOLD_MONTHS = (
    "INSERT INTO household_months"
    " (household_id, month, area_id, visits, app_installs, materials, reached)"
    " SELECT v.household_id, :month, h.area_id, COUNT(*),"
    " SUM(CASE WHEN v.app_installed THEN 1 ELSE 0 END), COALESCE(SUM(v.materials_count), 0),"
    " SUM(CASE WHEN v.outcome = 'reached' THEN 1 ELSE 0 END)"
    " FROM visits v JOIN households h ON h.id = v.household_id"
    " WHERE v.captured_at >= :start AND v.captured_at < :end"
    " GROUP BY v.household_id, h.area_id"
)


def upgrade():
    op.create_table(
        "household_months",
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("visits", sa.Integer(), server_default="0", nullable=False),
        sa.Column("app_installs", sa.Integer(), server_default="0", nullable=False),
        sa.Column("materials", sa.Integer(), server_default="0", nullable=False),
        sa.Column("reached", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_household_months_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("household_id", "month", name=op.f("pk_household_months")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("household_months", schema=None) as batch_op:
        batch_op.create_index(
            "ix_household_months_coverage",
            ["month", "area_id", "reached", "household_id", "visits", "app_installs", "materials"],
            unique=False,
        )
    op.create_table(
        "site_months",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("checkins", sa.Integer(), server_default="0", nullable=False),
        sa.Column("people_reached", sa.Integer(), server_default="0", nullable=False),
        sa.Column("materials", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_site_months_site_id_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("month", "site_id", name=op.f("pk_site_months")),
        sqlite_with_rowid=False,
    )
    fill("checkins", SITE_MONTHS)
    fill("visits", HOUSEHOLD_MONTHS)


def fill(table: str, statement: str) -> None:
    """Run `statement` once per local month from the table's first captured_at to its last."""
    bind = op.get_bind()
    stamp = sa.DateTime(timezone=True)
    first, last = bind.execute(
        sa.select(
            sa.func.min(sa.column("captured_at", stamp)),
            sa.func.max(sa.column("captured_at", stamp)),
        ).select_from(sa.table(table))
    ).one()
    if first is None:
        return
    zone = ZoneInfo(
        current_app.config.get("TIMEZONE", "Asia/Shanghai")
        if has_app_context()
        else "Asia/Shanghai"
    )
    month, end_month = (_month(moment, zone) for moment in (first, last))
    insert = sa.text(statement).bindparams(
        sa.bindparam("month", type_=sa.Date()),
        sa.bindparam("start", type_=stamp),
        sa.bindparam("end", type_=stamp),
    )
    while month <= end_month:
        following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        start, end = (datetime.combine(d, time.min, tzinfo=zone) for d in (month, following))
        bind.execute(
            insert, {"month": month, "start": start.astimezone(UTC), "end": end.astimezone(UTC)}
        )
        month = following


def _month(moment, zone: ZoneInfo) -> date:
    if isinstance(moment, str):  # SQLite without a type to parse it
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone).date().replace(day=1)


def downgrade():
    op.drop_table("site_months")
    with op.batch_alter_table("household_months", schema=None) as batch_op:
        batch_op.drop_index("ix_household_months_coverage")
    op.drop_table("household_months")
