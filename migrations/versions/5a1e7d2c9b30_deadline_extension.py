"""Art. 42 extension of the decision limit, kept on the case.

Revision ID: 5a1e7d2c9b30
Revises: 45287a23c6c5
Create Date: 2026-11-23 20:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "5a1e7d2c9b30"
down_revision = "45287a23c6c5"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("deadline_extended_days", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("deadline_extended_days")
