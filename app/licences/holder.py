"""What a licence records about its holder (``Licence.holder``), shaped in one place.

The enterprise as it stood at issue (name, credit code, address, legal representative),
the form whose particulars the licence prints, and on a person's certificate (特种作业操作证)
the person's name and ID number. Issue, the register import, the demo and the tests all
build it here, so the certificate, the API and the verification page read one shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.models import Enterprise


def holder_record(
    name: str,
    credit_code: str,
    address: str,
    legal_representative: str,
    form: Mapping[str, Any],
) -> dict[str, Any]:
    """An enterprise holder; ``form`` holds the particulars (经营场所, 许可范围 …)."""
    return {
        "name": name,
        "credit_code": credit_code,
        "address": address,
        "legal_representative": legal_representative,
        "form": dict(form),
    }


def enterprise_holder(enterprise: Enterprise, form: Mapping[str, Any]) -> dict[str, Any]:
    """``enterprise`` as the holder of a licence with ``form``'s particulars."""
    return holder_record(
        enterprise.name,
        enterprise.credit_code,
        enterprise.address,
        enterprise.legal_representative,
        form,
    )


def with_person(holder: dict[str, Any], form: Mapping[str, Any]) -> dict[str, Any]:
    """A person's certificate: the worker the form names, employed by the enterprise."""
    return {
        **holder,
        "person_name": form.get("worker_name", ""),
        "id_number": form.get("worker_id_number", ""),
    }


def name_on_licence(holder: Mapping[str, Any]) -> str:
    """The name the licence is made out to: the person's on a person's certificate."""
    return str(holder.get("person_name") or holder.get("name") or "")
