"""review queue columns (who acts, due date, first overdue day); period and region indexes

Revision ID: e5a9c3f1b7d2
Revises: c4d2a7e9f813
Create Date: 2026-11-23 23:20:00

The queue pages and orders in SQL (issue 13); app/services/queue_index.py computes the
columns and keeps them current. The backfill computes them for every case in a state some
staff role acts on, with the same function. The statistics of a period read the cases
received, decided or completed in it from covering indexes; licences get a region prefix
index usable under any collation.
"""
from types import SimpleNamespace

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e5a9c3f1b7d2'
down_revision = 'c4d2a7e9f813'
branch_labels = None
depends_on = None

BATCH = 5000
READ = (
    'id', 'kind', 'state', 'inspection_result', 'direct_extension', 'recommendation',
    'supplement_request', 'deadline_extended_days', 'modes', 'clock_kind', 'clock_due',
    'clock_paused_on',
)


def upgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('queue_roles', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('queue_due', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('queue_overdue_on', sa.Date(), nullable=True))
    _backfill()
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index(
            'ix_applications_queue',
            ['region_code', 'queue_due', 'id'],
            unique=False,
            postgresql_ops={'region_code': 'varchar_pattern_ops'},
            postgresql_include=['queue_roles', 'state', 'queue_overdue_on', 'clock_paused_on'],
            postgresql_where=sa.text('queue_roles IS NOT NULL'),
            sqlite_where=sa.text('queue_roles IS NOT NULL'),
        )
        batch_op.create_index(
            'ix_applications_submitted_at', ['submitted_at'], unique=False,
            postgresql_include=['region_code', 'state'],
        )
        batch_op.create_index(
            'ix_applications_decided_at', ['decided_at'], unique=False,
            postgresql_include=['region_code', 'accepted_at', 'decision_due'],
        )
        batch_op.create_index(
            'ix_applications_closed_at', ['closed_at'], unique=False,
            postgresql_include=['region_code', 'state'],
        )
    with op.batch_alter_table('licences', schema=None) as batch_op:
        batch_op.create_index(
            'ix_licences_region_pattern', ['region_code'], unique=False,
            postgresql_ops={'region_code': 'varchar_pattern_ops'},
        )


def _backfill():
    from app.domain import queue_index

    applications = sa.table(
        'applications',
        sa.column('id', sa.Integer),
        sa.column('kind', sa.String),
        sa.column('state', sa.String),
        sa.column('inspection_result', sa.String),
        sa.column('direct_extension', sa.Boolean),
        sa.column('recommendation', sa.String),
        sa.column('supplement_request', sa.JSON),
        sa.column('deadline_extended_days', sa.Integer),
        sa.column('modes', sa.JSON),
        sa.column('clock_kind', sa.String),
        sa.column('clock_due', sa.Date),
        sa.column('clock_paused_on', sa.Date),
        sa.column('queue_roles', sa.String),
        sa.column('queue_due', sa.Date),
        sa.column('queue_overdue_on', sa.Date),
    )
    bind = op.get_bind()
    query = (
        sa.select(*(applications.c[name] for name in READ))
        .where(applications.c.state.in_(sorted(queue_index.acting_states())))
        .order_by(applications.c.id)
    )
    update = (
        applications.update()
        .where(applications.c.id == sa.bindparam('row_id'))
        .values(
            queue_roles=sa.bindparam('roles'),
            queue_due=sa.bindparam('due'),
            queue_overdue_on=sa.bindparam('overdue_on'),
        )
    )
    rows = bind.execute(query).mappings().all()
    for start in range(0, len(rows), BATCH):
        changes = []
        for row in rows[start:start + BATCH]:
            values = queue_index.columns(SimpleNamespace(**row))
            changes.append({
                'row_id': row['id'],
                'roles': values['queue_roles'],
                'due': values['queue_due'],
                'overdue_on': values['queue_overdue_on'],
            })
        bind.execute(update, changes)


def downgrade():
    with op.batch_alter_table('licences', schema=None) as batch_op:
        batch_op.drop_index('ix_licences_region_pattern')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index('ix_applications_closed_at')
        batch_op.drop_index('ix_applications_decided_at')
        batch_op.drop_index('ix_applications_submitted_at')
        batch_op.drop_index('ix_applications_queue')
        batch_op.drop_column('queue_overdue_on')
        batch_op.drop_column('queue_due')
        batch_op.drop_column('queue_roles')
