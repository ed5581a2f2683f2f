"""The keyed audit chain: HMAC-SM3 under AUDIT_KEY; an edit is named by ``audit verify`` and
cannot be hidden by recomputing the chain with a plain digest."""

from __future__ import annotations

import hashlib

from sqlalchemy import select, update

from app.domain.audit_rekey import rekey_chains
from app.domain.timeline import GENESIS, canonical_content
from app.extensions import db
from app.models import TimelineEntry


def _entries(application_id: int) -> list[TimelineEntry]:
    return list(
        db.session.scalars(
            select(TimelineEntry)
            .where(TimelineEntry.application_id == application_id)
            .order_by(TimelineEntry.seq)
        )
    )


def _rewrite_with_sha256(application_id: int, tamper_from: int | None = None) -> None:
    """Recompute a case's chain as anyone with database access could: plain SHA-256."""
    prev = GENESIS
    for entry in _entries(application_id):
        digest = hashlib.sha256(canonical_content(entry, prev)).hexdigest()
        if tamper_from is not None and entry.seq >= tamper_from:
            digest = hashlib.sha256(b"edited" + digest.encode()).hexdigest()
        db.session.execute(
            update(TimelineEntry)
            .where(TimelineEntry.id == entry.id)
            .values(prev_hash=prev, hash=digest)
        )
        prev = digest
    db.session.commit()


def test_an_edited_comment_is_named_and_a_sha256_recompute_does_not_hide_it(
    client, runner, office, drive, submitted
):
    view = drive(submitted, ("clerk", "accept"), ("reviewer", "start_review"))
    entries = _entries(view["id"])
    assert len(entries) >= 3 and all(len(e.hash) == 64 for e in entries)
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0

    db.session.execute(
        update(TimelineEntry)
        .where(TimelineEntry.application_id == view["id"], TimelineEntry.seq == 2)
        .values(comment="受理时材料齐全（改过）")
    )
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"申请 {view['id']} 第 2 条：条目内容已被改动" in result.output

    _rewrite_with_sha256(view["id"])
    db.session.expire_all()
    again = runner.invoke(args=["audit", "verify"])
    assert again.exit_code == 1
    assert f"申请 {view['id']} 第 1 条" in again.output


def test_the_migration_rekeys_intact_chains_and_keeps_an_old_edit_visible(
    app, runner, make, office, drive, submitted
):
    """Chains as the SHA-256 code wrote them: the intact one verifies after re-keying; in the
    one edited before the migration, ``audit verify`` still names the edited entry."""
    intact = drive(submitted, ("clerk", "accept"))
    other = make.create_application(make_client(app), office.applicant, office.enterprise_id)
    other = make.upload_required(make_client(app), office.applicant, other)
    other = drive(other, ("applicant", "submit"), ("clerk", "accept"), ("reviewer", "start_review"))
    _rewrite_with_sha256(intact["id"])
    _rewrite_with_sha256(other["id"], tamper_from=3)
    assert runner.invoke(args=["audit", "verify"]).exit_code == 1

    with db.engine.begin() as connection:
        rekeyed = rekey_chains(connection, app.config["AUDIT_KEY"])
    assert rekeyed == len(_entries(intact["id"])) + 2
    db.session.expire_all()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"申请 {other['id']} 第 3 条" in result.output
    assert f"申请 {intact['id']} " not in result.output


def make_client(app):
    return app.test_client()
