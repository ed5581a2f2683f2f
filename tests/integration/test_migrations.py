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
