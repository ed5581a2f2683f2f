"""Rotating PII_KEY on 10 000 sealed rows: every value stays readable and findable by its
blind index, during the rotation, after a crash halfway, and after it finishes."""

from __future__ import annotations

import secrets

import pytest
from flask import current_app
from sqlalchemy import JSON, Column, Integer, MetaData, Table, select
from sqlalchemy.dialects.postgresql import JSONB

from app.crypto import Keyring, SealError
from app.extensions import db
from app.models import Application
from app.models.blind_index import id_number_indexes
from app.models.sealed import APPLICATION_DELIVERY, APPLICATION_FORM, KEYRING
from app.services import pii_keys

ROWS = 10_000
RAW = Table(
    "applications",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("form", JSON().with_variant(JSONB(), "postgresql")),
    Column("delivery", JSON().with_variant(JSONB(), "postgresql")),
)


def _id_number(n: int) -> str:
    return f"11010519{n:08d}1X"


class Crash(Exception):
    pass


@pytest.fixture
def many_cases(client, make, office):
    """ROWS cases copied from one real draft, each with its own worker ID number and phone."""
    form = make.example_form("special-operations")
    first = make.create_application(
        client, office.applicant, office.enterprise_id, permit_type="special-operations", form=form
    )
    table = Application.__table__
    template = dict(
        db.session.execute(select(table).where(table.c.id == first["id"])).one()._mapping
    )
    ring = current_app.extensions[KEYRING]
    rows = []
    for n in range(1, ROWS):
        number = _id_number(n)
        row = {k: v for k, v in template.items() if k != "id"}
        row.update(
            number=f"ZV-ROT-{n:06d}",
            form={**template["form"], "worker_id_number": number, "worker_phone": f"139{n:08d}"},
            delivery={**template["delivery"], "phone": f"137{n:08d}"},
            worker_id_index=ring.blind_index(number),
        )
        rows.append(row)
    for start in range(0, len(rows), 2000):
        db.session.execute(table.insert(), rows[start : start + 2000])
    db.session.commit()
    return first["id"]


def _lookup(number: str) -> list[str]:
    return list(
        db.session.scalars(
            select(Application.number).where(
                Application.worker_id_index.in_(id_number_indexes(number))
            )
        )
    )


def _opens_with_one_of(rings: list[Keyring]) -> int:
    """How many raw rows open entirely under one of ``rings`` (each key on its own)."""
    count = 0
    for row in db.session.execute(select(RAW)):
        for ring in rings:
            try:
                APPLICATION_FORM.open(row.form, ring)
                APPLICATION_DELIVERY.open(row.delivery, ring)
            except SealError:
                continue
            count += 1
            break
    return count


def test_a_rotation_crashing_halfway_then_finishing(app, runner, many_cases, monkeypatch):
    old_secret = app.config["PII_KEY"]
    new_secret = secrets.token_urlsafe(40)
    old, new = Keyring(old_secret), Keyring(new_secret)
    monkeypatch.setitem(app.extensions, KEYRING, Keyring(new_secret, [old_secret]))

    def crash_after_half(table: str, done: int, total: int) -> None:
        if table == "applications" and done >= total // 2:
            raise Crash

    with db.engine.connect() as connection, pytest.raises(Crash):
        pii_keys.seal_all(
            connection,
            app.extensions[KEYRING],
            batch_size=1000,
            commit=connection.commit,
            progress=crash_after_half,
        )
    db.session.remove()
    keys = {
        token.split(".")[2]
        for row in db.session.execute(select(RAW))
        for token in APPLICATION_FORM.tokens(row.form)
    }
    assert keys == {old.current.key_id, new.current.key_id}  # half done
    assert _opens_with_one_of([old, new]) == ROWS
    assert _lookup(_id_number(3)) == ["ZV-ROT-000003"]
    assert _lookup(_id_number(ROWS - 2)) == [f"ZV-ROT-{ROWS - 2:06d}"]

    result = runner.invoke(args=["pii", "rotate-key", "--batch-size", "2500"])
    assert result.exit_code == 0, result.output
    assert f"applications: 2500/{ROWS}" in result.output
    assert f"applications: {ROWS}/{ROWS}" in result.output
    db.session.remove()
    # Only the new key is needed now; every value and every lookup still works.
    monkeypatch.setitem(app.extensions, KEYRING, new)
    assert _opens_with_one_of([new]) == ROWS
    assert _lookup(_id_number(3)) == ["ZV-ROT-000003"]
    assert _lookup(_id_number(ROWS - 2)) == [f"ZV-ROT-{ROWS - 2:06d}"]
    case = db.session.get(Application, many_cases)
    assert case.form["worker_id_number"] and case.delivery["address"]
    again = runner.invoke(args=["pii", "rotate-key"])
    assert "重新加密 0 行" in again.output
