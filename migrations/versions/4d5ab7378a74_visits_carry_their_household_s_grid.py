"""visits carry their household's grid (coverage groups a period's visits by it)

Existing visits take their household's grid, as coverage counted them until now.

Revision ID: 4d5ab7378a74
Revises: af06fb874070
Create Date: 2026-12-01 11:48:07.067649

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4d5ab7378a74'
down_revision = 'af06fb874070'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.create_index('ix_households_unreachable_id', ['unreachable', 'id'], unique=False)

    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('area_id', sa.Integer(), nullable=True))
        batch_op.drop_index(batch_op.f('ix_visits_coverage'))

    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "UPDATE visits SET area_id = households.area_id FROM households "
            "WHERE households.id = visits.household_id"
        )
    else:
        op.execute(
            "UPDATE visits SET area_id = "
            "(SELECT households.area_id FROM households WHERE households.id = visits.household_id)"
        )

    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.alter_column('area_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index('ix_visits_coverage_grid', ['captured_at', 'area_id', 'household_id', 'outcome', 'app_installed', 'materials_count', 'user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_index('ix_visits_coverage_grid')
        batch_op.create_index(batch_op.f('ix_visits_coverage'), ['captured_at', 'household_id', 'outcome', 'app_installed', 'materials_count', 'user_id'], unique=False)
        batch_op.drop_column('area_id')

    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_index('ix_households_unreachable_id')
