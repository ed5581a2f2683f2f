"""Finding a permit type in the catalogue, the one way every use case does it."""

from __future__ import annotations

from app.errors import field_error
from permits.catalogue import PermitType, get_permit_type


def require_permit_type(code: str) -> PermitType:
    """The permit type ``code`` names, else 422 ``PERMIT_TYPE_UNKNOWN``.

    Stored cases and licences name a type the catalogue had when they were made; one the
    catalogue has lost since is refused the same way, never guessed (no default renewal
    window, no silently empty particulars).
    """
    permit_type = get_permit_type(code)
    if permit_type is None:
        raise field_error("permit_type", "事项清单中没有该许可事项", "PERMIT_TYPE_UNKNOWN")
    return permit_type
