"""Who gets into the console and what they may see: sessions, CSRF, regions, applicants,
deactivated and reset accounts, idle timeout."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import FROZEN_NOW
from tests.console.conftest import csrf_of
from tests.factories import STAFF_PASSWORD


@pytest.fixture
def delivered_case(client, make, office, drive, submitted):
    """A Tianjin case taken all the way to delivery over the API, with its licence."""
    from tests.conftest import verify_all

    view = drive(
        submitted,
        ("clerk", "accept"),
        ("reviewer", "start_review"),
        *verify_all(submitted),
        ("reviewer", "schedule_inspection", {"date": "2026-11-25"}),
        ("inspector", "record_inspection", {"result": "pass"}),
        ("reviewer", "recommend", {"recommendation": "approve"}),
        ("approver", "approve"),
        ("dispatcher", "dispatch", {"carrier": "sf", "tracking_no": "SF0001"}),
    )
    return view


def _case_urls(app, client, office, view: dict) -> list[tuple[str, str]]:
    """Every console URL that names the case (walked from the URL map), with its method."""
    notices = client.get(
        f"/api/v1/applications/{view['id']}/notices", headers=office.applicant
    ).get_json()["items"]
    values = {
        "application_id": view["id"],
        "document_id": view["materials"][0]["documents"][0]["id"],
        "licence_id": view["issued_licence_id"],
        "notice_id": notices[0]["id"],
    }
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("console.") or not (
            rule.arguments & {"application_id", "licence_id"}
        ):
            continue
        path = rule.build({k: values[k] for k in rule.arguments})[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            urls.append((method, path))
    return urls


def test_staff_of_another_region_get_404_on_every_console_url_of_the_case(
    app, client, office, make, login, delivered_case, frozen_now
):
    every_role = ["clerk", "reviewer", "inspector", "approver", "dispatcher", "admin"]
    shanghai = login(make.staff(every_role, "310000"))
    urls = _case_urls(app, client, office, delivered_case)
    assert len(urls) >= 6, urls
    token = csrf_of(shanghai, "/console/queue")
    for method, path in urls:
        if method == "GET":
            response = shanghai.get(path)
        else:
            response = shanghai.post(path, data={"csrf_token": token, "action": "x"})
        assert response.status_code == 404, (method, path, response.status_code)
        assert "找不到页面" in response.get_data(as_text=True)
    tianjin = login(make.staff(every_role, "120000"))
    for method, path in urls:
        if method == "GET":
            response = tianjin.get(path)
            response.close()  # streamed files
            assert response.status_code == 200, path


def test_the_case_page_shows_what_a_reviewer_needs(client, make, login, office, submitted):
    clerk = login(make.staff("clerk", "120000"))
    page = clerk.get(f"/console/cases/{submitted['id']}").get_data(as_text=True)
    enterprise = client.get(
        f"/api/v1/enterprises/{office.enterprise_id}", headers=office.applicant
    ).get_json()
    assert enterprise["credit_code"] in page
    assert "经营方式" in page  # a form title from the permit type's schema
    assert "13912345678" not in page and "5678" in page  # delivery phone masked
    assert "流转记录" in page and "提交" in page
    for material in submitted["materials"]:
        assert material["name"] in page
    for label in ("受理", "不予受理", "一次性告知补正"):
        assert f">{label}</button>" in page
    assert ">准予许可</button>" not in page


def test_a_form_posted_without_its_csrf_token_is_refused(make, login, submitted, client, office):
    clerk = login(make.staff("clerk", "120000"))
    response = clerk.post(
        f"/console/cases/{submitted['id']}/actions",
        data={"action": "accept", "version": submitted["version"]},
    )
    assert response.status_code == 400
    assert "安全令牌" in response.get_data(as_text=True)
    wrong = clerk.post(
        f"/console/cases/{submitted['id']}/actions",
        data={"action": "accept", "version": submitted["version"], "csrf_token": "forged"},
    )
    assert wrong.status_code == 400
    view = client.get(f"/api/v1/applications/{submitted['id']}", headers=office.applicant)
    assert view.get_json()["state"] == "submitted"


@pytest.mark.parametrize(
    "path", ["/console/queue", "/console/licences", "/console/dispatch", "/console/admin/staff"]
)
def test_an_applicants_token_opens_no_console_page(client, office, path):
    response = client.get(path, headers=office.applicant)
    assert response.status_code == 302
    assert "/console/login" in response.headers["Location"]


def test_an_applicant_cannot_log_in_to_the_console(app, client, office, make):
    user = make.applicant("console-intruder")
    response = client.post(
        "/console/login",
        data={"username": user.openid or "", "password": "x", "csrf_token": csrf_of(client)},
    )
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_the_session_cookie_is_httponly_and_samesite(client, make):
    user = make.staff("clerk", "120000")
    response = client.post(
        "/console/login",
        data={"username": user.username, "password": STAFF_PASSWORD, "csrf_token": csrf_of(client)},
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_deactivated_user_is_logged_out_and_cannot_log_in(app, client, make, login, runner):
    user = make.staff("clerk", "120000")
    session = login(user)
    token = client.post(
        "/api/v1/auth/staff", json={"username": user.username, "password": STAFF_PASSWORD}
    ).get_json()["token"]
    result = runner.invoke(args=["staff", "deactivate", "--username", user.username])
    assert result.exit_code == 0, result.output
    assert session.get("/console/queue").status_code == 302
    again = client.post(
        "/console/login",
        data={"username": user.username, "password": STAFF_PASSWORD, "csrf_token": csrf_of(client)},
    )
    assert again.status_code == 401
    api = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 401
    relogin = client.post(
        "/api/v1/auth/staff", json={"username": user.username, "password": STAFF_PASSWORD}
    )
    assert relogin.status_code == 401


def test_the_login_is_throttled_like_the_api(client, make):
    user = make.staff("clerk", "120000")
    for _ in range(5):
        client.post(
            "/console/login",
            data={"username": user.username, "password": "wrong", "csrf_token": csrf_of(client)},
        )
    blocked = client.post(
        "/console/login",
        data={"username": user.username, "password": STAFF_PASSWORD, "csrf_token": csrf_of(client)},
    )
    assert blocked.status_code == 429
    api = client.post(
        "/api/v1/auth/staff", json={"username": user.username, "password": STAFF_PASSWORD}
    )
    assert api.status_code == 429


def test_an_idle_session_ends_after_thirty_minutes(make, login, frozen_now):
    session = login(make.staff("clerk", "120000"))
    frozen_now(FROZEN_NOW + timedelta(minutes=20))
    assert session.get("/console/queue").status_code == 200
    frozen_now(FROZEN_NOW + timedelta(minutes=51))
    response = session.get("/console/queue")
    assert response.status_code == 302
    page = session.get(response.headers["Location"]).get_data(as_text=True)
    assert "自动退出" in page


def test_a_password_reset_ends_open_sessions(make, login, runner):
    user = make.staff("clerk", "120000")
    session = login(user)
    result = runner.invoke(
        args=[
            "staff",
            "reset-password",
            "--username",
            user.username,
            "--password",
            "new-secret-42",
        ],
    )
    assert result.exit_code == 0, result.output
    assert session.get("/console/queue").status_code == 302
    assert login(user, "new-secret-42").get("/console/queue").status_code == 200


def test_logout_ends_the_session(make, login):
    session = login(make.staff("clerk", "120000"))
    token = csrf_of(session, "/console/queue")
    assert session.post("/console/logout", data={"csrf_token": token}).status_code == 302
    assert session.get("/console/queue").status_code == 302


def test_pages_need_their_role(make, login):
    clerk = login(make.staff("clerk", "120000"))
    for path in ("/console/dispatch", "/console/admin/staff", "/console/dashboard"):
        assert clerk.get(path).status_code == 403, path


def test_an_unknown_console_address_is_an_html_404(client):
    response = client.get("/console/nowhere")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_the_console_loads_no_external_asset(client):
    response = client.get("/console/login")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    page = response.get_data(as_text=True)
    assert "http://" not in page and "https://" not in page
    for asset in ("console.css", "console.js"):
        response = client.get(f"/console/static/{asset}")
        response.close()
        assert response.status_code == 200
