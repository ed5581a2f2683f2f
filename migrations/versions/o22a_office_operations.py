"""office operations: case owners, deputies, internal notes, assignment modes, snapshots,
export records

Revision ID: o22a_office_operations
Revises: a23_1_rating_cases
Create Date: 2026-12-06 02:30:00

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'o22a_office_operations'
down_revision = 'a23_1_rating_cases'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assignee_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_applications_assignee_id', ['assignee_id'], unique=False)
        batch_op.create_foreign_key(
            'fk_applications_assignee_id_users', 'users', ['assignee_id'], ['id']
        )
    op.create_table(
        'staff_deputies',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('staff_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=False),
        sa.Column('deputy_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('created_by', sa.Integer(), sa.ForeignKey('users.id'), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_staff_deputies_staff_id', 'staff_deputies', ['staff_id'])
    op.create_index('ix_staff_deputies_deputy_id', 'staff_deputies', ['deputy_id'])
    op.create_table(
        'case_notes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column(
            'application_id', sa.Integer(), sa.ForeignKey('applications.id'), nullable=False
        ),
        sa.Column('author_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_case_notes_application_id', 'case_notes', ['application_id'])
    op.create_table(
        'region_assignments',
        sa.Column('region_code', sa.String(length=6), nullable=False),
        sa.Column('mode', sa.String(length=16), nullable=False),
        sa.Column('updated_by', sa.Integer(), sa.ForeignKey('users.id'), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('region_code'),
    )
    op.create_table(
        'case_snapshots',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column(
            'application_id', sa.Integer(), sa.ForeignKey('applications.id'), nullable=False
        ),
        sa.Column('action', sa.String(length=32), nullable=False),
        sa.Column('form', JSON, nullable=False),
        sa.Column('last_document_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_case_snapshots_application_id', 'case_snapshots', ['application_id'])
    op.create_table(
        'export_records',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('staff_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('filters', JSON, nullable=False),
        sa.Column('rows', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_export_records_staff_id', 'export_records', ['staff_id'])


def downgrade():
    op.drop_table('export_records')
    op.drop_table('case_snapshots')
    op.drop_table('region_assignments')
    op.drop_table('case_notes')
    op.drop_table('staff_deputies')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_constraint('fk_applications_assignee_id_users', type_='foreignkey')
        batch_op.drop_index('ix_applications_assignee_id')
        batch_op.drop_column('assignee_id')
