"""shared number sequences: issuers that print the same numbers draw from one sequence

A notice's sequence is now keyed by its authority (a municipality's city-level bureau is the
municipality's, both 天津市应急管理局) and a licence's by the scope its number template tells
apart (（苏）PF〔…〕 names only the province, so all its cities share one sequence). A new key
starts at the highest serial of the former keys it takes over, so no number already issued
is given again.

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


def _serials(connection) -> dict[tuple[str, str, int], int]:
    rows = connection.execute(sa.select(_sequences)).all()
    return {(sequence, region, year): last for sequence, region, year, last in rows}


def _set(connection, key: tuple[str, str, int], last: int, exists: bool) -> None:
    sequence, region, year = key
    if exists:
        connection.execute(
            _sequences.update()
            .where(
                _sequences.c.permit_type == sequence,
                _sequences.c.issuer_region == region,
                _sequences.c.year == year,
            )
            .values(last_seq=last)
        )
    else:
        connection.execute(
            _sequences.insert().values(
                permit_type=sequence, issuer_region=region, year=year, last_seq=last
            )
        )


def _lock(connection) -> None:
    """No number is drawn while the serials are read and rewritten (stop the servers and the
    worker for the upgrade all the same: code of the former revision draws by former keys)."""
    if connection.dialect.name == 'postgresql':
        connection.execute(sa.text('LOCK TABLE licence_sequences IN EXCLUSIVE MODE'))


def upgrade():
    """Each new key starts at the highest serial of the former keys it takes over; the former
    rows stay (unused from now on) so that a downgrade can give them back."""
    connection = op.get_bind()
    _lock(connection)
    serials = _serials(connection)
    merged: dict[tuple[str, str, int], int] = {}
    for (sequence, region, year), last in serials.items():
        key = (sequence, _new_region(sequence, region), year)
        if key != (sequence, region, year):
            merged[key] = max(merged.get(key, 0), last)
    for key, last in merged.items():
        if last > serials.get(key, 0):
            _set(connection, key, last, key in serials)


def downgrade():
    """Each former key resumes at the highest serial its shared key reached, so the former
    revision never gives a number again. (An issuer with no former row, one that first
    numbered after the upgrade, would start its own sequence at 1: restore from the backup
    taken before the upgrade rather than downgrade once such numbers exist.)"""
    connection = op.get_bind()
    _lock(connection)
    serials = _serials(connection)
    for (sequence, region, year), last in serials.items():
        shared = (sequence, _new_region(sequence, region), year)
        if shared != (sequence, region, year) and serials.get(shared, 0) > last:
            _set(connection, (sequence, region, year), serials[shared], exists=True)
