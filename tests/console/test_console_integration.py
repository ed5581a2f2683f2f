"""The console's 系统对接 page: an admin creates and revokes machine clients."""

from __future__ import annotations

import re

from tests.console.conftest import csrf_of


def test_an_admin_creates_a_client_sees_the_secret_once_and_revokes_it(app, make, login):
    admin = login(make.staff("admin", "120000"))
    page = "/console/admin/integration"
    token = csrf_of(admin, page)
    created = admin.post(
        f"{page}/clients",
        data={
            "name": "省政务服务平台",
            "scopes": ["events:read", "licences:read"],
            "csrf_token": token,
        },
    )
    html = created.get_data(as_text=True)
    assert created.status_code == 200 and "密钥只显示这一次" in html
    client_id = re.search(r"client_id：<code>(zvc_[0-9a-f]+)</code>", html).group(1)
    secret = re.search(r"client_secret：<code>(zvs_[^<]+)</code>", html).group(1)
    api = app.test_client()
    login_body = {"client_id": client_id, "client_secret": secret}
    assert api.post("/api/v1/auth/client", json=login_body).status_code == 200
    listing = admin.get(page).get_data(as_text=True)
    assert client_id in listing and secret not in listing
    revoked = admin.post(f"{page}/clients/{client_id}/revoke", data={"csrf_token": token})
    assert revoked.status_code == 302
    assert "已吊销" in admin.get(page).get_data(as_text=True)
    refused = api.post("/api/v1/auth/client", json=login_body)
    assert refused.status_code == 401 and refused.get_json()["code"] == "CLIENT_REVOKED"


def test_a_client_needs_a_name_and_known_scopes(make, login):
    admin = login(make.staff("admin", "120000"))
    page = "/console/admin/integration"
    token = csrf_of(admin, page)
    response = admin.post(f"{page}/clients", data={"name": "平台", "csrf_token": token})
    assert response.status_code == 422 and "权限范围" in response.get_data(as_text=True)


def test_only_admins_see_the_page(make, login):
    clerk = login(make.staff("clerk", "120000"))
    assert clerk.get("/console/admin/integration").status_code == 403
