"""resumable uploads of request desk attachments: an upload's kind and its request

Revision ID: t25b_upload_targets
Revises: n26a_shared_number_sequences
Create Date: 2026-12-06 18:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 't25b_upload_targets'
down_revision = 'n26a_shared_number_sequences'
branch_labels = None
depends_on = None

ONE_TARGET = (
    "(kind = 'material' AND application_id IS NOT NULL AND material_code IS NOT NULL"
    " AND request_id IS NULL AND attachment_id IS NULL)"
    " OR (kind = 'attachment' AND request_id IS NOT NULL AND application_id IS NULL"
    " AND material_code IS NULL AND document_id IS NULL)"
)


def upgrade():
    with op.batch_alter_table('resumable_uploads', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('kind', sa.String(length=16), nullable=False, server_default='material')
        )
        batch_op.add_column(sa.Column('request_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('attachment_id', sa.Integer(), nullable=True))
        batch_op.alter_column('application_id', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('material_code', existing_type=sa.String(length=64), nullable=True)
        batch_op.create_index('ix_resumable_uploads_request_id', ['request_id'])
        batch_op.create_foreign_key(
            'fk_resumable_uploads_request_id_enterprise_requests',
            'enterprise_requests',
            ['request_id'],
            ['id'],
        )
        batch_op.create_foreign_key(
            'fk_resumable_uploads_attachment_id_request_attachments',
            'request_attachments',
            ['attachment_id'],
            ['id'],
            ondelete='SET NULL',
        )
        batch_op.create_check_constraint(op.f('ck_resumable_uploads_one_target'), ONE_TARGET)


def downgrade():
    # Attachment uploads have no place in the older table: their rows go (an unfinished
    # one's partial file is left in the partial folder).
    op.execute("DELETE FROM resumable_uploads WHERE kind <> 'material'")
    with op.batch_alter_table('resumable_uploads', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_resumable_uploads_one_target'), type_='check')
        batch_op.drop_constraint(
            'fk_resumable_uploads_attachment_id_request_attachments', type_='foreignkey'
        )
        batch_op.drop_constraint(
            'fk_resumable_uploads_request_id_enterprise_requests', type_='foreignkey'
        )
        batch_op.drop_index('ix_resumable_uploads_request_id')
        batch_op.alter_column('material_code', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('application_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('attachment_id')
        batch_op.drop_column('request_id')
        batch_op.drop_column('kind')
