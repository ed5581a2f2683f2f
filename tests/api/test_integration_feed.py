"""The event feed as a provincial platform's adapter uses it: client tokens, scopes, cursor."""

from __future__ import annotations

import json
import logging
import re

import pytest

from app.extensions import db
from app.licences.lifecycle import supersede_ended_licences
from app.services import api_clients

EVENTS = "/api/v1/events"
ALL_SCOPES = ["events:read", "licences:read", "cases:read"]


@pytest.fixture
def machine(client, app):
    """Create a client with ``scopes`` and return its bearer headers (and the client)."""

    def build(*scopes: str):
        record, secret = api_clients.create_client("省政务服务平台", list(scopes))
        response = client.post(
            "/api/v1/auth/client",
            json={"client_id": record.client_id, "client_secret": secret},
        )
        assert response.status_code == 200, response.get_json()
        return {"Authorization": f"Bearer {response.get_json()['token']}"}, record

    return build


def feed(client, headers, **query):
    return client.get(EVENTS, query_string=query, headers=headers)


def test_a_case_from_submission_to_licence_reaches_the_feed_in_order(client, machine, approved):
    headers, _ = machine(*ALL_SCOPES)
    response = feed(client, headers, limit=100)
    assert response.status_code == 200
    body = response.get_json()
    types = [item["type"] for item in body["items"]]
    assert types == [
        "cn.zerovisit.case.submitted",
        "cn.zerovisit.case.accepted",
        "cn.zerovisit.licence.issued",
        "cn.zerovisit.case.decided",
    ]
    submitted, _, issued, decided = body["items"]
    assert {k: submitted[k] for k in ("specversion", "datacontenttype", "source")} == {
        "specversion": "1.0",
        "datacontenttype": "application/json",
        "source": "urn:zerovisit:11120000MB00000000",
    }
    assert submitted["subject"] == approved["number"]
    assert submitted["time"].endswith("+08:00")
    assert submitted["data"]["item_code"] and submitted["data"]["implementation_code"]
    assert submitted["data"]["enterprise"]["credit_code"]
    assert decided["data"]["outcome"] == "approved"
    assert issued["data"]["number"] == issued["subject"]
    assert issued["data"]["application_id"] == approved["id"]
    assert body["next"]
    # Nothing new: the same cursor comes back and no event repeats.
    again = feed(client, headers, after=body["next"]).get_json()
    assert again == {"items": [], "next": body["next"]}


def test_paging_by_cursor_sees_each_event_once(client, machine, approved):
    headers, _ = machine(*ALL_SCOPES)
    seen, after = [], ""
    for _ in range(10):
        page = feed(client, headers, after=after, limit=1).get_json()
        if not page["items"]:
            break
        seen += [item["id"] for item in page["items"]]
        after = page["next"]
    assert len(seen) == 4 and len(set(seen)) == 4
    assert [int(i) for i in seen] == sorted(int(i) for i in seen)


def test_types_filter_and_bad_input(client, machine, approved):
    headers, _ = machine(*ALL_SCOPES)
    only = feed(client, headers, types="cn.zerovisit.licence.issued").get_json()["items"]
    assert [item["type"] for item in only] == ["cn.zerovisit.licence.issued"]
    bad_type = feed(client, headers, types="cn.zerovisit.case.nope")
    assert bad_type.status_code == 422 and bad_type.get_json()["code"] == "EVENT_TYPE_UNKNOWN"
    bad_cursor = feed(client, headers, after="yesterday")
    assert bad_cursor.status_code == 422 and bad_cursor.get_json()["code"] == "CURSOR_INVALID"
    assert "游标" in bad_cursor.get_json()["detail"]
    assert feed(client, headers, limit=0).status_code == 422


def test_without_licences_read_licence_events_are_refused(client, machine, approved):
    headers, _ = machine("events:read")
    refused = feed(client, headers, types="cn.zerovisit.licence.issued")
    assert refused.status_code == 403
    assert refused.get_json()["code"] == "SCOPE_MISSING"
    assert "licences:read" in refused.get_json()["detail"]
    items = feed(client, headers).get_json()["items"]
    assert [i["type"] for i in items] == [
        "cn.zerovisit.case.submitted",
        "cn.zerovisit.case.accepted",
        "cn.zerovisit.case.decided",
    ]
    # Without cases:read the enterprise behind the case is not shown either.
    assert all("enterprise" not in item["data"] for item in items)
    assert all(item["data"]["item_code"] for item in items)


def test_events_read_is_needed_at_all(client, machine):
    headers, _ = machine("licences:read")
    response = feed(client, headers)
    assert response.status_code == 403 and response.get_json()["code"] == "SCOPE_MISSING"


def test_a_revoked_client_is_refused_at_once(client, machine, app, runner):
    headers, record = machine(*ALL_SCOPES)
    assert feed(client, headers).status_code == 200
    result = runner.invoke(args=["clients", "revoke", record.client_id])
    assert result.exit_code == 0, result.output
    response = feed(client, headers)
    assert response.status_code == 401 and response.get_json()["code"] == "CLIENT_REVOKED"


def test_people_cannot_use_the_feed(client, make, office):
    for person in (office.applicant, office["admin"], office["approver"]):
        response = feed(client, person)
        assert response.status_code == 403
        assert response.get_json()["code"] == "CLIENT_TOKEN_REQUIRED"
    assert feed(client, {}).status_code == 401
    forged = feed(client, {"Authorization": "Bearer not-a-token"})
    assert forged.status_code == 401 and forged.get_json()["code"] == "TOKEN_INVALID"


def test_a_client_token_is_no_person_token(client, machine):
    headers, _ = machine(*ALL_SCOPES)
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_wrong_secrets_are_refused_then_throttled(client, machine, app):
    _, record = machine("events:read")
    app.config["CLIENT_LOGIN_LIMIT"] = "3 per minute"
    body = {"client_id": record.client_id, "client_secret": "guess"}
    codes = [client.post("/api/v1/auth/client", json=body).status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    unknown = client.post("/api/v1/auth/client", json={"client_id": "x", "client_secret": "y"})
    assert unknown.status_code == 429  # the same address keeps being throttled


def test_each_client_has_its_own_rate_limit(client, machine, app):
    first, _ = machine("events:read")
    second, _ = machine("events:read")
    app.config["CLIENT_RATE_LIMIT"] = "2 per minute"
    assert [feed(client, first).status_code for _ in range(3)] == [200, 200, 429]
    assert feed(client, second).status_code == 200


def test_the_access_log_names_the_client(client, machine, caplog):
    headers, record = machine("events:read")
    with caplog.at_level(logging.INFO, logger="zerovisit.access"):
        feed(client, headers)
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "zerovisit.access"]
    assert lines[-1]["client_id"] == record.client_id
    assert lines[-1]["route"] == EVENTS


def test_ratings_and_revocations_are_events(client, make, machine, approved, office):
    licence_id = approved["licence"]["id"] if approved.get("licence") else None
    if licence_id is None:
        licences = client.get("/api/v1/licences", headers=office.applicant).get_json()["items"]
        licence_id = licences[0]["id"]
    revoked = client.post(
        f"/api/v1/licences/{licence_id}/revoke",
        json={"comment": "以欺骗手段取得许可"},
        headers=office["approver"],
    )
    assert revoked.status_code == 200, revoked.get_json()
    owner = make.applicant()
    case = make.case_in_state(make.enterprise(owner), "delivered", owner)
    rated = client.post(
        f"/api/v1/applications/{case.id}/rating",
        json={"score": 2, "comment": "等待时间太长"},
        headers=make.headers(owner),
    )
    assert rated.status_code == 201, rated.get_json()
    full, _ = machine(*ALL_SCOPES)
    items = feed(client, full, types="cn.zerovisit.licence.revoked,cn.zerovisit.rating.created")
    revocation, rating = items.get_json()["items"]
    assert revocation["data"]["revoke_reason"] == "以欺骗手段取得许可"
    assert rating["data"]["score"] == 2 and rating["data"]["comment"] == "等待时间太长"
    narrow, _ = machine("events:read")
    (only,) = feed(client, narrow, types="cn.zerovisit.rating.created").get_json()["items"]
    assert "comment" not in only["data"]


def test_a_re_rating_after_the_rectification_is_reported_as_updated(client, make, machine):
    owner = make.applicant()
    case = make.case_in_state(make.enterprise(owner), "delivered", owner)
    chief = make.headers(make.staff("chief", "120000"))
    rating_url = f"/api/v1/applications/{case.id}/rating"
    first = {"score": 2, "comment": "补正通知看不懂"}
    assert client.post(rating_url, json=first, headers=make.headers(owner)).status_code == 201
    (opened,) = client.get("/api/v1/rating-cases", headers=chief).get_json()["items"]
    for action, comment in (("contact", "已电话回访"), ("rectify", "补正通知已改写为逐项清单")):
        done = client.post(
            f"/api/v1/rating-cases/{opened['id']}/actions",
            json={"action": action, "comment": comment},
            headers=chief,
        )
        assert done.status_code == 200, done.get_json()
    again = {"score": 4, "comment": "改进很快"}
    assert client.post(rating_url, json=again, headers=make.headers(owner)).status_code == 201

    full, _ = machine(*ALL_SCOPES)
    types = "cn.zerovisit.rating.created,cn.zerovisit.rating.updated"
    created, updated = feed(client, full, types=types).get_json()["items"]
    assert (created["type"], created["data"]["score"]) == ("cn.zerovisit.rating.created", 2)
    assert "first_score" not in created["data"]
    assert updated["type"] == "cn.zerovisit.rating.updated"
    assert updated["subject"] == created["subject"] == case.number
    assert (updated["data"]["score"], updated["data"]["first_score"]) == (4, 2)
    assert updated["data"]["comment"] == "改进很快"
    narrow, _ = machine("events:read")
    (only,) = feed(client, narrow, types="cn.zerovisit.rating.updated").get_json()["items"]
    assert "comment" not in only["data"]


def test_the_catalogue_names_item_and_implementation_codes(client):
    items = client.get("/api/v1/permit-types").get_json()["items"]
    assert all(item["item_code"] and item["implementation_code"] for item in items)


def test_the_clients_cli_creates_lists_and_revokes(client, runner):
    created = runner.invoke(
        args=[
            "clients",
            "create",
            "--name",
            "省平台",
            "--scopes",
            "events:read",
            "cases:read",
        ]
    )
    assert created.exit_code == 0, created.output
    client_id = re.search(r"client_id: (\S+)", created.output).group(1)
    secret = re.search(r"client_secret: (\S+)", created.output).group(1)
    login = {"client_id": client_id, "client_secret": secret}
    assert client.post("/api/v1/auth/client", json=login).status_code == 200
    listed = runner.invoke(args=["clients", "list"])
    assert client_id in listed.output and "events:read cases:read" in listed.output
    assert secret not in listed.output
    assert runner.invoke(args=["clients", "revoke", client_id]).exit_code == 0
    assert "已吊销" in runner.invoke(args=["clients", "list"]).output
    unknown = runner.invoke(args=["clients", "revoke", "zvc_nobody"])
    assert unknown.exit_code == 1 and "没有该客户端" in unknown.output
    bad = runner.invoke(args=["clients", "create", "--name", "x", "--scopes", "admin"])
    assert bad.exit_code == 1 and "权限范围" in bad.output
    both = runner.invoke(
        args=["clients", "create", "--name", "y", "--scopes", "events:read,licences:read"]
    )
    assert both.exit_code == 0 and "events:read licences:read" in both.output


def test_renewed_licences_past_their_end_are_reported_superseded(client, make, machine):
    owner = make.applicant()
    firm = make.enterprise(owner)
    old = make.licence(firm, valid_from="2023-11-01", valid_until="2026-10-31")
    make.licence(firm, valid_from="2026-11-01", valid_until="2029-10-31", supersedes_id=old.id)
    assert supersede_ended_licences() == 1
    db.session.commit()
    headers, _ = machine("events:read", "licences:read")
    (item,) = feed(client, headers, types="cn.zerovisit.licence.superseded").get_json()["items"]
    assert item["subject"] == old.number and item["data"]["valid_until"] == "2026-10-31"
    assert supersede_ended_licences() == 0  # marked once, reported once


def test_the_openapi_document_describes_the_events_and_their_data(client):
    spec = client.get("/api/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    for name in ("EventDataCase", "EventDataLicence", "EventDataRating"):
        assert schemas[name]["type"] == "object" and schemas[name]["properties"]
    assert "item_code" in schemas["EventDataLicence"]["properties"]
    event = schemas["CloudEvent"]
    assert set(event["properties"]["type"]["enum"]) >= {
        "cn.zerovisit.case.submitted",
        "cn.zerovisit.licence.issued",
        "cn.zerovisit.rating.created",
        "cn.zerovisit.rating.updated",
    }
    assert len(event["properties"]["data"]["oneOf"]) == 3
    paths = spec["paths"]
    assert "/api/v1/events" in paths and "/api/v1/auth/client" in paths
    assert "/api/v1/webhook-endpoints/{endpoint_id}/deliveries" in paths
