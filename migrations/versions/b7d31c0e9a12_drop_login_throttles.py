"""Drop login_throttles: staff login attempts are counted in the rate limiter's storage.

The table counted failures per username only, so anyone could lock a real user out and
spraying over usernames went unthrottled; app/throttle.py replaces it (Redis in production).

Revision ID: b7d31c0e9a12
Revises: b7e3c1a9d2f4
Create Date: 2026-11-23 20:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "b7d31c0e9a12"
down_revision = "b7e3c1a9d2f4"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table("login_throttles")


def downgrade():
    op.create_table(
        "login_throttles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_throttles")),
        sa.UniqueConstraint("username", name=op.f("uq_login_throttles_username")),
    )
