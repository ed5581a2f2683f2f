"""reminder windows: licences by (permit_type, valid_until)

The expiry reminder scan reads one permit type's licences expiring in a window of days; with
separate permit-type and expiry indexes each window's statements combined both bitmaps and
read a third of the permit-type index.

Revision ID: f1c7d3a9b2e4
Revises: e5a9c3f1b7d2
Create Date: 2026-11-24 01:05:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f1c7d3a9b2e4'
down_revision = 'e5a9c3f1b7d2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('licences', schema=None) as batch_op:
        batch_op.create_index(
            'ix_licences_permit_type_valid_until', ['permit_type', 'valid_until'], unique=False
        )


def downgrade():
    with op.batch_alter_table('licences', schema=None) as batch_op:
        batch_op.drop_index('ix_licences_permit_type_valid_until')
