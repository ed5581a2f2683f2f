"""The service modes' catalogue data: instant-approval conditions and commitments."""

from __future__ import annotations

from typing import Any

import pytest

from permits.catalogue import get_catalogue, get_permit_type
from tests.unit.test_catalogue import refusal, write_variant

NEW_TYPES = {
    "coal-mine-safety": ("province", 3, 45),
    "non-coal-mine-safety": ("province", 3, 45),
    "precursor-chemicals-trading": ("province", 3, 30),
    "fireworks-retail": ("county", 2, 20),
}


@pytest.mark.parametrize("code", sorted(NEW_TYPES))
def test_the_four_seed_types_carry_their_figures(code):
    permit_type = get_permit_type(code)
    assert (
        permit_type.authority_level,
        permit_type.validity_years,
        permit_type.decision_limit_days,
    ) == NEW_TYPES[code]
    assert permit_type.legal_basis and len(get_catalogue()) >= 8


def test_instant_conditions_are_named_and_labelled():
    conditions = get_permit_type("coal-mine-safety").instant["renewal"]
    assert [c.code for c in conditions] == ["direct_extension", "all_materials_present"]
    assert all(c.label for c in conditions)
    assert get_permit_type("coal-mine-safety").post_check_rate == 0.2
    assert get_permit_type("hazchem-trading").instant == {}


def test_commitment_materials_carry_their_text():
    proof = next(
        m for m in get_permit_type("fireworks-retail").materials if m.code == "premises_proof"
    )
    assert proof.commitment_allowed and "承诺" in proof.commitment_text
    assert proof.as_dict()["commitment_allowed"] is True


def instant(kinds: dict[str, list[str]]):
    def mutate(data: dict[str, Any]) -> None:
        data["instant"] = {"post_check_rate": 0.1, "kinds": kinds}

    return mutate


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (instant({"renewal": ["teleportation"]}), "未知的秒批条件 teleportation"),
        (instant({"renewal": ["material:no_such"]}), "未知的秒批条件 material:no_such"),
        (instant({"new": ["direct_extension"]}), "只有允许直接延期的延续申请"),
    ],
)
def test_a_wrong_instant_rule_stops_the_catalogue(tmp_path, mutate, expected):
    write_variant(tmp_path, mutate)
    assert expected in refusal(tmp_path)


def test_a_commitment_needs_its_text(tmp_path):
    def mutate(data: dict[str, Any]) -> None:
        data["materials"][0]["commitment_allowed"] = True

    write_variant(tmp_path, mutate)
    assert "commitment_text" in refusal(tmp_path)
