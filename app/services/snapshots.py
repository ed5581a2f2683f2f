"""What changed in a resubmitted case: the form and the materials since the supplement
request (or, without one, since the previous submission).

A snapshot of the form and of the newest document is kept at every submission and every
supplement request, in the transaction of that step; the comparison is made on reading.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.domain import access, materials
from app.extensions import db
from app.models import Application, CaseSnapshot, User
from app.services.applications import PERSONAL_FIELDS

SNAPSHOT_ACTIONS = frozenset({"submit", "resubmit", "request_supplement"})


def record(application: Application, action: str) -> None:
    """Keep the case as it stands after ``action`` when a later comparison needs it."""
    if action not in SNAPSHOT_ACTIONS:
        return
    db.session.add(
        CaseSnapshot(
            application_id=application.id,
            action=action,
            form=dict(application.form or {}),
            last_document_id=max((d.id for d in application.documents), default=0),
        )
    )


def _baseline(application: Application) -> CaseSnapshot | None:
    taken = list(
        db.session.scalars(
            select(CaseSnapshot)
            .where(CaseSnapshot.application_id == application.id)
            .order_by(CaseSnapshot.id)
        )
    )
    requests = [s for s in taken if s.action == "request_supplement"]
    if requests:
        return requests[-1]
    submissions = [s for s in taken if s.action != "request_supplement"]
    return submissions[-2] if len(submissions) >= 2 else None


def _flatten(value: Any, path: str) -> dict[str, Any]:
    if isinstance(value, dict):
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{path}.{key}"))
        return flat
    return {path: value}


def _shown(path: str, value: Any) -> Any:
    """Personal data stays masked here as everywhere it is not needed in full."""
    field = path.removeprefix("form.")
    mask = PERSONAL_FIELDS.get(field)
    return mask(value) if mask and isinstance(value, str) else value


@dataclass(frozen=True)
class FormChange:
    path: str  # e.g. form.storage_capacity
    before: Any
    after: Any


@dataclass(frozen=True)
class MaterialChange:
    code: str
    name: str
    replaced_document_ids: list[int]
    new_document_ids: list[int]


@dataclass(frozen=True)
class Changes:
    """What changed since ``since`` (None, and nothing, when there is nothing to compare)."""

    since: datetime | None
    form: list[FormChange]
    materials: list[MaterialChange]


def form_changes(before: dict, after: dict) -> list[FormChange]:
    old, new = _flatten(before, "form"), _flatten(after, "form")
    return [
        FormChange(path, _shown(path, old.get(path)), _shown(path, new.get(path)))
        for path in sorted(set(old) | set(new))
        if old.get(path) != new.get(path)
    ]


def changes(user: User, application_id: int) -> Changes:
    """The form's and the materials' changes since the supplement request (or the last
    submission)."""
    application = access.get_application(user, application_id)
    baseline = _baseline(application)
    if baseline is None:
        return Changes(None, [], [])
    changed = []
    for status in materials.material_statuses(application):
        newer = [d.id for d in status.documents if d.id > baseline.last_document_id]
        if not newer:
            continue
        older = [d.id for d in status.documents if d.id <= baseline.last_document_id]
        changed.append(MaterialChange(status.material.code, status.material.name, older, newer))
    return Changes(
        baseline.created_at, form_changes(baseline.form or {}, application.form or {}), changed
    )
