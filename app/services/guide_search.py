"""Guide search (办事指南/智能问答): Chinese full-text search over guides, materials and the FAQ.

Every permit type's guide is cut into its sections (“一、办理条件：…”), each kind's material
list is one more passage, and each FAQ entry is one. Passages are segmented with jieba
(search mode, so 许可证 also yields 许可) and stored with three weighted fields: the type's
names (A), the section's question words or the FAQ question (B), the text (D). The database
does the matching and ranking: PostgreSQL a ``tsvector`` ('simple' configuration over the
segmented words, GIN index) with ``ts_rank``; SQLite an FTS5 table with ``bm25``. Questions
are segmented the same way and any word may match (OR); the best-ranked passages come first.

The index follows the catalogue and the FAQ: it records a fingerprint of what it was built
from and is rebuilt when that changes (on the first search after a catalogue change, after
every FAQ edit, and with ``flask --app app guide reindex``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import jieba
import yaml
from sqlalchemy import delete, select, text

import permits
from app import timekeeping
from app.domain.transaction import commit
from app.errors import NotFound, field_error, fields_error
from app.extensions import db
from app.models import FaqEntry, GuideIndexState, GuidePassage, User
from app.schemas.guide import MAX_QUERY_LENGTH
from app.sql import insert_ignore
from permits.catalogue import PermitType, get_catalogue, get_permit_type

log = logging.getLogger(__name__)

DATA_FILE = Path(permits.__file__).with_name("guide_search.yaml")
FAQ_FILE = DATA_FILE.with_name("faq.yaml")
FAQ_SECTION = "常见问题"
MATERIALS_SECTION = "申请材料"
SECTION_LINE = re.compile(r"^[一二三四五六七八九十]+、([^：:]{2,12})[：:]\s*(.+)$")
WORD = re.compile(r"^\w+$")
# Words every question has that say nothing about what is asked.
STOPWORDS = frozenset(
    "的 了 吗 呢 吧 啊 是 我 我们 你 您 要 想 请问 一下 怎么 怎样 如何 什么 哪 哪里 可以 能 "
    "会 有 和 与 或 及 在 办 办理 申请 个 这 那 还 就 都 也 对 给 被".split()
)
INDEX_LOCK_ID = 1
# ts_rank's weights of D (the text), C (unused), B (question words), A (type names); no length
# normalisation: a short passage is not a better answer for being short.
PG_WEIGHTS = "{0.1, 0.2, 1.0, 0.4}"


@cache
def _segmenter():
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()  # the dictionary ships inside the package: no download
    return jieba


def segment(value: str) -> list[str]:
    """The searchable words of ``value``: jieba's search-mode cut, stopwords left out."""
    words = (word.strip().lower() for word in _segmenter().cut_for_search(value))
    return [word for word in words if word and WORD.match(word) and word not in STOPWORDS]


def _joined(value: str) -> str:
    return " ".join(segment(value))


@cache
def search_data() -> dict:
    return yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Passage:
    permit_type: str | None
    section: str
    text: str
    names: str
    keywords: str
    faq_id: int | None = None


def _type_names(permit_type: PermitType) -> str:
    return f"{permit_type.name} {search_data()['aliases'].get(permit_type.code, '')}"


def _guide_passages(permit_type: PermitType) -> list[Passage]:
    sections = search_data()["sections"]
    found = []
    for line in permit_type.guide.splitlines():
        match = SECTION_LINE.match(line.strip())
        if match:
            section, body = match.groups()
            found.append(
                Passage(
                    permit_type.code,
                    section,
                    body,
                    _type_names(permit_type),
                    f"{section} {sections.get(section, '')}",
                )
            )
    return found


def _material_passages(permit_type: PermitType) -> list[Passage]:
    """One passage per kind; a question that names no kind is about a new application."""
    kinds = search_data()["kinds"]
    found = []
    for kind in permit_type.kinds:
        names = [m.name for m in permit_type.materials if kind in m.kinds]
        if not names:
            continue
        label, words = kinds.get(kind, {}).get("label", kind), kinds.get(kind, {}).get("words", "")
        found.append(
            Passage(
                permit_type.code,
                f"{MATERIALS_SECTION}（{label}）",
                f"{label}需提交：" + "；".join(names),
                _type_names(permit_type),
                f"{MATERIALS_SECTION} {words}",
            )
        )
    return found


def _faq_passage(entry: FaqEntry) -> Passage:
    permit_type = get_permit_type(entry.permit_type) if entry.permit_type else None
    return Passage(
        entry.permit_type,
        FAQ_SECTION,
        f"{entry.question}{entry.answer}",
        _type_names(permit_type) if permit_type else "",
        entry.question,
        entry.id,
    )


def all_passages() -> list[Passage]:
    found: list[Passage] = []
    for permit_type in get_catalogue().values():
        found += _guide_passages(permit_type) + _material_passages(permit_type)
    faq = db.session.scalars(select(FaqEntry).order_by(FaqEntry.id))
    return found + [_faq_passage(entry) for entry in faq]


def _fingerprint(passages: list[Passage]) -> str:
    payload = json.dumps([asdict(p) for p in passages], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _lock_state() -> GuideIndexState:
    """The index's state row, locked on PostgreSQL so that two rebuilds run one after another."""
    db.session.execute(
        insert_ignore(
            GuideIndexState, {"id": INDEX_LOCK_ID, "fingerprint": "", "built_at": timekeeping.now()}
        )
    )
    return db.session.scalars(
        select(GuideIndexState)
        .where(GuideIndexState.id == INDEX_LOCK_ID)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _without(words: str, names: str) -> str:
    """``words``' segments that are not also the type's names (those weigh in field A)."""
    named = set(segment(names))
    return " ".join(word for word in segment(words) if word not in named)


def _write(passages: list[Passage]) -> None:
    db.session.execute(delete(GuidePassage))
    for passage in passages:
        db.session.add(
            GuidePassage(
                permit_type=passage.permit_type,
                section=passage.section,
                text=passage.text,
                title_tokens=_joined(passage.names),
                keyword_tokens=_without(passage.keywords, passage.names),
                body_tokens=_joined(passage.text),
                faq_id=passage.faq_id,
            )
        )
    db.session.flush()
    if _dialect() == "postgresql":
        db.session.execute(
            text(
                "UPDATE guide_passages SET search_vector ="
                " setweight(to_tsvector('simple', title_tokens), 'A')"
                " || setweight(to_tsvector('simple', keyword_tokens), 'B')"
                " || setweight(to_tsvector('simple', body_tokens), 'D')"
            )
        )
    else:
        db.session.execute(text("DELETE FROM guide_fts"))
        db.session.execute(
            text(
                "INSERT INTO guide_fts (rowid, title_tokens, keyword_tokens, body_tokens)"
                " SELECT id, title_tokens, keyword_tokens, body_tokens FROM guide_passages"
            )
        )


def _reindex(*, force: bool) -> int:
    """Rewrite the index when what it was built from changed (or ``force``), in the caller's
    transaction; the passage count."""
    passages = all_passages()
    fingerprint = _fingerprint(passages)
    state = _lock_state()
    if state.fingerprint == fingerprint and not force:
        return len(passages)
    _write(passages)
    state.fingerprint, state.built_at = fingerprint, timekeeping.now()
    log.info("guide index rebuilt: %d passages", len(passages))
    return len(passages)


def rebuild(*, force: bool = False) -> int:
    """Rebuild the index when what it was built from changed (or ``force``); passage count."""
    count = _reindex(force=force)
    commit()
    return count


@cache
def _name_words(names: str) -> frozenset[str]:
    return frozenset(segment(names))


def named_type(terms: list[str]) -> str | None:
    """The permit type a question names: the one sharing most words with its names, if unique.

    许可证 alone names every type, so a tie means the question names none.
    """
    counts = {
        code: len(_name_words(_type_names(permit_type)) & set(terms))
        for code, permit_type in get_catalogue().items()
    }
    best = max(counts.values(), default=0)
    winners = [code for code, count in counts.items() if count == best]
    return winners[0] if best and len(winners) == 1 else None


# A question that names a type is answered from that type's passages and the general FAQ;
# one that names none from the general FAQ first, then anything that matches.
SQLITE_MATCH = text(
    "SELECT p.id, bm25(guide_fts, 10.0, 4.0, 1.0) AS rank"
    " FROM guide_fts JOIN guide_passages AS p ON p.id = guide_fts.rowid"
    " WHERE guide_fts MATCH :match"
    " AND (CAST(:permit_type AS VARCHAR(64)) IS NULL OR p.permit_type = :permit_type"
    " OR p.permit_type IS NULL)"
    " ORDER BY CASE WHEN CAST(:permit_type AS VARCHAR(64)) IS NULL AND p.permit_type IS NULL"
    " THEN 0 ELSE 1 END, rank, p.id LIMIT :limit"
)
POSTGRESQL_MATCH = text(
    "SELECT p.id, ts_rank(CAST(:weights AS float4[]), p.search_vector, q) AS rank"
    " FROM guide_passages AS p, to_tsquery('simple', :query) AS q"
    " WHERE p.search_vector @@ q"
    " AND (CAST(:permit_type AS VARCHAR(64)) IS NULL"
    " OR p.permit_type = CAST(:permit_type AS VARCHAR(64)) OR p.permit_type IS NULL)"
    " ORDER BY CASE WHEN CAST(:permit_type AS VARCHAR(64)) IS NULL AND p.permit_type IS NULL"
    " THEN 0 ELSE 1 END, rank DESC, p.id LIMIT :limit"
)


def _match_sqlite(terms: list[str], permit_type: str | None, limit: int) -> list[tuple[int, float]]:
    match = " OR ".join('"' + term.replace('"', '""') + '"' for term in terms)
    rows = db.session.execute(
        SQLITE_MATCH, {"match": match, "permit_type": permit_type, "limit": limit}
    ).all()
    return [(row.id, -float(row.rank)) for row in rows]


def _match_postgresql(
    terms: list[str], permit_type: str | None, limit: int
) -> list[tuple[int, float]]:
    query = " | ".join(f"'{term}'" for term in terms)  # terms are \w+ only: nothing to escape
    params = {"query": query, "permit_type": permit_type, "limit": limit, "weights": PG_WEIGHTS}
    rows = db.session.execute(POSTGRESQL_MATCH, params).all()
    return [(row.id, float(row.rank)) for row in rows]


def _snippet(passage_text: str, terms: list[str], width: int = 60) -> str:
    hits = [passage_text.find(term) for term in sorted(terms, key=len, reverse=True)]
    hits = [at for at in hits if at >= 0]
    start = max(min(hits) - 10, 0) if hits else 0
    piece = passage_text[start : start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(passage_text) else ""
    return f"{prefix}{piece}{suffix}"


def search(question: str, limit: int = 5) -> list[dict]:
    """The passages that best answer ``question``, best first, each with its matching text."""
    question = question.strip()
    if not question:
        raise field_error("q", "请输入要查询的问题")
    terms = list(dict.fromkeys(segment(question[:MAX_QUERY_LENGTH])))
    if not terms:
        return []
    rebuild()
    match = _match_postgresql if _dialect() == "postgresql" else _match_sqlite
    ranked = match(terms, named_type(terms), limit)
    passages = {
        p.id: p
        for p in db.session.scalars(
            select(GuidePassage).where(GuidePassage.id.in_([pid for pid, _ in ranked]))
        )
    }
    results = []
    for passage_id, score in ranked:
        passage = passages[passage_id]
        permit_type = get_permit_type(passage.permit_type) if passage.permit_type else None
        results.append(
            {
                "permit_type": passage.permit_type,
                "permit_type_name": permit_type.name if permit_type else None,
                "section": passage.section,
                "snippet": _snippet(passage.text, terms),
                "score": round(score, 4),
                "faq_id": passage.faq_id,
            }
        )
    return results


def list_faq() -> list[FaqEntry]:
    return list(db.session.scalars(select(FaqEntry).order_by(FaqEntry.id)))


def _check_faq(data: dict) -> None:
    errors: dict[str, list[str]] = {}
    if not data["question"].strip():
        errors["question"] = ["请填写问题"]
    if not data["answer"].strip():
        errors["answer"] = ["请填写答复"]
    code = data.get("permit_type")
    if code and get_permit_type(code) is None:
        errors["permit_type"] = ["事项不存在"]
    if errors:
        raise fields_error(errors)


def add_faq(user: User | None, data: dict) -> FaqEntry:
    """Add an FAQ entry (or replace the answer of the same question) and reindex."""
    _check_faq(data)
    question = data["question"].strip()
    entry = db.session.scalars(select(FaqEntry).where(FaqEntry.question == question)).first()
    if entry is None:
        entry = FaqEntry(question=question, created_at=timekeeping.now())
        db.session.add(entry)
    entry.answer = data["answer"].strip()
    entry.permit_type = data.get("permit_type") or None
    entry.created_by = user.id if user else None
    _reindex(force=False)  # the entry and the index it is searched by commit together
    commit()
    return entry


def delete_faq(entry_id: int) -> None:
    entry = db.session.get(FaqEntry, entry_id)
    if entry is None:
        raise NotFound("常见问题不存在", code="FAQ_NOT_FOUND")
    db.session.execute(delete(GuidePassage).where(GuidePassage.faq_id == entry.id))
    db.session.delete(entry)
    _reindex(force=True)
    commit()


def load_faq_file(path: Path | None = None) -> int:
    """Add or update the FAQ entries of a YAML file (``permits/faq.yaml`` by default)."""
    data = yaml.safe_load((path or FAQ_FILE).read_text(encoding="utf-8"))
    entries = data.get("faq") or []
    for item in entries:
        add_faq(None, {k: item.get(k) for k in ("question", "answer", "permit_type")})
    return len(entries)
