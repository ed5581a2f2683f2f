"""query indexes: renewal lookups, licence lists, successors, region prefix on any collation

Revision ID: c4d2a7e9f813
Revises: b7d31c0e9a12
Create Date: 2026-11-23 21:30:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c4d2a7e9f813'
down_revision = 'b7d31c0e9a12'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_applications_licence_id'), ['licence_id'], unique=False)
        batch_op.create_index(
            'ix_applications_region_pattern',
            ['region_code', 'state'],
            unique=False,
            postgresql_ops={'region_code': 'varchar_pattern_ops'},
        )
    with op.batch_alter_table('licences', schema=None) as batch_op:
        batch_op.create_index(
            'ix_licences_enterprise_valid_until', ['enterprise_id', 'valid_until', 'id'], unique=False
        )
        batch_op.create_index(batch_op.f('ix_licences_supersedes_id'), ['supersedes_id'], unique=False)


def downgrade():
    with op.batch_alter_table('licences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_licences_supersedes_id'))
        batch_op.drop_index('ix_licences_enterprise_valid_until')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index('ix_applications_region_pattern')
        batch_op.drop_index(batch_op.f('ix_applications_licence_id'))
