"""shared number sequences: issuers that print the same numbers draw from one sequence

A notice's sequence is now keyed by its authority (a municipality's city-level bureau is the
municipality's, both 天津市应急管理局) and a licence's by the scope its number template tells
apart (（苏）PF〔…〕 names only the province, so all its cities share one sequence). Rows of a
former key are merged into the new key's row, keeping the highest serial, so no number
already issued is given again.

Revision ID: n26a_shared_number_sequences
Revises: a20_1_licence_ofd
Create Date: 2026-12-06 18:40:00

"""
import sqlalchemy as sa
from alembic import op

from permits.catalogue import get_permit_type
from permits.numbering import NumberingError, authority_region, number_scope

# revision identifiers, used by Alembic.
revision = 'n26a_shared_number_sequences'
down_revision = 'a20_1_licence_ofd'
branch_labels = None
depends_on = None

_sequences = sa.table(
    'licence_sequences',
    sa.column('permit_type', sa.String),
    sa.column('issuer_region', sa.String),
    sa.column('year', sa.Integer),
    sa.column('last_seq', sa.Integer),
)


def _new_region(sequence: str, region: str) -> str:
    """The key ``sequence``'s numbers of ``region`` use now (unchanged when undecidable)."""
    try:
        if sequence.startswith('notice:'):
            return authority_region(region)
        permit_type = get_permit_type(sequence)
        return number_scope(permit_type.number_template, region) if permit_type else region
    except NumberingError:
        return region


def upgrade():
    connection = op.get_bind()
    merged: dict[tuple[str, str, int], int] = {}
    moved = []
    for sequence, region, year, last in connection.execute(sa.select(_sequences)).all():
        key = (sequence, _new_region(sequence, region), year)
        merged[key] = max(merged.get(key, 0), last)
        if key[1] != region:
            moved.append((sequence, region, year))
    if not moved:
        return
    touched = {(sequence, year) for sequence, _, year in moved}
    for sequence, year in touched:
        connection.execute(
            _sequences.delete().where(
                _sequences.c.permit_type == sequence, _sequences.c.year == year
            )
        )
    connection.execute(
        _sequences.insert(),
        [
            {'permit_type': s, 'issuer_region': r, 'year': y, 'last_seq': last}
            for (s, r, y), last in merged.items()
            if (s, y) in touched
        ],
    )


def downgrade():
    # The merged sequences keep serving every issuer: splitting them again could only hand
    # out numbers already issued.
    pass
