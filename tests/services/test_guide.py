"""The FAQ admins maintain: an entry and the search index that finds it change together."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from app.extensions import db
from app.services import guide_search

QUESTION = "营业执照地址变了要不要重新办证？"


@contextmanager
def counted_commits() -> Iterator[list[object]]:
    commits: list[object] = []
    session = db.session()

    def count(committed: object) -> None:
        commits.append(committed)

    event.listen(session, "after_commit", count)
    try:
        yield commits
    finally:
        event.remove(session, "after_commit", count)


def faq_hits(question: str) -> list[int | None]:
    return [hit["faq_id"] for hit in guide_search.search(question)]


def test_adding_an_faq_commits_the_entry_and_its_index_once(app):
    guide_search.rebuild(force=True)
    with counted_commits() as commits:
        entry = guide_search.add_faq(None, {"question": QUESTION, "answer": "请申请许可证变更。"})
    assert len(commits) == 1
    assert entry.id in faq_hits("营业执照地址变了")


def test_deleting_an_faq_takes_it_out_of_the_index_in_the_same_commit(app):
    entry = guide_search.add_faq(None, {"question": QUESTION, "answer": "请申请许可证变更。"})
    with counted_commits() as commits:
        guide_search.delete_faq(entry.id)
    assert len(commits) == 1
    assert entry.id not in faq_hits("营业执照地址变了")
