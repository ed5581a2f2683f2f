"""resumable (tus) uploads: the state of an upload in progress, shared by every app server

Revision ID: t25a_resumable_uploads
Revises: s21d_pii_access_records
Create Date: 2026-12-06 02:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 't25a_resumable_uploads'
down_revision = 's21d_pii_access_records'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'resumable_uploads',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('material_code', sa.String(length=64), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('length', sa.BigInteger(), nullable=False),
        sa.Column('received', sa.BigInteger(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['application_id'], ['applications.id']),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('resumable_uploads', schema=None) as batch_op:
        batch_op.create_index('ix_resumable_uploads_application_id', ['application_id'])
        batch_op.create_index('ix_resumable_uploads_expires_at', ['expires_at'])


def downgrade():
    op.drop_table('resumable_uploads')
