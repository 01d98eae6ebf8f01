"""users.session_version: sessions and remember cookies carry it, so raising it ends them

Revision ID: 2c4e0d0dac58
Revises: 988d9bddd081
Create Date: 2026-12-01 05:42:52.183983

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2c4e0d0dac58'
down_revision = '988d9bddd081'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
