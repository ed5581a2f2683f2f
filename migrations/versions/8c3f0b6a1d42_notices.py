"""Written notices and decisions of a case.

Revision ID: 8c3f0b6a1d42
Revises: 5a1e7d2c9b30
Create Date: 2026-11-23 21:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "8c3f0b6a1d42"
down_revision = "5a1e7d2c9b30"
branch_labels = None
depends_on = None


def upgrade():
    json_type = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=64), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content", json_type, nullable=False),
        sa.Column("timeline_seq", sa.Integer(), nullable=True),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    op.create_index("ix_notices_application_id", "notices", ["application_id"])


def downgrade():
    op.drop_index("ix_notices_application_id", table_name="notices")
    op.drop_table("notices")
