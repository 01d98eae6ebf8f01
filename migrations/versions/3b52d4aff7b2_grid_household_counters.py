"""Each grid's household rows and reachable households, kept by the household writers.

Coverage read every household row of the area to count a grid's reachable households; the
writers now keep the two counts on the area (app/models/household.py), and this fills them
from the rows already stored. Adding a column with a default copies no table on either engine.

Revision ID: 3b52d4aff7b2
Revises: a570d8cf78c9
Create Date: 2026-12-01 14:44:15.665579

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "3b52d4aff7b2"
down_revision = "a570d8cf78c9"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("areas", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("household_rows", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("reachable_households", sa.Integer(), server_default="0", nullable=False)
        )
    op.execute(
        "UPDATE areas SET"
        " household_rows = (SELECT COUNT(*) FROM households h WHERE h.area_id = areas.id),"
        " reachable_households = (SELECT COUNT(*) FROM households h"
        " WHERE h.area_id = areas.id AND NOT h.unreachable)"
        " WHERE id IN (SELECT area_id FROM households)"
    )


def downgrade():
    with op.batch_alter_table("areas", schema=None) as batch_op:
        batch_op.drop_column("reachable_households")
        batch_op.drop_column("household_rows")
