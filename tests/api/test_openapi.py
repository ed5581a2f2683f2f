"""The OpenAPI document is valid and tells a client generator what it needs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from workflows.definitions import WORKFLOWS

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def document(app) -> dict:
    response = app.test_client().get("/api/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                yield method.upper(), path, operation


def test_document_is_valid_openapi_3(document):
    assert document["openapi"].startswith("3.")
    validate(document)


def test_every_operation_has_a_stable_id_and_a_chinese_description(document):
    fix = "describe it with @blp.operation(...) of app.api.docs.Blueprint"
    ids = [op.get("operationId") for _, _, op in operations(document)]
    assert len(ids) == len(set(ids)), "operationIds must be unique"
    for method, path, operation in operations(document):
        assert operation.get("operationId"), (method, path, fix)
        assert CHINESE.search(operation.get("summary", "")), (method, path, fix)
        assert CHINESE.search(operation.get("description", "")), (method, path, fix)


def test_protected_operations_say_so_and_document_401(document):
    for method, path, operation in operations(document):
        if "401" in operation["responses"] and operation.get("security"):
            assert operation["security"] == [{"bearerAuth": []}]
        if operation.get("security"):
            assert "401" in operation["responses"], (method, path)
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    public = {path for _, path, op in operations(document) if not op.get("security")}
    assert "/api/v1/verify/{number}" in public and "/api/v1/permit-types" in public


def test_errors_are_problems(document):
    problem = document["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "code", "errors"}
    assert "Error" not in document["components"]["schemas"]
    for _, path, operation in operations(document):
        for status, response in operation["responses"].items():
            if "$ref" in response:
                name = response["$ref"].rsplit("/", 1)[1]
                response = document["components"]["responses"][name]
            if status == "default" or status >= "400":
                assert list(response["content"]) == ["application/problem+json"], (path, status)
                schema = response["content"]["application/problem+json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Problem"}


def test_action_body_is_one_schema_per_action(document):
    schemas = document["components"]["schemas"]
    body = document["paths"]["/api/v1/applications/{application_id}/actions"]["post"]
    request = body["requestBody"]["content"]["application/json"]["schema"]
    assert request == {"$ref": "#/components/schemas/ActionRequest"}
    union = schemas["ActionRequest"]
    assert union["discriminator"]["propertyName"] == "action"
    actions = {t.action for w in WORKFLOWS.values() for t in w.transitions}
    assert set(union["discriminator"]["mapping"]) == actions
    assert len(union["oneOf"]) == len(actions)
    verify = schemas["VerifyMaterialAction"]
    assert verify["properties"]["verdict"]["enum"] == ["ok", "rejected"]
    assert set(verify["required"]) == {"action", "material", "verdict"}
    assert "审查员" in verify["description"]
    assert schemas["RequestSupplementAction"]["properties"]["missing_materials"]["type"] == "array"
    assert schemas["ScheduleInspectionAction"]["properties"]["date"]["format"] == "date"
    assert schemas["RecommendAction"]["properties"]["recommendation"]["enum"] == ["approve", "deny"]
    assert set(schemas["DispatchAction"]["required"]) == {"action", "carrier", "tracking_no"}
    assert "comment" in schemas["DenyAction"]["required"]


def test_upload_is_one_multipart_body_with_material_and_file(document):
    operation = document["paths"]["/api/v1/applications/{application_id}/documents"]["post"]
    assert all(p.get("in") != "formData" for p in operation.get("parameters", []))
    schema = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    upload = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    assert upload["properties"]["file"] == {
        **upload["properties"]["file"],
        "type": "string",
        "format": "binary",
    }
    assert set(upload["required"]) == {"material", "file"}


def test_headers_webhook_body_and_binary_responses_are_documented(document):
    parameters = document["components"]["parameters"]
    assert {p["name"] for p in parameters.values()} >= {
        "Idempotency-Key",
        "If-Match",
        "X-Signature",
    }
    paths = document["paths"]
    refs = lambda op: {p.get("$ref", "").rsplit("/", 1)[-1] for p in op.get("parameters", [])}  # noqa: E731
    assert "IdempotencyKey" in refs(paths["/api/v1/applications"]["post"])
    assert {"IdempotencyKey", "IfMatch"} <= refs(
        paths["/api/v1/applications/{application_id}/actions"]["post"]
    )
    hook = paths["/api/v1/webhooks/courier/{carrier}"]["post"]
    assert "XSignature" in refs(hook)
    report = hook["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(document["components"]["schemas"][report]["required"]) == {
        "tracking_no",
        "status",
        "at",
    }

    def media(path: str) -> set[str]:
        return set(paths[path]["get"]["responses"]["200"]["content"])

    assert media("/api/v1/licences/{licence_id}/pdf") == {"application/pdf"}
    assert media("/api/v1/applications/{application_id}/shipment/label.pdf") == {"application/pdf"}
    assert media("/api/v1/pki/ca.pem") == {"application/x-pem-file"}
    assert "image/png" in media(
        "/api/v1/applications/{application_id}/documents/{document_id}/content"
    )


def test_permit_types_are_typed_with_their_form_schemas(document):
    schemas = document["components"]["schemas"]
    detail = document["paths"]["/api/v1/permit-types/{code}"]["get"]["responses"]["200"]
    name = detail["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    form_schema = schemas[name]["properties"]["form_schema"]
    assert form_schema["type"] == "object"
    assert form_schema["additionalProperties"]["type"] == "object"
    assert "materials" in schemas[name]["properties"]


def test_every_problem_response_lists_its_codes(document):
    """A client switches on ``code``: each operation lists the codes it may answer."""
    common = {
        "422": {"TEXT_INVALID", "INTEGER_OUT_OF_RANGE"},  # the request guards, on any query
    }
    for method, path, operation in operations(document):
        responses = operation["responses"]
        for status, response in responses.items():
            if status.startswith(("4", "5")):
                codes = response["x-problem-codes"]
                assert codes and all(re.fullmatch(r"[A-Z][A-Z0-9_]*", c) for c in codes)
        for status, codes in common.items():
            assert codes <= set(responses[status]["x-problem-codes"]), (method, path)
        if operation["security"]:
            assert {"AUTH_REQUIRED", "TOKEN_INVALID"} <= set(responses["401"]["x-problem-codes"])
    default = document["components"]["responses"]["DEFAULT_ERROR"]
    assert default["x-problem-codes"] == ["INTERNAL_ERROR"]
    paths = document["paths"]
    codes = lambda path, method, status: paths[path][method]["responses"][status]["x-problem-codes"]  # noqa: E731
    assert "VERSION_REQUIRED" in codes("/api/v1/applications/{application_id}", "patch", "422")
    upload = "/api/v1/applications/{application_id}/documents"
    assert "MATERIAL_UNKNOWN" in codes(upload, "post", "422")
    assert "APPLICATION_NOT_FOUND" in codes(upload, "post", "404")
    assert "IDEMPOTENCY_KEY_REUSED" in codes(upload, "post", "422")


def test_public_operations_say_so_and_the_server_is_named(document):
    for method, path, operation in operations(document):
        assert operation["security"] in ([], [{"bearerAuth": []}]), (method, path)
    public = {path for _, path, op in operations(document) if op["security"] == []}
    assert {"/api/v1/health", "/api/v1/auth/wechat", "/api/v1/verify/{number}"} <= public
    assert document["servers"] == [{"url": "/", "description": "本服务（与本文档同源）"}]


def test_every_json_answer_goes_through_its_documented_schema():
    """No view sends a dict past ``@blp.response`` (``jsonify``): the schema dumps every body."""
    api = Path(__file__).resolve().parents[2] / "app" / "api"
    bypasses = [p.name for p in api.glob("*.py") if "jsonify" in p.read_text(encoding="utf-8")]
    assert bypasses == []
