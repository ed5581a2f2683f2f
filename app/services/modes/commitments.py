"""Notify-and-commit (告知承诺制): a signed commitment in place of a certificate.

Materials marked ``commitment_allowed`` in the catalogue may be replaced by the catalogue's
commitment text, signed by name; the commitment (text, signer, time) is kept with the case
and listed in its record, the material counts as present (status ``committed``), the
licence says it was issued on commitment, and the approved case goes on the post-check
queue, where a failed check leads to revocation.
"""

from __future__ import annotations

from typing import Any

from app import timekeeping
from app.domain import access, agency, materials, timeline
from app.domain.case_facts import EDITABLE_STATES
from app.domain.transaction import commit
from app.errors import Conflict, field_error
from app.extensions import db
from app.models import Application, Commitment, Licence, User
from app.services.modes import post_checks

ISSUED_ON_COMMITMENT = "依告知承诺制审批发证"


def sign(user: User, application_id: int, material_code: str, signer_name: str) -> Commitment:
    """The applicant signs the catalogue's commitment for one material of a draft."""
    application = access.get_application(user, application_id, lock=True)
    agency.check_may_prepare(user, application)
    if application.state not in EDITABLE_STATES:
        raise Conflict("只有草稿或待补正的申请可以作出承诺", code="APPLICATION_NOT_EDITABLE")
    status = next(
        (s for s in materials.material_statuses(application) if s.material.code == material_code),
        None,
    )
    if status is None:
        message = "该申请没有此材料"
        raise field_error("material", message, "MATERIAL_UNKNOWN")
    if not status.material.commitment_allowed:
        message = f"“{status.material.name}”不适用告知承诺制，请上传材料"
        raise field_error("material", message, "COMMITMENT_NOT_ALLOWED")
    if status.status == "committed":
        raise Conflict(f"已对“{status.material.name}”作出承诺", code="COMMITMENT_EXISTS")
    item = Commitment(
        application_id=application.id,
        material_code=material_code,
        text=status.material.commitment_text,
        signer_name=signer_name,
        signed_by=user.id,
        signed_at=timekeeping.now(),
    )
    db.session.add(item)
    db.session.expire(application, ["commitments"])  # read-only collection: reload it
    timeline.append(
        application,
        user=user,
        role=agency.timeline_role(user),
        action="sign_commitment",
        from_state=application.state,
        to_state=application.state,
        comment=f"{signer_name}承诺代替：{status.material.name}",
        data={"material": material_code},
    )
    application.touch()
    commit()
    return item


def of(application: Application) -> list[Commitment]:
    if not materials.offers_commitments(application):
        return []  # none can have been signed: skip the query
    return list(application.commitments)


def after_approval(application: Application) -> None:
    """Mark the new licence as issued on commitment and queue its post-check; no commit."""
    if application.issued_licence_id is None:
        return
    signed = of(application)
    if not signed:
        return
    licence = db.session.get_one(Licence, application.issued_licence_id)
    names = {m.code: m.name for m in materials.permit_type_of(application).materials}
    committed = "、".join(names.get(c.material_code, c.material_code) for c in signed)
    note = f"{ISSUED_ON_COMMITMENT}（承诺事项：{committed}）"
    licence.change_note = f"{licence.change_note}；{note}" if licence.change_note else note
    licence.holder = {**licence.holder, "issued_on_commitment": [c.material_code for c in signed]}
    post_checks.schedule(application, "commitment")


class NamedCommitment:
    """A commitment with its material's Chinese name: what ``CommitmentSchema`` dumps."""

    def __init__(self, item: Commitment, material_name: str) -> None:
        self.item = item
        self.material_name = material_name

    def __getattr__(self, name: str) -> Any:
        return getattr(self.item, name)


def named_one(item: Commitment) -> NamedCommitment:
    return named(db.session.get_one(Application, item.application_id), [item])[0]


def named(application: Application, items: list[Commitment]) -> list[NamedCommitment]:
    names = {m.code: m.name for m in materials.permit_type_of(application).materials}
    return [NamedCommitment(c, names.get(c.material_code, c.material_code)) for c in items]
