"""Working in the console: supplement requests, stale pages, dispatch, licences, the
expiring report, the dashboard and administration."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from app.domain.outbox import enqueue
from app.extensions import db
from app.jobs import outbox_delivery
from app.licences import documents as licence_documents
from app.schemas.notification import TOPIC_LABELS
from tests.console.conftest import csrf_of


def _post(client, path: str, data: dict, page: str):
    return client.post(path, data={**data, "csrf_token": csrf_of(client, page)})


def test_a_supplement_request_lists_every_chosen_material_with_its_reason(
    client, make, login, office, submitted
):
    clerk = login(make.staff("clerk", "120000"))
    first, second = submitted["materials"][0], submitted["materials"][1]
    page = f"/console/cases/{submitted['id']}"
    response = clerk.post(
        f"{page}/actions",
        data={
            "csrf_token": csrf_of(clerk, page),
            "action": "request_supplement",
            "version": submitted["version"],
            "missing_materials": [first["code"], second["code"]],
            f"reason:{first['code']}": "盖章不清晰",
            f"reason:{second['code']}": "已过期",
            "comment": "请一并补正以下材料",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    view = client.get(f"/api/v1/applications/{submitted['id']}", headers=office.applicant)
    request = view.get_json()["supplement_request"]
    assert request["materials"] == [first["code"], second["code"]]
    assert f"{first['name']}：盖章不清晰" in request["comment"]
    assert f"{second['name']}：已过期" in request["comment"]
    timeline = client.get(
        f"/api/v1/applications/{submitted['id']}/timeline", headers=office.applicant
    ).get_json()["items"]
    assert timeline[-1]["action"] == "request_supplement"
    assert timeline[-1]["role"] == "clerk"


def test_a_stale_page_keeps_the_decision_and_says_so(client, make, login, office, submitted):
    clerk = login(make.staff("clerk", "120000"))
    page = f"/console/cases/{submitted['id']}"
    token = csrf_of(clerk, page)
    # Someone else changes the case after the page was opened.
    other = make.headers(make.staff("clerk", "120000"))
    make.act(
        client,
        other,
        submitted,
        "request_supplement",
        missing_materials=[submitted["materials"][0]["code"]],
        comment="缺",
    )
    response = clerk.post(
        f"{page}/actions",
        data={
            "csrf_token": token,
            "action": "reject",
            "version": submitted["version"],
            "comment": "不属于本机关职权范围",
        },
    )
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "已被他人更新" in text
    view = client.get(f"/api/v1/applications/{submitted['id']}", headers=office.applicant)
    assert view.get_json()["state"] == "supplement_required"


def test_a_refused_action_shows_the_engines_reason_and_keeps_the_input(make, login, submitted):
    clerk = login(make.staff("clerk", "120000"))
    page = f"/console/cases/{submitted['id']}"
    response = clerk.post(
        f"{page}/actions",
        data={
            "csrf_token": csrf_of(clerk, page),
            "action": "reject",
            "version": submitted["version"],
            "comment": "",
        },
    )
    assert response.status_code == 409
    assert "请填写理由" in response.get_data(as_text=True)


def test_the_queue_orders_by_deadline_and_filters(make, login, office, submitted):
    clerk = login(make.staff("clerk", "120000"))
    page = clerk.get("/console/queue").get_data(as_text=True)
    assert submitted["number"] in page
    assert "已提交待受理 <b>1</b>" in page
    assert submitted["number"] not in clerk.get("/console/queue?state=accepted").get_data(
        as_text=True
    )
    assert submitted["number"] not in clerk.get("/console/queue?overdue=1").get_data(as_text=True)
    assert submitted["number"] not in clerk.get(
        "/console/queue?permit_type=fireworks-wholesale"
    ).get_data(as_text=True)


def test_every_case_of_the_region_is_listed_but_not_anothers(make, login, submitted):
    tianjin = login(make.staff("inspector", "120000"))
    assert submitted["number"] in tianjin.get("/console/cases").get_data(as_text=True)
    shanghai = login(make.staff("inspector", "310000"))
    assert submitted["number"] not in shanghai.get("/console/cases").get_data(as_text=True)


def test_the_expiring_report_neutralises_formulas_in_its_csv(make, login):
    holder = make.enterprise(None, region="120101", name='=HYPERLINK("http://x")')
    make.licence(holder, valid_from="2024-01-01", valid_until="2027-01-15")
    staff = login(make.staff("clerk", "120000"))
    page = staff.get("/console/expiring?days=90").get_data(as_text=True)
    assert "未申请" in page
    response = staff.get("/console/expiring.csv?days=90")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "许可证编号"
    assert rows[1][2].startswith("'=")


def test_licences_are_found_by_credit_code_and_revoked_with_a_reason(client, make, login):
    holder = make.enterprise(None, region="120101")
    licence = make.licence(holder)
    approver = login(make.staff("approver", "120000"))
    found = approver.get(f"/console/licences?q={holder.credit_code}").get_data(as_text=True)
    assert licence.number in found
    page = f"/console/licences/{licence.id}"
    refused = _post(approver, f"{page}/revoke", {"comment": "", "version": 1}, page)
    assert refused.status_code == 409
    done = _post(approver, f"{page}/revoke", {"comment": "以欺骗手段取得", "version": 1}, page)
    assert done.status_code == 302
    assert "已吊销" in approver.get(page).get_data(as_text=True)


def test_the_dashboard_shows_the_stats_figures(make, login):
    head = login(make.staff(["admin"], "120000"))
    page = head.get("/console/dashboard?from=2026-01-01&to=2026-11-23").get_data(as_text=True)
    assert "按时办结率" in page and "零跑动率" in page
    other = head.get("/console/dashboard?region=310000").get_data(as_text=True)
    assert "不在您的管辖范围" in other


def test_an_admin_creates_and_deactivates_staff_in_the_console(client, make, login):
    admin = login(make.staff("admin", "120000"))
    page = "/console/admin/staff"
    listing = admin.get(page).get_data(as_text=True)
    assert all(role in listing for role in ("受理员", "审查员", "核查员", "送达员"))
    created = _post(
        admin,
        page,
        {
            "username": "new-clerk",
            "password": "long-enough-1",
            "roles": ["clerk"],
            "region": "120101",
        },
        page,
    )
    assert created.status_code == 302
    outside = _post(
        admin,
        page,
        {
            "username": "sh-clerk",
            "password": "long-enough-1",
            "roles": ["clerk"],
            "region": "310000",
        },
        page,
    )
    assert outside.status_code == 422
    from app.services.staff_accounts import find_staff

    user = find_staff("new-clerk")
    _post(admin, f"{page}/{user.id}", {"op": "deactivate"}, page)
    login_page = client.post(
        "/console/login",
        data={"username": "new-clerk", "password": "long-enough-1", "csrf_token": csrf_of(client)},
    )
    assert login_page.status_code == 401


def test_a_holiday_schedule_is_checked_before_it_is_loaded(app, make, login, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "HOLIDAY_SCHEDULE_DIR", str(tmp_path))
    admin = login(make.staff("admin", "120000"))
    page = "/console/admin/holidays"
    bad = admin.post(
        page,
        data={
            "csrf_token": csrf_of(admin, page),
            "year": "2027",
            "file": (io.BytesIO(b"year: 2028\nholidays: []\n"), "2027.yaml"),
        },
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422
    assert not (tmp_path / "2027.yaml").exists()
    good = admin.post(
        page,
        data={
            "csrf_token": csrf_of(admin, page),
            "year": "2027",
            "file": (
                io.BytesIO(
                    "year: 2027\nsource: 通知\nholidays:\n  - 2027-01-01\nworkdays: []\n".encode()
                ),
                "2027.yaml",
            ),
        },
        content_type="multipart/form-data",
    )
    assert good.status_code == 200, good.get_data(as_text=True)
    assert "2027 年节假日安排已载入" in good.get_data(as_text=True)
    assert (tmp_path / "2027.yaml").exists()


def test_the_staff_cli_lists_and_rejects_unknown_users(runner, make):
    make.staff("clerk", "120000", username="alice")
    listed = runner.invoke(args=["staff", "list"])
    assert "alice" in listed.output and "在用" in listed.output
    missing = runner.invoke(args=["staff", "deactivate", "--username", "nobody"])
    assert missing.exit_code == 1
    short = runner.invoke(
        args=["staff", "reset-password", "--username", "alice", "--password", "short"]
    )
    assert short.exit_code == 1


def test_a_licence_page_offers_the_sealed_ofd_of_the_staff_members_region_only(make, login):
    holder = make.enterprise(None, region="120101")
    licence = make.licence(holder)
    licence_documents.render_missing_pdfs()
    reviewer = login(make.staff("reviewer", "120000"))
    page = reviewer.get(f"/console/licences/{licence.id}").get_data(as_text=True)
    assert "下载国家标准电子证照（OFD" in page
    ofd = reviewer.get(f"/console/licences/{licence.id}/ofd")
    assert ofd.status_code == 200 and ofd.mimetype == "application/ofd"
    assert f'filename="{licence.identifier}.ofd"' in ofd.headers["Content-Disposition"]
    elsewhere = login(make.staff("reviewer", "310000"))
    assert elsewhere.get(f"/console/licences/{licence.id}/ofd").status_code == 404


def _topics_the_code_sends() -> set[str]:
    """Every notification topic a module of app/ names when it enqueues a message."""
    patterns = (
        re.compile(r'\btopic="([a-z_]+)"'),
        re.compile(r'^TOPIC = "([a-z_]+)"', re.MULTILINE),
        re.compile(r'enqueue\(\s*[\w.]+,\s*"([a-z_]+)"'),
    )
    root = Path(__file__).resolve().parents[2] / "app"
    return {
        topic
        for path in root.rglob("*.py")
        for pattern in patterns
        for topic in pattern.findall(path.read_text(encoding="utf-8"))
    }


def test_the_alerts_page_names_every_topic_in_chinese(make, login):
    sent = _topics_the_code_sends()
    assert {"case_returned", "urge", "deadline", "rating_overdue"} <= sent
    assert sent <= set(TOPIC_LABELS)
    staff = make.staff("reviewer", "120000")
    for topic in TOPIC_LABELS:
        enqueue(staff.id, topic, f"提醒 {len(topic)}", "内容")
    db.session.commit()
    outbox_delivery.drain()

    page = login(staff).get("/console/alerts").get_data(as_text=True)
    shown = set(re.findall(r'<span class="tag">([^<]*)</span>', page))
    assert shown == set(TOPIC_LABELS.values())
    assert "case_returned" not in page and "rating_overdue" not in page
