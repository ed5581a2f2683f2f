"""``flask licences import FILE.csv``: all rows checked first, a bad file loads nothing."""

from __future__ import annotations

import hashlib
from io import BytesIO
from pathlib import Path
from urllib.parse import quote

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.extensions import db
from app.integrations.signer import validate_signature
from app.licences.documents import check_code
from app.licences.register_import import import_register
from app.licences.register_rows import COLUMNS
from app.models import Enterprise, Licence
from permits.identifiers import elicence_identifier_problem

HEADER = ",".join(COLUMNS)


@pytest.fixture
def codes(make) -> list[str]:
    return [make.credit_code("120101") for _ in range(3)]


def row(number: str, credit_code: str, name: str = "天津滨海化工有限公司", **changes: str) -> str:
    values = {
        "number": number,
        "permit_type": "hazchem-trading",
        "enterprise_name": name,
        "credit_code": credit_code,
        "region_code": "120101",
        "legal_representative": "王五",
        "address": "天津市和平区南京路1号",
        "valid_from": "2024-03-01",
        "valid_until": "2027-02-28",
        **changes,
    }
    return ",".join(values[column] for column in COLUMNS)


def wrong_check_character(credit_code: str) -> str:
    """The same code with a check character that cannot be right (never the real one)."""
    return credit_code[:-1] + ("1" if credit_code[-1] == "0" else "0")


def register(tmp_path: Path, *lines: str, name: str = "register.csv", bom: bool = False) -> Path:
    path = tmp_path / name
    text = "\n".join([HEADER, *lines]) + "\n"
    path.write_text(("\ufeff" if bom else "") + text, encoding="utf-8")
    return path


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_good_register_loads_and_says_what_it_did(runner, tmp_path, codes):
    path = register(
        tmp_path,
        row("津安经〔2024〕000001", codes[0], valid_until="2027-02-28"),
        row("津安经〔2024〕000002", codes[0], permit_type="fireworks-wholesale"),
        row("津安经〔2024〕000003", codes[1], name="天津港储运有限公司"),
        bom=True,  # as Excel saves "CSV UTF-8"
    )
    result = runner.invoke(args=["licences", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "共3行，新增3张，未变0张，拒绝0行；新建企业2家" in result.output

    licences = db.session.scalars(select(Licence).order_by(Licence.number)).all()
    assert [lic.number for lic in licences] == [f"津安经〔2024〕00000{i}" for i in (1, 2, 3)]
    first = licences[0]
    assert first.source == "imported"
    assert first.issuer_name == "天津市应急管理局"
    assert elicence_identifier_problem(first.identifier) is None
    assert len({lic.identifier for lic in licences}) == 3
    assert (first.valid_from.isoformat(), first.valid_until.isoformat()) == (
        "2024-03-01",
        "2027-02-28",
    )
    assert first.holder["name"] == "天津滨海化工有限公司"
    firms = db.session.scalars(select(Enterprise).order_by(Enterprise.id)).all()
    assert [(f.credit_code, f.manager_id) for f in firms] == [(codes[0], None), (codes[1], None)]


def test_an_imported_licence_is_listed_and_verified_once_its_enterprise_is_claimed(
    client, make, tmp_path, codes
):
    number = "津安经〔2024〕000042"
    path = register(tmp_path, row(number, codes[0]))
    assert import_register(path).accepted

    applicant = make.applicant()
    auth = make.headers(applicant)
    licence = db.session.scalars(select(Licence)).one()
    claim = client.post(
        "/api/v1/enterprises",
        json={
            "name": "天津滨海化工有限公司",
            "credit_code": codes[0],
            "legal_representative": "王五",
            "address": "天津市和平区南京路1号",
            "region_code": "120101",
            "contact_phone": "13800138000",
            "claim": {"licence_number": number, "code": check_code(licence)},
        },
        headers=auth,
    )
    assert claim.status_code == 201, claim.get_json()
    listed = client.get("/api/v1/licences", headers=auth).get_json()
    assert [item["number"] for item in listed["items"]] == [number]
    assert listed["items"][0]["status"] in ("active", "expiring")

    verified = client.get(f"/api/v1/verify/{quote(number)}?code={check_code(licence)}")
    assert verified.get_json()["valid"] is True
    assert verified.get_json()["enterprise_name"] == "天津滨海化工有限公司"


def test_a_bad_file_is_refused_whole_and_every_bad_line_named(runner, tmp_path, codes):
    path = register(
        tmp_path,
        row("津安经〔2024〕000001", codes[0]),  # line 2: fine
        row("津安经〔2024〕000002", wrong_check_character(codes[0])),  # line 3: check character
        row("津安经〔2024〕000003", codes[1], permit_type="taxi-licence"),  # line 4
        row("津安经〔2024〕000004", codes[1], valid_until="2024-02-01"),  # line 5: before from
        row("津安经〔2024〕000001", codes[2], valid_from="2024/03/01"),  # line 6: dup + date
        row("津安经〔2024〕000007", codes[0], name="另一个名字有限公司"),  # line 7
        "津安经〔2024〕000008,hazchem-trading,缺列公司",  # line 8: too few columns
        row("津安经〔2024〕000009", codes[1], region_code="999999"),  # line 9
        row("津安经〔2024〕000010", codes[1], permit_type="special-operations"),  # line 10
    )
    result = runner.invoke(args=["licences", "import", str(path)])
    assert result.exit_code == 1
    errors = result.output
    lines = errors.splitlines()
    assert not any(line.startswith("第2行") for line in lines)
    assert any(line.startswith("第3行：统一社会信用代码") for line in lines)
    assert any(
        line.startswith("第4行：许可事项：未知的许可事项代码“taxi-licence”") for line in lines
    )
    assert any(line.startswith("第5行：有效期至：应晚于有效期起") for line in lines)
    sixth = next(line for line in lines if line.startswith("第6行"))
    assert "有效期起：应为YYYY-MM-DD格式的日期" in sixth
    assert "许可证编号：与第2行重复" in sixth
    assert any(line.startswith("第7行：企业名称：同一统一社会信用代码在第2行") for line in lines)
    assert any(line.startswith("第8行：应有9列，实际3列") for line in lines)
    assert any(line.startswith("第9行：行政区划代码") for line in lines)
    assert any("第10行：许可事项：特种作业操作证由个人持有" in line for line in lines)
    assert "导入被拒绝：8行有误，未导入任何数据" in errors
    assert count(Licence) == count(Enterprise) == 0


def test_importing_the_same_register_again_changes_nothing(runner, tmp_path, codes):
    path = register(
        tmp_path, row("津安经〔2024〕000001", codes[0]), row("津安经〔2024〕000002", codes[1])
    )
    assert runner.invoke(args=["licences", "import", str(path)]).exit_code == 0
    again = runner.invoke(args=["licences", "import", str(path)])
    assert again.exit_code == 0
    assert "新增0张，未变2张，拒绝0行；新建企业0家" in again.output

    grown = register(
        tmp_path,
        row("津安经〔2024〕000001", codes[0]),
        row("津安经〔2024〕000002", codes[1]),
        row("津安经〔2024〕000003", codes[2], name="新企业有限公司"),
        name="grown.csv",
    )
    third = runner.invoke(args=["licences", "import", str(grown)])
    assert "新增1张，未变2张" in third.output
    assert count(Licence) == 3


def test_a_known_number_with_different_data_is_refused(runner, tmp_path, codes):
    assert import_register(register(tmp_path, row("津安经〔2024〕000001", codes[0]))).accepted
    changed = register(
        tmp_path,
        row("津安经〔2024〕000001", codes[0], valid_until="2028-02-28"),
        row("津安经〔2024〕000002", codes[1]),
        name="changed.csv",
    )
    result = runner.invoke(args=["licences", "import", str(changed)])
    assert result.exit_code == 1
    assert "第2行：许可证编号：已登记且内容不同（有效期至）" in result.output
    assert count(Licence) == 1


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "文件为空"),
        ("number,permit_type\n", "缺少列 enterprise_name"),
        (HEADER.replace("valid_until", "valid_unitl") + "\n", "未知的列 valid_unitl"),
        (HEADER + ",number\n", "重复的列 number"),
        (HEADER + "\n", "文件中没有许可证数据"),
    ],
)
def test_a_file_that_is_not_a_register_is_refused(tmp_path, content, expected):
    path = tmp_path / "odd.csv"
    path.write_text(content, encoding="utf-8")
    summary = import_register(path)
    assert not summary.accepted
    assert expected in str(summary.problems[0])


def test_columns_may_come_in_any_order(tmp_path, codes):
    columns = list(reversed(COLUMNS))
    values = dict(zip(COLUMNS, row("津安经〔2024〕000001", codes[0]).split(","), strict=True))
    path = tmp_path / "reordered.csv"
    path.write_text(
        ",".join(columns) + "\n" + ",".join(values[c] for c in columns) + "\n", encoding="utf-8"
    )
    assert import_register(path).loaded == 1
    assert db.session.scalars(select(Licence.number)).one() == "津安经〔2024〕000001"


def test_a_file_in_another_encoding_is_refused(tmp_path, codes):
    path = tmp_path / "gbk.csv"
    path.write_bytes(("\n".join([HEADER, row("津安经〔2024〕000001", codes[0])])).encode("gbk"))
    summary = import_register(path)
    assert "不是 UTF-8 编码" in str(summary.problems[0])
    assert count(Licence) == 0


def test_several_thousand_rows_load_in_one_run_with_progress(tmp_path, make):
    firms = [make.credit_code("120101") for _ in range(50)]
    lines = [
        row(f"津安经〔2023〕{n:06d}", firms[n % 50], name=f"企业{n % 50}有限公司")
        for n in range(1, 2501)
    ]
    stages: dict[str, tuple[int, int]] = {}
    summary = import_register(
        register(tmp_path, *lines),
        progress=lambda stage, done, total: stages.__setitem__(stage, (done, total)),
    )
    assert summary.accepted, summary.problems[:3]
    assert (summary.loaded, summary.enterprises_created) == (2500, 50)
    assert stages == {
        "检查数据": (2500, 2500),
        "比对已登记的许可证": (2500, 2500),
        "写入许可证": (2500, 2500),
    }
    assert count(Licence) == 2500


def claim(client, make, credit_code: str) -> dict:
    manager = make.applicant()
    imported = db.session.scalars(select(Licence)).one()
    claimed = client.post(
        "/api/v1/enterprises",
        headers=make.headers(manager),
        json={
            "name": "天津老证企业有限公司",
            "credit_code": credit_code,
            "legal_representative": "王五",
            "address": "天津市和平区南京路1号",
            "region_code": "120101",
            "contact_phone": "13800138000",
            "claim": {"licence_number": imported.number, "code": check_code(imported)},
        },
    )
    assert claimed.status_code == 201, claimed.get_json()
    return make.headers(manager)


def test_an_imported_licence_is_signed_at_import_and_its_claimant_reads_the_pdf(
    client, make, runner, tmp_path, codes
):
    path = register(tmp_path, row("津安经〔2024〕000009", codes[0], name="天津老证企业有限公司"))
    result = runner.invoke(args=["licences", "import", str(path)])
    assert result.exit_code == 0 and "已生成电子证照1份" in result.output
    stored = db.session.scalars(select(Licence)).one().pdf_sha256
    assert stored  # rendered and signed by the import, before anyone asks for it
    headers = claim(client, make, codes[0])
    listed = client.get("/api/v1/licences", headers=headers).get_json()["items"]
    assert [x["number"] for x in listed] == ["津安经〔2024〕000009"]
    pdf = client.get(f"/api/v1/licences/{listed[0]['id']}/pdf", headers=headers)
    assert pdf.status_code == 200
    assert hashlib.sha256(pdf.data).hexdigest() == stored  # the GET only reads
    text = PdfReader(BytesIO(pdf.data)).pages[0].extract_text()
    assert "天津老证企业有限公司" in text and "津安经〔2024〕000009" in text
    ofd = client.get(f"/api/v1/licences/{listed[0]['id']}/ofd", headers=headers)
    assert ofd.status_code == 200 and ofd.data[:2] == b"PK"  # sealed at import too
    assert listed[0]["identifier"].startswith("1.2.156.3005.2.")
    ca = client.get("/api/v1/pki/ca.pem").data
    assert validate_signature(pdf.data, ca).valid


def test_licences_left_without_a_pdf_by_a_crash_are_rendered_by_the_repair_command(
    client, make, runner, tmp_path, codes
):
    # import_register alone is the load without the rendering step the CLI runs after it.
    path = register(tmp_path, row("津安经〔2024〕000010", codes[0], name="天津老证企业有限公司"))
    assert import_register(path).accepted
    headers = claim(client, make, codes[0])
    licence_id = db.session.scalars(select(Licence.id)).one()
    pending = client.get(f"/api/v1/licences/{licence_id}/pdf", headers=headers)
    assert pending.status_code == 409
    assert pending.get_json()["code"] == "LICENCE_PDF_PENDING"
    repaired = runner.invoke(args=["licences", "render-pdfs"])
    assert repaired.exit_code == 0 and "已生成电子证照1份" in repaired.output
    assert client.get(f"/api/v1/licences/{licence_id}/pdf", headers=headers).status_code == 200
    again = runner.invoke(args=["licences", "render-pdfs"])
    assert "已生成电子证照0份" in again.output


def test_formula_text_is_refused_and_nothing_loads(runner, tmp_path, codes):
    path = register(
        tmp_path,
        row("津安经〔2024〕000101", codes[0]),
        row(
            "津安经〔2024〕000102",
            codes[1],
            name='"=HYPERLINK(""http://evil.example"",""点击"")"',
            address="@SUM(1+1)",
        ),
    )
    result = runner.invoke(args=["licences", "import", str(path)])
    assert result.exit_code == 1
    assert "企业名称：不能以 = + - @ 开头" in result.output
    assert "不能以 = + - @ 开头" in result.output.split("企业名称")[-1]
    assert count(Licence) == 0


def test_claim_codes_export_neutralises_formula_text(runner, make, tmp_path):
    import csv

    firm = make.enterprise(None, name="=CMD|' /C calc'!A0")
    make.licence(firm)
    out = tmp_path / "codes.csv"
    assert runner.invoke(args=["licences", "claim-codes", "--out", str(out)]).exit_code == 0
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[1][1] == "'=CMD|' /C calc'!A0"
