"""The committed migrations build exactly the schema the models describe."""

from __future__ import annotations


def test_models_and_migrations_agree(runner):
    result = runner.invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output


def test_the_queue_migration_fills_the_columns_of_existing_cases(app, make):
    """Downgraded past the queue columns and upgraded again, the cases get back exactly what
    the running app keeps there."""
    from datetime import date
    from pathlib import Path

    from flask_migrate import downgrade, upgrade
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Application

    clerk = make.staff("clerk")
    firm = make.enterprise(make.applicant())
    waiting = make.case_in_state(firm, "submitted", clerk)
    waiting.clock_kind, waiting.clock_due = "acceptance", date(2026, 11, 30)
    make.case_in_state(firm, "delivered", clerk)
    db.session.commit()
    columns = (Application.id, Application.queue_roles, Application.queue_due)
    columns += (Application.queue_overdue_on,)
    kept = set(db.session.execute(select(*columns)).all())
    assert (waiting.id, "|clerk|", date(2026, 11, 30), date(2026, 12, 1)) in kept
    db.session.remove()
    directory = str(Path(app.root_path).parent / "migrations")
    downgrade(directory=directory, revision="c4d2a7e9f813")
    upgrade(directory=directory)
    assert set(db.session.execute(select(*columns)).all()) == kept


def test_the_ofd_migration_gives_identifier_less_licences_their_register_identifier(app, make):
    """Licences stored before identifiers were allocated at import get the identifier the
    import would give them; a licence that has one keeps it."""
    from pathlib import Path

    from flask_migrate import downgrade, upgrade
    from sqlalchemy import select, update

    from app.extensions import db
    from app.models import Licence
    from permits.catalogue import get_permit_type
    from permits.identifiers import elicence_identifier_problem, register_elicence_identifier

    firm = make.enterprise(make.applicant())
    older = make.licence(firm)
    kept = make.licence(firm, identifier="1.2.156.3005.2.AJ001.KEPT")
    db.session.execute(update(Licence).where(Licence.id == older.id).values(identifier=""))
    db.session.commit()
    identifiers = dict(db.session.execute(select(Licence.id, Licence.identifier)).all())
    number, permit_type, older_id, kept_id = older.number, older.permit_type, older.id, kept.id
    db.session.remove()
    directory = str(Path(app.root_path).parent / "migrations")
    downgrade(directory=directory, revision="f1c7d3a9b2e4")
    upgrade(directory=directory)
    after = dict(db.session.execute(select(Licence.id, Licence.identifier)).all())
    type_code = get_permit_type(permit_type).type_code  # type: ignore[union-attr]
    expected = register_elicence_identifier(type_code, app.config["ISSUER_CREDIT_CODE"], number)
    assert after[older_id] == expected and elicence_identifier_problem(expected) is None
    assert after[kept_id] == identifiers[kept_id]


def test_the_sequence_migration_merges_issuers_that_print_alike(app):
    """Sequences of issuers printing the same numbers become one, at the highest serial
    either had reached; the others are left as they were."""
    from pathlib import Path

    from flask_migrate import downgrade, upgrade
    from sqlalchemy import select

    from app.extensions import db
    from app.models import LicenceSequence

    directory = str(Path(app.root_path).parent / "migrations")
    downgrade(directory=directory, revision="a20_1_licence_ofd")
    rows = [
        ("notice:acceptance", "120000", 2026, 3),
        ("notice:acceptance", "120100", 2026, 5),  # the municipality's bureau again
        ("notice:acceptance", "120101", 2026, 4),  # 和平区: an authority of its own
        ("fireworks-wholesale", "320100", 2026, 2),  # （苏）PF〔…〕: one sequence for 江苏
        ("fireworks-wholesale", "320500", 2026, 7),
        ("hazchem-trading", "320100", 2026, 6),  # 苏宁安经〔…〕: each city its own
        ("hazchem-trading", "320500", 2026, 1),
    ]
    db.session.add_all(
        LicenceSequence(permit_type=p, issuer_region=r, year=y, last_seq=n) for p, r, y, n in rows
    )
    db.session.commit()
    db.session.remove()
    upgrade(directory=directory)

    after = set(db.session.execute(select(LicenceSequence.__table__)).all())
    former = {("notice:acceptance", "120100", 2026, 5)} | {
        row for row in rows if row[0] == "fireworks-wholesale"
    }
    assert after - former == {
        ("notice:acceptance", "120000", 2026, 5),
        ("notice:acceptance", "120101", 2026, 4),
        ("fireworks-wholesale", "320000", 2026, 7),
        ("hazchem-trading", "320100", 2026, 6),
        ("hazchem-trading", "320500", 2026, 1),
    }
    assert former <= after  # kept, unused, for a downgrade

    # Numbers drawn after the upgrade come from the shared key; a downgrade hands the former
    # keys the shared serial, so the former revision never repeats one of them.
    shared = db.session.get(LicenceSequence, ("fireworks-wholesale", "320000", 2026))
    shared.last_seq = 9
    db.session.commit()
    db.session.remove()
    downgrade(directory=directory, revision="a20_1_licence_ofd")
    back = set(db.session.execute(select(LicenceSequence.__table__)).all())
    assert {
        ("fireworks-wholesale", "320100", 2026, 9),
        ("fireworks-wholesale", "320500", 2026, 9),
    } <= back
    assert ("hazchem-trading", "320500", 2026, 1) in back
    db.session.remove()
    upgrade(directory=directory)
