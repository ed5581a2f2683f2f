"""Which particulars a licence lacks: the quick check agrees with the whole form schema.

``PermitType.missing_particulars`` validates against the form schema without its property
schemas (a licence list asks it for every licence shown). Here every permit type's example
form, with each licence field blanked in turn and with conditional fields switched, gives
the same answer as validating against the whole schema.
"""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from permits.catalogue import PermitType, get_catalogue


def required_by_whole_schema(permit_type: PermitType, form: dict[str, Any]) -> list[str]:
    filled = {key: value for key, value in form.items() if value not in ("", [], None)}
    validator = Draft202012Validator(permit_type.form_schema["new"])
    required = {
        name
        for error in validator.iter_errors(filled)
        if error.validator == "required" and not error.path
        for name in error.validator_value
        if name not in filled
    }
    return [name for name in permit_type.licence_fields if name in required]


def variants(permit_type: PermitType) -> list[dict[str, Any]]:
    """The example form, each licence field blanked, and each enum field at every value."""
    form = permit_type.example_forms["new"]
    forms = [dict(form)]
    forms += [{**form, name: ""} for name in permit_type.licence_fields]
    for name, rule in permit_type.form_schema["new"].get("properties", {}).items():
        for value in rule.get("enum", []):
            forms.append({**form, name: value})
            forms += [{**form, name: value, blank: ""} for blank in permit_type.licence_fields]
    return forms


@pytest.mark.parametrize("code", sorted(get_catalogue()))
def test_the_quick_check_names_the_same_missing_particulars(code: str) -> None:
    permit_type = get_catalogue()[code]
    for form in variants(permit_type):
        assert permit_type.missing_particulars(form) == required_by_whole_schema(
            permit_type, form
        ), form


def test_a_blank_required_particular_is_missing_and_a_full_form_lacks_none() -> None:
    permit_type = get_catalogue()["hazchem-trading"]
    form = permit_type.example_forms["new"]
    assert permit_type.missing_particulars(form) == []
    first = next(iter(permit_type.licence_fields))
    assert first in permit_type.missing_particulars({**form, first: ""})
