"""差评整改: rating cases, and the re-rating and appeal columns of ratings

Revision ID: a23_1_rating_cases
Revises: s21d_pii_access_records
Create Date: 2026-12-06 02:30:00

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')

# revision identifiers, used by Alembic.
revision = 'a23_1_rating_cases'
down_revision = 't25a_resumable_uploads'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_score', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('rerated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column('excluded', sa.Boolean(), server_default=sa.text('false'), nullable=False)
        )
    op.create_table(
        'rating_cases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('rating_id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('region_code', sa.String(length=6), nullable=False),
        sa.Column('score', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('contact_due', sa.Date(), nullable=False),
        sa.Column('rectify_due', sa.Date(), nullable=False),
        sa.Column('contacted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('resolution', sa.Text(), nullable=False),
        sa.Column('history', JSON, nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['application_id'], ['applications.id']),
        sa.ForeignKeyConstraint(['rating_id'], ['ratings.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('rating_cases', schema=None) as batch_op:
        batch_op.create_index('ix_rating_cases_application_id', ['application_id'], unique=False)
        batch_op.create_index('ix_rating_cases_rating_id', ['rating_id'], unique=False)
        batch_op.create_index(
            'ix_rating_cases_region_status', ['region_code', 'status'], unique=False
        )


def downgrade():
    op.drop_table('rating_cases')
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.drop_column('excluded')
        batch_op.drop_column('rerated_at')
        batch_op.drop_column('first_score')
