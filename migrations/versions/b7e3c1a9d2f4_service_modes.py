"""service modes: post-checks, commitments, consents, case mode data

Revision ID: b7e3c1a9d2f4
Revises: d61ac1632593
Create Date: 2026-11-23 20:30:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'b7e3c1a9d2f4'
down_revision = 'd61ac1632593'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('modes', JSON, nullable=True))
    op.create_table('post_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('licence_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('checked_by', sa.Integer(), nullable=True),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_post_checks_application_id_applications')),
    sa.ForeignKeyConstraint(['checked_by'], ['users.id'], name=op.f('fk_post_checks_checked_by_users')),
    sa.ForeignKeyConstraint(['licence_id'], ['licences.id'], name=op.f('fk_post_checks_licence_id_licences')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_post_checks')),
    sa.UniqueConstraint('licence_id', name=op.f('uq_post_checks_licence_id'))
    )
    op.create_index(op.f('ix_post_checks_application_id'), 'post_checks', ['application_id'], unique=False)
    op.create_index(op.f('ix_post_checks_region_code'), 'post_checks', ['region_code'], unique=False)
    op.create_index(op.f('ix_post_checks_status'), 'post_checks', ['status'], unique=False)
    op.create_table('commitments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('material_code', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('signer_name', sa.String(length=50), nullable=False),
    sa.Column('signed_by', sa.Integer(), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_commitments_application_id_applications')),
    sa.ForeignKeyConstraint(['signed_by'], ['users.id'], name=op.f('fk_commitments_signed_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commitments')),
    sa.UniqueConstraint('application_id', 'material_code', name=op.f('uq_commitments_application_id'))
    )
    op.create_index(op.f('ix_commitments_application_id'), 'commitments', ['application_id'], unique=False)
    op.create_table('consents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('granted_by', sa.Integer(), nullable=False),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_consents_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['granted_by'], ['users.id'], name=op.f('fk_consents_granted_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consents'))
    )
    op.create_index(op.f('ix_consents_enterprise_id'), 'consents', ['enterprise_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_consents_enterprise_id'), table_name='consents')
    op.drop_table('consents')
    op.drop_index(op.f('ix_commitments_application_id'), table_name='commitments')
    op.drop_table('commitments')
    op.drop_index(op.f('ix_post_checks_status'), table_name='post_checks')
    op.drop_index(op.f('ix_post_checks_region_code'), table_name='post_checks')
    op.drop_index(op.f('ix_post_checks_application_id'), table_name='post_checks')
    op.drop_table('post_checks')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_column('modes')
