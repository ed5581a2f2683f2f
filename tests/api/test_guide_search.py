"""Guide search over HTTP: real applicant questions, scored; the FAQ and its upkeep."""

from __future__ import annotations

import pytest

from app.services import guide_search

SEARCH = "/api/v1/guide/search"

# (question, expected permit type (None: a general FAQ answer), acceptable sections)
QUESTIONS = [
    ("危化品经营许可证要多久", "hazchem-trading", {"办理时限"}),
    ("延期需要什么材料", None, {"常见问题"}),
    ("特种作业证复审", "special-operations", {"有效期与复审", "常见问题"}),
    ("烟花爆竹批发许可证办理条件是什么", "fireworks-wholesale", {"办理条件"}),
    ("危险化学品经营许可证收费吗", "hazchem-trading", {"收费标准"}),
    ("办特种作业操作证要交钱吗", "special-operations", {"收费标准"}),
    ("危化品安全生产许可证有效期几年", "hazchem-production-safety", {"有效期与延期"}),
    ("烟花爆竹批发许可证需要哪些材料", "fireworks-wholesale", {"申请材料", "申请材料（新办）"}),
    ("危化品经营许可证能邮寄吗", "hazchem-trading", {"送达方式"}),
    ("特种作业证多久能办下来", "special-operations", {"办理时限"}),
    (
        "危险化学品生产企业申请安全生产许可证要具备什么条件",
        "hazchem-production-safety",
        {"办理条件"},
    ),
    ("烟花爆竹批发许可证到期了怎么延期", "fireworks-wholesale", {"有效期与延期"}),
    ("危化品经营许可证变更要交哪些材料", "hazchem-trading", {"申请材料（变更）"}),
    ("电工证申请条件", "special-operations", {"办理条件"}),
    ("材料不齐全怎么办", None, {"常见问题"}),
    ("烟花爆竹批发许可证审批时限", "fireworks-wholesale", {"办理时限"}),
    ("危化品经营许可证有效期多长", "hazchem-trading", {"有效期与延期"}),
    ("危险化学品安全生产许可证多少钱", "hazchem-production-safety", {"收费标准"}),
    ("烟花批发证书怎么领取", "fireworks-wholesale", {"送达方式"}),
    ("特种作业操作证需要提交哪些资料", "special-operations", {"申请材料", "申请材料（新办）"}),
    ("办证需要到办事大厅吗", None, {"常见问题"}),
    ("怎么查询办理进度", None, {"常见问题"}),
    ("危化品经营许可证延期要提前多久申请", "hazchem-trading", {"有效期与延期"}),
    ("如何验证许可证真伪", None, {"常见问题"}),
    ("特种作业操作证复审要交什么材料", "special-operations", {"申请材料（延期）", "常见问题"}),
]


@pytest.fixture
def faq(app):
    guide_search.load_faq_file()


def top(client, question: str) -> dict | None:
    response = client.get(SEARCH, query_string={"q": question})
    assert response.status_code == 200, response.get_json()
    items = response.get_json()["items"]
    return items[0] if items else None


def test_real_questions_get_the_expected_answer_first(client, faq):
    misses = []
    for question, permit_type, sections in QUESTIONS:
        hit = top(client, question)
        found = (hit["permit_type"], hit["section"]) if hit else None
        if not hit or hit["permit_type"] != permit_type or hit["section"] not in sections:
            misses.append((question, found))
    correct = len(QUESTIONS) - len(misses)
    assert len(QUESTIONS) >= 20
    assert correct >= 18, misses


def test_results_are_best_first_with_the_matching_passage(client, faq):
    response = client.get(SEARCH, query_string={"q": "危化品经营许可证要多久", "limit": 3})
    items = response.get_json()["items"]
    assert len(items) == 3
    assert [i["score"] for i in items] == sorted((i["score"] for i in items), reverse=True)
    assert items[0]["permit_type_name"] == "危险化学品经营许可证"
    assert "工作日" in items[0]["snippet"] or "日内" in items[0]["snippet"]


def test_a_question_with_no_known_word_finds_nothing(client, faq):
    assert client.get(SEARCH, query_string={"q": "？？？"}).get_json()["items"] == []
    assert client.get(SEARCH, query_string={"q": "量子纠缠"}).get_json()["items"] == []


def test_an_empty_question_is_422(client):
    response = client.get(SEARCH, query_string={"q": ""})
    assert response.status_code == 422
    assert "q" in response.get_json()["errors"]


def test_the_index_is_in_the_database_full_text_engine(client, faq):
    from sqlalchemy import text

    from app.extensions import db

    client.get(SEARCH, query_string={"q": "收费"})
    if db.session.get_bind().dialect.name == "postgresql":
        filled = db.session.scalar(
            text("SELECT count(*) FROM guide_passages WHERE search_vector IS NOT NULL")
        )
    else:
        filled = db.session.scalar(text("SELECT count(*) FROM guide_fts"))
    assert filled == db.session.scalar(text("SELECT count(*) FROM guide_passages")) > 20


def test_admins_maintain_the_faq_and_search_follows(client, make):
    admin = make.headers(make.staff("admin", "120000"))
    clerk = make.headers(make.staff("clerk", "120000"))
    body = {"question": "营业执照地址变了要不要重新办证？", "answer": "地址变更请申请许可证变更。"}
    assert client.post("/api/v1/faq", json=body, headers=clerk).status_code == 403
    created = client.post("/api/v1/faq", json=body, headers=admin)
    assert created.status_code == 201, created.get_json()
    entry = created.get_json()
    assert client.get("/api/v1/faq").get_json()["items"] == [{**entry}]

    hit = top(client, "营业执照地址变了")
    assert (hit["section"], hit["faq_id"]) == ("常见问题", entry["id"])

    assert client.delete(f"/api/v1/faq/{entry['id']}", headers=admin).status_code == 204
    assert client.get("/api/v1/faq").get_json()["items"] == []
    hit = top(client, "营业执照地址变了")
    assert hit is None or hit["faq_id"] is None
    assert client.delete(f"/api/v1/faq/{entry['id']}", headers=admin).status_code == 404


def test_faq_for_an_unknown_type_is_422(client, make):
    admin = make.headers(make.staff("admin", "120000"))
    body = {"question": "问？", "answer": "答。", "permit_type": "no-such-type"}
    response = client.post("/api/v1/faq", json=body, headers=admin)
    assert response.status_code == 422
    assert "permit_type" in response.get_json()["errors"]


def test_cli_loads_the_faq_and_reindexes(runner):
    loaded = runner.invoke(args=["guide", "load-faq"])
    assert loaded.exit_code == 0 and "常见问题" in loaded.output
    reindexed = runner.invoke(args=["guide", "reindex"])
    assert reindexed.exit_code == 0 and "已重建索引" in reindexed.output


def test_jieba_segments_offline_with_its_shipped_dictionary():
    assert "危化品" in guide_search.segment("危化品经营许可证要多久")
    assert "复审" in guide_search.segment("特种作业证复审")
