"""idempotency keys; checkins and visits partitioned by month on PostgreSQL

client_id stops being unique on checkins and visits (a unique key on a partitioned table must
include the partition key) and is kept unique by idempotency_keys instead, filled here from the
existing rows. On PostgreSQL, checkins and visits then become tables partitioned by month of
captured_at, holding the same rows (app/services/partitions.py says how, and how the foreign keys
into them are kept); on SQLite they stay plain tables. Runs on a database that holds data; the
downgrade puts plain tables and the unique client_ids back.

Revision ID: 232c6724c8ad
Revises: 4d5ab7378a74
Create Date: 2026-12-01 11:38:50.073587

"""

import sqlalchemy as sa
from alembic import op

from app.services import partitions

# revision identifiers, used by Alembic.
revision = "232c6724c8ad"
down_revision = "4d5ab7378a74"
branch_labels = None
depends_on = None

TABLES = {"checkins": "checkin", "visits": "visit"}


def upgrade():
    op.create_table(
        "idempotency_keys",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_idempotency_keys_user_id_users")
        ),
        sa.PrimaryKeyConstraint("kind", "client_id", name=op.f("pk_idempotency_keys")),
    )
    for table, kind in TABLES.items():
        op.execute(
            sa.text(
                "INSERT INTO idempotency_keys (kind, client_id, user_id, record_id, created_at) "
                f"SELECT :kind, client_id, user_id, id, received_at FROM {table}"
            ).bindparams(kind=kind)
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"uq_{table}_client_id"), type_="unique")

    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        for table in TABLES:
            partitions.partition_table(connection, table)


def downgrade():
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        for table in TABLES:
            if partitions.is_partitioned(connection, table):
                partitions.unpartition_table(connection, table)
        partitions.drop_functions(connection)
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_unique_constraint(batch_op.f(f"uq_{table}_client_id"), ["client_id"])
    op.drop_table("idempotency_keys")
