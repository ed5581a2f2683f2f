"""An application as one user sees it: the object ``ApplicationSchema`` dumps.

The columns come from the model; what is derived — labels, the materials' state, what is
missing, the deadline, the actions the user may take, the service modes' parts — and what
is masked for this user (personal numbers in the form, the delivery phone for staff who do
not deliver) is worked out here, once, for the API and the console alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from marshmallow import missing

from app.domain import clock, materials
from app.models import Application, Document, TimelineEntry, User
from app.services.modes import commitments, instant, joint_review, pre_review
from app.timekeeping import local_iso
from permits.identifiers import mask_id_number, mask_phone
from workflows.definitions import get_workflow

# A person's data on a form, and how it is shown wherever the full value is not needed.
PERSONAL_FIELDS = {
    "worker_id_number": mask_id_number,
    "worker_phone": mask_phone,
    "principal_phone": mask_phone,
}


@dataclass(frozen=True)
class ShownMaterial:
    """One material of the case: its catalogue entry, where it stands and its files."""

    code: str
    name: str
    required: bool
    deferrable: bool
    status: str
    documents: list[Document]
    pre_review_comment: str | None
    commitment_allowed: bool


@dataclass(frozen=True)
class MissingMaterial:
    code: str
    name: str
    deferrable: bool
    reason: str  # missing | supplement | rejected


class ShownApplication:
    """``application`` as ``user`` may see it: its columns and what is derived from them.

    ``statuses``, ``form_errors`` and ``actions`` come from the case service, which works
    them out for its own checks too (``applications.shown``).
    """

    def __init__(
        self,
        user: User,
        application: Application,
        statuses: list[materials.MaterialStatus],
        form_errors: dict[str, list[str]],
        actions: list[str],
    ) -> None:
        self.user = user
        self.application = application
        self._statuses = statuses
        self.form_errors = form_errors
        self.actions = actions

    def __getattr__(self, name: str) -> Any:
        return getattr(self.application, name)

    @cached_property
    def _outstanding(self) -> set[str]:
        return set(materials.supplement_outstanding(self.application))

    @property
    def state_label(self) -> str:
        return get_workflow(self.application.kind).label(self.application.state)

    @property
    def form(self) -> dict[str, Any]:
        masked = dict(self.application.form or {})
        for field, mask in PERSONAL_FIELDS.items():
            if isinstance(masked.get(field), str):
                masked[field] = mask(masked[field])
        return masked

    @property
    def delivery(self) -> dict[str, Any]:
        """The applicant sees their own delivery phone; staff see it masked and read it in
        full through ``GET …/personal-data``, which records the view (查询留痕)."""
        shown = dict(self.application.delivery or {})
        if self.user.is_staff and shown.get("phone"):
            shown["phone"] = mask_phone(shown["phone"])
        return shown

    @property
    def materials(self) -> list[ShownMaterial]:
        application = self.application
        permit_type = materials.permit_type_of(application)
        allowed = {m.code for m in permit_type.materials if m.commitment_allowed}
        return [
            ShownMaterial(
                code=s.material.code,
                name=s.material.name,
                required=s.material.required,
                deferrable=s.deferrable,
                status=s.status,
                documents=s.documents,
                pre_review_comment=pre_review.material_comment(application, s.material.code),
                commitment_allowed=s.material.code in allowed,
            )
            for s in self._statuses
        ]

    @property
    def missing_materials(self) -> list[MissingMaterial]:
        outstanding = self._outstanding
        return [
            MissingMaterial(
                code=s.material.code,
                name=s.material.name,
                deferrable=s.deferrable and s.material.code not in outstanding,
                reason="rejected"
                if s.status == "rejected"
                else ("supplement" if s.material.code in outstanding else "missing"),
            )
            for s in self._statuses
            if (s.material.required and s.status in ("missing", "deferred"))
            or s.material.code in outstanding
            or s.status == "rejected"
        ]

    @property
    def supplement_request(self) -> dict[str, Any] | None:
        """The supplement request with its time in +08:00 (older rows stored it in UTC)."""
        request = self.application.supplement_request
        if not request or not request.get("requested_at"):
            return request
        moment = datetime.fromisoformat(request["requested_at"])
        return {**request, "requested_at": local_iso(moment)}

    @cached_property
    def deadline(self) -> clock.Deadline | None:
        return clock.deadline(self.application)

    @property
    def overdue(self) -> bool:
        """Past its statutory limit (the review queue flags it)."""
        return bool(self.deadline and self.deadline.overdue)

    @property
    def assignee(self) -> User | None:
        """承办人: the office's business — staff see it, the applicant's body leaves it out."""
        if not self.user.is_staff:
            return missing  # type: ignore[return-value]
        return self.application.assignee

    @property
    def instant_unmet(self) -> list[dict[str, Any]] | None:
        return instant.unmet_conditions(self.application)

    @property
    def pre_review(self) -> dict[str, Any] | None:
        return pre_review.latest_round(self.application)

    @property
    def joint_review(self) -> dict[str, Any] | None:
        return joint_review.state(self.application)

    @property
    def commitments(self) -> list[commitments.NamedCommitment]:
        return commitments.named(self.application, commitments.of(self.application))


@dataclass(frozen=True)
class ShownEntry:
    """A timeline entry as staff see it: with the assignee a deputy acted for (代理).

    The applicant is given the bare entries, which have no ``on_behalf_of``: their
    timeline body leaves the field out.
    """

    entry: TimelineEntry

    def __getattr__(self, name: str) -> Any:
        return getattr(self.entry, name)

    @property
    def on_behalf_of(self) -> dict[str, Any] | None:
        return (self.entry.data or {}).get("on_behalf_of")
