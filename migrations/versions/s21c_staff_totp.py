"""staff second factor: TOTP secret (sealed), pending enrolment, last accepted step

Revision ID: s21c_staff_totp
Revises: s21b_keyed_audit_chain
Create Date: 2026-12-06 02:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 's21c_staff_totp'
down_revision = 's21b_keyed_audit_chain'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('totp_pending', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.BigInteger(), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_pending')
        batch_op.drop_column('totp_secret')
