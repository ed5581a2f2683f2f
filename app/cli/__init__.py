"""Command-line tools of the office, one module per command group (``flask GROUP …``)."""

from __future__ import annotations

from flask import Flask

from app.cli.appointments import appointments_cli
from app.cli.audit import audit_cli
from app.cli.calendar import calendar_cli
from app.cli.cases import cases_cli
from app.cli.demo import demo_cli
from app.cli.guide import guide_cli
from app.cli.licences import licences_cli
from app.cli.outbox import outbox_cli
from app.cli.pii import pii_cli
from app.cli.reminders import reminders_cli
from app.cli.staff import staff_cli
from app.cli.stats import stats_cli
from app.cli.worker import worker_command
from app.cli.workflows import workflows_cli

COMMANDS = (
    staff_cli,
    demo_cli,
    audit_cli,
    workflows_cli,
    calendar_cli,
    cases_cli,
    worker_command,
    licences_cli,
    reminders_cli,
    outbox_cli,
    stats_cli,
    appointments_cli,
    guide_cli,
    pii_cli,
)


def register_cli(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)
