"""A licence's status in words a person reads (status_label), including 未生效 (pending)."""

from __future__ import annotations

import pytest

# The frozen office clock stands on 2026-11-23.
CASES = [
    ("2026-12-01", "2029-11-30", None, "pending", "未生效"),
    ("2024-02-01", "2028-01-31", None, "active", "有效"),
    ("2024-02-01", "2027-01-31", None, "expiring", "即将到期"),
    ("2023-02-01", "2026-01-31", None, "expired", "已过期"),
    ("2024-02-01", "2027-01-31", "superseded", "superseded", "已被替代"),
    ("2024-02-01", "2028-01-31", "revoked", "revoked", "已吊销"),
]


@pytest.mark.parametrize(("valid_from", "valid_until", "terminal", "status", "label"), CASES)
def test_each_status_has_its_chinese_label(
    frozen_now, client, make, valid_from, valid_until, terminal, status, label
):
    user = make.applicant()
    firm = make.enterprise(user)
    licence = make.licence(
        firm, valid_from=valid_from, valid_until=valid_until, terminal_status=terminal
    )
    auth = make.headers(user)
    shown = client.get(f"/api/v1/licences/{licence.id}", headers=auth).get_json()
    assert (shown["status"], shown["status_label"]) == (status, label)
    listed = client.get(f"/api/v1/licences?status={status}", headers=auth).get_json()
    assert [item["id"] for item in listed["items"]] == [licence.id]
    assert listed["items"][0]["status_label"] == label
