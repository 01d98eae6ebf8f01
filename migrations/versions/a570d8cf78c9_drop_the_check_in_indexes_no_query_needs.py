"""Drop the check-in indexes no query needs: (site_id, captured_at) and (status).

Every query that seeks a site's check-ins in a period also names their status, and
ix_checkins_coverage (site_id, status, captured_at, ...) answers it; the status-only index
helped only the review queue (which finds a site's flagged check-ins on the same index) and
misled SQLite into reading nine check-ins in ten for `status = 'accepted'`. Each cost every
insert (bench/checkin_indexes.py). Plain DROP INDEX on both engines: no table is copied.

Revision ID: a570d8cf78c9
Revises: 232c6724c8ad
Create Date: 2026-12-01 12:21:13.411054

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "a570d8cf78c9"
down_revision = "232c6724c8ad"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_checkins_site_captured", table_name="checkins")
    op.drop_index("ix_checkins_status", table_name="checkins")


def downgrade():
    op.create_index("ix_checkins_status", "checkins", ["status"], unique=False)
    op.create_index(
        "ix_checkins_site_captured", "checkins", ["site_id", "captured_at"], unique=False
    )
