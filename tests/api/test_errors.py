"""Every error is a Chinese problem document with a stable code; never HTML, never a 500."""

from __future__ import annotations


def test_unknown_route_is_a_problem(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["code"] == "NOT_FOUND" and body["status"] == 404 and body["title"]


def test_wrong_method_is_405_problem(client):
    response = client.delete("/api/v1/health")
    assert response.status_code == 405
    assert response.get_json()["code"] == "METHOD_NOT_ALLOWED"


def test_malformed_json_is_400(client):
    response = client.post("/api/v1/auth/wechat", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["code"] == "MALFORMED_JSON"


def test_wrong_media_type_is_415(client):
    response = client.post(
        "/api/v1/auth/wechat", data="code=abc", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert response.get_json()["code"] == "UNSUPPORTED_MEDIA_TYPE"


def test_oversized_json_is_413(client, app):
    app.config["MAX_JSON_BYTES"] = 1024
    response = client.post("/api/v1/auth/wechat", json={"code": "x" * 5000})
    assert response.status_code == 413
    assert response.get_json()["code"] == "PAYLOAD_TOO_LARGE"


def test_pagination_limits_are_validated(client, make):
    auth = make.headers(make.applicant())
    response = client.get("/api/v1/applications?page_size=101", headers=auth)
    assert response.status_code == 422
    assert "page_size" in response.get_json()["errors"]


def test_health_reports_database(client):
    assert client.get("/api/v1/health").get_json() == {"status": "ok", "database": "ok"}


def test_openapi_and_docs_work_offline(client):
    spec = client.get("/api/openapi.json")
    assert spec.status_code == 200
    paths = spec.get_json()["paths"]
    assert "/api/v1/applications/{application_id}/actions" in paths
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    page = docs.get_data(as_text=True)
    assert "/api/docs/assets/" in page
    assert "cdn" not in page.lower() and "unpkg" not in page.lower()
    assert client.get("/api/docs/assets/swagger-ui-bundle.js", buffered=True).status_code == 200
    assert client.get("/api/docs/assets/swagger-ui.css", buffered=True).status_code == 200
