"""keyed audit chain: re-key every timeline from SHA-256 to HMAC-SM3 under AUDIT_KEY

Only each case's intact prefix is re-keyed (app/domain/audit_rekey.py), so an entry edited
before this migration still fails ``audit verify`` afterwards.

Revision ID: s21b_keyed_audit_chain
Revises: s21a_seal_personal_data
Create Date: 2026-12-06 02:40:00

"""
from alembic import op
from flask import current_app

from app.domain.audit_rekey import rekey_chains

# revision identifiers, used by Alembic.
revision = 's21b_keyed_audit_chain'
down_revision = 's21a_seal_personal_data'
branch_labels = None
depends_on = None


def upgrade():
    rekey_chains(op.get_bind(), current_app.config['AUDIT_KEY'])


def downgrade():
    # The keyed chain is not turned back into a plain digest anyone could recompute.
    pass
