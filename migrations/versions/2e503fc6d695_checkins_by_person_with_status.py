"""The status joins the check-ins' (person, time) index.

Coverage counts the people who made an accepted check-in in the period, person by person; with
the status in the index that question is answered from the index alone, and PostgreSQL stops
reading the whole period's check-ins to answer it (about 20 ms down to 8 on a 1 M check-in
district, bench/coverage_bench.py). The index replaces the old one: no new index for inserts to
keep. Plain DROP/CREATE INDEX on both engines (on PostgreSQL, on every partition).

Revision ID: 2e503fc6d695
Revises: 3b52d4aff7b2
Create Date: 2026-12-01 14:45:34.976007

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "2e503fc6d695"
down_revision = "3b52d4aff7b2"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_checkins_user_captured", table_name="checkins")
    op.create_index(
        "ix_checkins_user_captured", "checkins", ["user_id", "captured_at", "status"], unique=False
    )


def downgrade():
    op.drop_index("ix_checkins_user_captured", table_name="checkins")
    op.create_index(
        "ix_checkins_user_captured", "checkins", ["user_id", "captured_at"], unique=False
    )
