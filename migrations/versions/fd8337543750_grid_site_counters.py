"""Each grid's active sites and those asking for no visit a month, kept by the site writers.

Coverage read every site of the area to count a grid's active sites, whatever the period; the
writers now keep the two counts on the area (app/models/site.py), and this fills them from the
rows already stored. Adding a column with a default copies no table on either engine.

Revision ID: fd8337543750
Revises: a65597e97f2b
Create Date: 2026-12-01 20:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "fd8337543750"
down_revision = "a65597e97f2b"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("areas", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("active_sites", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("unasked_sites", sa.Integer(), server_default="0", nullable=False)
        )
    op.execute(
        "UPDATE areas SET"
        " active_sites = (SELECT COUNT(*) FROM sites s WHERE s.area_id = areas.id AND s.active),"
        " unasked_sites = (SELECT COUNT(*) FROM sites s"
        " WHERE s.area_id = areas.id AND s.active AND s.visits_per_month <= 0)"
        " WHERE id IN (SELECT area_id FROM sites)"
    )


def downgrade():
    # ALTER TABLE ... DROP COLUMN on both engines: a batch copy of areas would have SQLite drop
    # the table the whole schema refers to.
    op.drop_column("areas", "unasked_sites")
    op.drop_column("areas", "active_sites")
