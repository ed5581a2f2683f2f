"""查询留痕: access records of unmasked personal data and material downloads

Revision ID: s21d_pii_access_records
Revises: s21c_staff_totp
Create Date: 2026-12-06 03:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 's21d_pii_access_records'
down_revision = 's21c_staff_totp'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'pii_access_records',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=False),
        sa.Column('staff_name', sa.String(length=64), nullable=False),
        sa.Column('subject', sa.String(length=64), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=True),
        sa.Column('fields', sa.String(length=200), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=True),
        sa.Column('route', sa.String(length=200), nullable=False),
        sa.Column('request_id', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ['application_id'], ['applications.id'],
            name=op.f('fk_pii_access_records_application_id_applications'),
        ),
        sa.ForeignKeyConstraint(
            ['staff_id'], ['users.id'], name=op.f('fk_pii_access_records_staff_id_users')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pii_access_records')),
    )
    with op.batch_alter_table('pii_access_records', schema=None) as batch_op:
        batch_op.create_index('ix_pii_access_records_at', ['at'], unique=False)
        batch_op.create_index('ix_pii_access_records_staff_at', ['staff_id', 'at'], unique=False)
        batch_op.create_index(
            'ix_pii_access_records_subject_at', ['subject', 'at'], unique=False
        )


def downgrade():
    op.drop_table('pii_access_records')
