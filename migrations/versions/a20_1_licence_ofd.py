"""licence OFD: the sealed OFD's hash; every licence gets its electronic-licence identifier

The national electronic licence (GB/T 33190 OFD with a GB/T 38540 seal) is kept beside the PDF
in the document store, by hash. Licences loaded before identifiers were allocated at import
(and the demo's) had an empty identifier: they get the register identifier, whose serial is
derived from the licence number (the rule the import uses), so each licence has exactly one.

Revision ID: a20_1_licence_ofd
Revises: i24a_integration_api
Create Date: 2026-12-06 02:40:00

"""
import sqlalchemy as sa
from alembic import op
from flask import current_app

from permits.catalogue import get_permit_type
from permits.identifiers import register_elicence_identifier

# revision identifiers, used by Alembic.
revision = 'a20_1_licence_ofd'
down_revision = 'i24a_integration_api'
branch_labels = None
depends_on = None

_licences = sa.table(
    'licences',
    sa.column('id', sa.Integer),
    sa.column('number', sa.String),
    sa.column('permit_type', sa.String),
    sa.column('identifier', sa.String),
)


def upgrade():
    with op.batch_alter_table('licences', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ofd_sha256', sa.String(length=64), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(_licences.c.id, _licences.c.number, _licences.c.permit_type).where(
            sa.or_(_licences.c.identifier == '', _licences.c.identifier.is_(None))
        )
    ).all()
    issuer = current_app.config['ISSUER_CREDIT_CODE']
    for licence_id, number, permit_type in rows:
        known = get_permit_type(permit_type)
        if known is None:
            continue
        connection.execute(
            _licences.update()
            .where(_licences.c.id == licence_id)
            .values(identifier=register_elicence_identifier(known.type_code, issuer, number))
        )


def downgrade():
    with op.batch_alter_table('licences', schema=None) as batch_op:
        batch_op.drop_column('ofd_sha256')
