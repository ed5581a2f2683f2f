"""seal personal data at rest: ID numbers, phones and delivery addresses encrypted

Phones become Text (a sealed value is longer than the number); the blind-index columns of
the worker's ID number are added; then every existing value is sealed under the current
``PII_KEY`` and indexed (app/services/pii_keys.py), in this migration's transaction.

Revision ID: s21a_seal_personal_data
Revises: f1c7d3a9b2e4
Create Date: 2026-12-06 02:30:00

"""
import sqlalchemy as sa
from alembic import op
from flask import current_app

from app.models.sealed import KEYRING
from app.services.pii_keys import seal_all

# revision identifiers, used by Alembic.
revision = 's21a_seal_personal_data'
down_revision = 'f1c7d3a9b2e4'
branch_labels = None
depends_on = None


def upgrade():
    for table, column in (('verified_phones', 'phone'), ('enterprises', 'contact_phone')):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column, existing_type=sa.String(length=20), type_=sa.Text(), existing_nullable=False
            )
    for table, column in (('applications', 'worker_id_index'), ('licences', 'holder_id_index')):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(column, sa.String(length=64), nullable=True))
            batch_op.create_index(f'ix_{table}_{column}', [column], unique=False)
    seal_all(
        op.get_bind(),
        current_app.extensions[KEYRING],
        only={
            ('applications', 'form'),
            ('applications', 'delivery'),
            ('licences', 'holder'),
            ('idempotency_records', 'body'),
            ('verified_phones', 'phone'),
            ('enterprises', 'contact_phone'),
        },
    )


def downgrade():
    # Sealed values stay sealed: opening them again would put personal data back in clear.
    for table, column in (('applications', 'worker_id_index'), ('licences', 'holder_id_index')):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f'ix_{table}_{column}')
            batch_op.drop_column(column)
