"""The service modes in the staff console: pre-review comments per material, joint review."""

from __future__ import annotations

from tests.console.conftest import csrf_of


def test_a_clerk_returns_a_pre_review_with_a_comment_per_material(
    client, make, login, office, drive
):
    view = make.create_application(client, office.applicant, office.enterprise_id)
    view = drive(view, ("applicant", "request_pre_review"))
    clerk = login(make.staff("clerk", "120000"))
    page = f"/console/cases/{view['id']}"
    html = clerk.get(page).get_data(as_text=True)
    assert "退回预审意见" in html and "material_comments:" in html
    material = view["materials"][0]
    response = clerk.post(
        f"{page}/actions",
        data={
            "csrf_token": csrf_of(clerk, page),
            "action": "return_pre_review",
            "version": view["version"],
            "comment": "请按意见修改",
            f"material_comments:{material['code']}": "缺少签章页",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    back = client.get(f"/api/v1/applications/{view['id']}", headers=office.applicant).get_json()
    assert back["state"] == "draft"
    assert back["materials"][0]["pre_review_comment"] == "缺少签章页"
    assert "预审意见：缺少签章页" in clerk.get(page).get_data(as_text=True)


def test_the_case_page_shows_the_joint_review_opinions(client, make, login, office, submitted):
    reviewer = make.staff("reviewer", "120000")
    headers = make.headers(reviewer)
    view = submitted
    for role, action, fields in (
        ("clerk", "accept", {}),
        ("reviewer", "start_review", {}),
        ("reviewer", "open_joint_review", {"units": ["120000"]}),
    ):
        response = make.act(client, office[role], view, action, **fields)
        assert response.status_code == 200, response.get_json()
        view = response.get_json()
    response = make.act(
        client, headers, view, "give_opinion", opinion="disagree", comment="资料不全"
    )
    assert response.get_json()["state"] == "under_review"
    html = login(reviewer).get(f"/console/cases/{view['id']}").get_data(as_text=True)
    assert "联合审查单位：天津市" in html and "不同意——资料不全" in html
