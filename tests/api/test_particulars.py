"""Licence particulars (经营场所, 许可范围 …): imported, asked for, never left empty."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.licences.documents import check_code
from app.licences.register_import import COLUMNS
from app.models import Enterprise, Licence
from permits.catalogue import get_catalogue

PARTICULARS = {
    "business_premises": "天津市和平区南京路100号",
    "storage_address": "天津市滨海新区临港经济区渤海十路8号",
    "trading_mode": "带有储存设施经营",
    "licensed_scope": "易燃液体；腐蚀性物质",
}


def import_one(runner, tmp_path, credit_code: str, particulars: dict[str, str]) -> None:
    values = {
        "number": "津安经〔2024〕000042",
        "permit_type": "hazchem-trading",
        "enterprise_name": "天津老证化工有限公司",
        "credit_code": credit_code,
        "region_code": "120101",
        "legal_representative": "王五",
        "address": "天津市和平区南京路1号",
        "valid_from": "2024-02-01",
        "valid_until": "2027-01-31",
        **particulars,
    }
    header = [*COLUMNS, *particulars]
    path = tmp_path / "register.csv"
    path.write_text(
        ",".join(header) + "\n" + ",".join(values[name] for name in header) + "\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["licences", "import", str(path)])
    assert result.exit_code == 0, result.output


def claim(client, make, credit_code: str) -> tuple[dict, Enterprise, Licence]:
    manager = make.applicant()
    auth = make.headers(manager)
    imported = db.session.query(Licence).filter_by(number="津安经〔2024〕000042").one()
    response = client.post(
        "/api/v1/enterprises",
        headers=auth,
        json={
            "name": "天津老证化工有限公司",
            "credit_code": credit_code,
            "legal_representative": "王五",
            "address": "天津市和平区南京路1号",
            "region_code": "120101",
            "contact_phone": "13800138000",
            # An imported enterprise is claimed with a licence's check code (contract v1.1).
            "claim": {"licence_number": imported.number, "code": check_code(imported)},
        },
    )
    assert response.status_code == 201, response.get_json()
    licence = db.session.query(Licence).filter_by(number="津安经〔2024〕000042").one()
    return auth, licence.enterprise, licence


def renew(client, make, auth, licence, form: dict):
    return client.post(
        "/api/v1/applications",
        headers=auth,
        json={
            "enterprise_id": licence.enterprise_id,
            "permit_type": "hazchem-trading",
            "kind": "renewal",
            "licence_id": licence.id,
            "form": form,
            "delivery": dict(make.DELIVERY),
        },
    )


def approve_directly(client, make, office, auth, view: dict) -> dict:
    view = make.upload_required(client, auth, view)
    for role, action in (("applicant", "submit"), ("clerk", "accept"), ("approver", "approve")):
        headers = auth if role == "applicant" else office[role]
        response = make.act(client, headers, view, action)
        assert response.status_code == 200, (action, response.get_json())
        view = client.get(f"/api/v1/applications/{view['id']}", headers=auth).get_json()
    return view


def test_a_renewal_from_an_imported_licence_carries_every_particular(
    client, make, office, runner, tmp_path
):
    code = make.credit_code("120101")
    import_one(runner, tmp_path, code, PARTICULARS)
    auth, _, licence = claim(client, make, code)
    assert (
        client.get(f"/api/v1/licences/{licence.id}", headers=auth).get_json()["missing_particulars"]
        == []
    )
    response = renew(client, make, auth, licence, {"no_fatal_accident": True})
    assert response.status_code == 201, response.get_json()
    view = approve_directly(client, make, office, auth, response.get_json())
    issued = db.session.get(Licence, view["issued_licence_id"])
    form = issued.holder["form"]
    assert form["business_premises"] == PARTICULARS["business_premises"]
    assert form["storage_address"] == PARTICULARS["storage_address"]
    assert form["trading_mode"] == "带有储存设施经营"
    assert form["licensed_scope"] == ["易燃液体", "腐蚀性物质"]
    assert form["principal"] == "王五"


def test_a_renewal_asks_for_the_particulars_an_imported_licence_lacks(
    client, make, office, runner, tmp_path
):
    code = make.credit_code("120101")
    import_one(runner, tmp_path, code, {})
    auth, _, licence = claim(client, make, code)
    shown = client.get(f"/api/v1/licences/{licence.id}", headers=auth).get_json()
    assert {item["label"] for item in shown["missing_particulars"]} >= {"经营场所", "许可范围"}
    draft = renew(client, make, auth, licence, {"no_fatal_accident": True})
    assert draft.status_code == 201, draft.get_json()
    view = make.upload_required(client, auth, draft.get_json())
    errors = view["form_errors"]
    assert errors["form.business_premises"] == ["原许可证未记载经营场所，请填写"]
    assert "form.licensed_scope" in errors and "form.trading_mode" in errors
    assert "submit" not in view["actions"]
    refused = make.act(client, auth, view, "submit")
    assert refused.status_code == 409 and refused.get_json()["code"] == "FORM_INCOMPLETE"
    form = {
        "no_fatal_accident": True,
        "trading_mode": "无储存设施经营",
        "business_premises": "天津市和平区南京路100号",
        "licensed_scope": ["腐蚀性物质"],
    }
    response = client.patch(
        f"/api/v1/applications/{view['id']}",
        json={"form": form, "version": view["version"]},
        headers=auth,
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["form_errors"] == {}
    view = approve_directly(client, make, office, auth, response.get_json())
    issued = db.session.get(Licence, view["issued_licence_id"])
    assert issued.holder["form"]["business_premises"] == "天津市和平区南京路100号"
    assert issued.holder["form"]["licensed_scope"] == ["腐蚀性物质"]


def test_a_register_particular_that_does_not_fit_the_type_is_named(runner, tmp_path, make):
    code = make.credit_code("120101")
    header = [*COLUMNS, "trading_mode"]
    cells = [
        "津安经〔2024〕000043", "hazchem-trading", "天津老证化工有限公司", code, "120101",
        "王五", "天津市和平区南京路1号", "2024-02-01", "2027-01-31", "批发零售",
    ]  # fmt: skip
    path = tmp_path / "register.csv"
    path.write_text(",".join(header) + "\n" + ",".join(cells) + "\n", encoding="utf-8")
    result = runner.invoke(args=["licences", "import", str(path)])
    assert result.exit_code == 1
    assert "经营方式" in result.output


REQUIRED_PARTICULARS = [
    pytest.param(code, name, id=f"{code}-{name}")
    for code, permit_type in sorted(get_catalogue().items())
    for name in permit_type.licence_fields
    if name in permit_type.missing_particulars({**permit_type.example_forms["new"], name: ""})
]


@pytest.mark.parametrize(("permit_type", "field"), REQUIRED_PARTICULARS)
def test_no_licence_is_issued_with_a_required_particular_empty(
    client, make, office, permit_type, field
):
    firm = db.session.get(Enterprise, office.enterprise_id)
    creator = make.applicant()
    case = make.case_in_state(
        firm, "pending_decision", creator, permit_type=permit_type, recommendation="approve"
    )
    case.form = {**case.form, field: ""}
    db.session.commit()
    view = {"id": case.id, "version": case.version}
    response = make.act(client, office["approver"], view, "approve")
    assert response.status_code == 409, response.get_json()
    assert response.get_json()["code"] == "LICENCE_PARTICULARS_MISSING"
    label = get_catalogue()[permit_type].licence_fields[field]
    assert label in response.get_json()["detail"]
    assert db.session.query(Licence).count() == 0


def test_every_permit_type_has_a_required_particular_guarded():
    assert {param.values[0] for param in REQUIRED_PARTICULARS} == set(get_catalogue())
