"""What a case has and lacks: each material's status, and the facts the workflow guards read."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.permit_types import require_permit_type
from app.models import Application, Document, MaterialVerdict
from permits.catalogue import Material, PermitType


@dataclass(frozen=True)
class MaterialStatus:
    material: Material
    status: str  # missing | deferred | committed | uploaded | verified | rejected
    documents: list[Document]
    deferrable: bool  # deferrable for *this* case (never for a 失信 enterprise)


def permit_type_of(application: Application) -> PermitType:
    return require_permit_type(application.permit_type)


def _latest_verdict(verdicts: list[MaterialVerdict], code: str) -> MaterialVerdict | None:
    found = [v for v in verdicts if v.material_code == code]
    return found[-1] if found else None


def material_statuses(application: Application) -> list[MaterialStatus]:
    permit_type = permit_type_of(application)
    bad_credit = application.enterprise.bad_credit
    committed = committed_materials(application)
    statuses = []
    for material in permit_type.materials_for(application.kind, application.form or {}):
        documents = [d for d in application.documents if d.material_code == material.code]
        verdict = _latest_verdict(application.verdicts, material.code)
        deferrable = material.deferrable and not bad_credit
        if not documents and material.code in committed:
            status = "committed"  # 告知承诺制: a signed commitment stands in for the document
        elif not documents:
            status = "deferred" if (material.required and deferrable) else "missing"
        elif verdict is None or verdict.document_id != documents[-1].id:
            status = "uploaded"
        else:
            status = "verified" if verdict.verdict == "ok" else "rejected"
        statuses.append(MaterialStatus(material, status, documents, deferrable))
    return statuses


def offered_codes(application: Application) -> set[str]:
    """Codes of the materials the case asks for (by its kind and form): no details read."""
    permit_type = permit_type_of(application)
    return {m.code for m in permit_type.materials_for(application.kind, application.form or {})}


def committed_materials(application: Application) -> set[str]:
    """Codes of the materials a signed commitment stands in for (告知承诺制)."""
    if application.id is None or not offers_commitments(application):
        return set()  # no query for the commitments that cannot exist
    return {commitment.material_code for commitment in application.commitments}


def offers_commitments(application: Application) -> bool:
    """Whether any material of the case's permit type may be replaced by a commitment."""
    return any(m.commitment_allowed for m in permit_type_of(application).materials)


def supplement_outstanding(application: Application) -> list[str]:
    """Materials the clerk asked for (一次性告知) that have no upload since the request."""
    request = application.supplement_request or {}
    if application.state != "supplement_required" or not request:
        return []
    asked_at = request.get("after_document_id", 0)
    outstanding = []
    for code in request.get("materials", []):
        newer = [d for d in application.documents if d.material_code == code and d.id > asked_at]
        if not newer:
            outstanding.append(code)
    return outstanding


def missing_required(statuses: list[MaterialStatus]) -> list[MaterialStatus]:
    return [s for s in statuses if s.material.required and s.status == "missing"]
