"""No request issues more SQL statements as the office grows (issue 13).

Each test counts the statements one request sends to the database, with a small and a larger
data set, and asserts the count is the same and stays under a fixed bound. The session is
emptied before each counted request so nothing is served from the test's identity map.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import event

from app import crypto
from app.domain import timeline
from app.extensions import db
from app.models import Enterprise, User
from app.models.sealed import keyring

# Bounds per request as measured (user, then the cases with their details), plus one spare.
STATUS_BOUND = 4
QUEUE_BOUND = 6
# Licences: user, the manager's enterprises, count, page, which of the page were renewed.
LICENCES_BOUND = 5
STATS_BOUND = 10  # the ratings block (差评整改) added one


@contextmanager
def counting() -> Iterator[list[str]]:
    """Collect every statement sent to the database while the block runs."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    db.session.remove()
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def statements_for(request: Callable[[], object]) -> list[str]:
    with counting() as statements:
        response = request()
    assert response.status_code == 200, response.get_json()
    return statements


def test_status_read_is_a_fixed_number_of_statements(client, make):
    clerk = make.staff("clerk")
    user = make.applicant()
    firm = make.enterprise(user)
    url = f"/api/v1/applications/{make.case_in_state(firm, 'submitted', clerk).id}"
    auth, staff_auth = make.headers(user), make.headers(clerk)

    for_applicant = statements_for(lambda: client.get(url, headers=auth))
    for_clerk = statements_for(lambda: client.get(url, headers=staff_auth))
    assert len(for_applicant) <= STATUS_BOUND, for_applicant
    assert len(for_clerk) <= STATUS_BOUND, for_clerk


def test_a_status_read_opens_each_personal_value_once(client, make, monkeypatch):
    """The joined read hands the case's sealed form and delivery over once per document: each
    value is still decrypted once, not once per document."""
    user = make.applicant()
    firm = make.enterprise(user)
    case = make.case_in_state(firm, "submitted", make.staff("clerk"))
    assert len(case.documents) > 3
    url, auth = f"/api/v1/applications/{case.id}", make.headers(user)
    opened: list[bytes] = []
    real_open = crypto._sm4_gcm_open

    def recording(key: bytes, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
        opened.append(nonce)
        return real_open(key, nonce, sealed, aad)

    monkeypatch.setattr(crypto, "_sm4_gcm_open", recording)
    db.session.remove()
    keyring().forget()  # what the set-up opened
    view = client.get(url, headers=auth)
    assert view.status_code == 200
    assert view.get_json()["delivery"]["phone"]  # a personal value, opened and shown
    assert opened and len(opened) == len(set(opened)), opened


def _queue_statements(client, make, clerk_id: int, auth, cases: int) -> list[str]:
    clerk = db.session.get(User, clerk_id)
    for index in range(cases):
        firm = make.enterprise(make.applicant())
        case = make.case_in_state(firm, "submitted", clerk)
        if index % 2:  # a renewal reads the licence it renews
            case.licence_id = make.licence(firm).id
            db.session.commit()
    return statements_for(lambda: client.get("/api/v1/review/queue", headers=auth))


def test_review_queue_does_not_grow_with_the_number_of_cases(client, make):
    clerk = make.staff("clerk")
    clerk_id, auth = clerk.id, make.headers(clerk)
    few = _queue_statements(client, make, clerk_id, auth, 5)
    many = _queue_statements(client, make, clerk_id, auth, 25)
    page = client.get("/api/v1/review/queue", headers=auth).get_json()
    assert page["total"] == 30 and len(page["items"]) == 20
    assert len(few) == len(many), (len(few), len(many))
    assert len(many) <= QUEUE_BOUND, many


def test_a_queue_many_pages_long_reads_one_page(client, make):
    clerk = make.staff("clerk")
    clerk_id, auth = clerk.id, make.headers(clerk)
    few = _queue_statements(client, make, clerk_id, auth, 3)
    _queue_statements(client, make, clerk_id, auth, 60)

    def page(number: int):
        return client.get(f"/api/v1/review/queue?page={number}&page_size=10", headers=auth)

    first, last = statements_for(lambda: page(1)), statements_for(lambda: page(7))
    assert len(first) == len(last) == len(few), (len(few), len(first), len(last))
    listed = page(7).get_json()
    assert listed["total"] == 63 and len(listed["items"]) == 3
    everything = [item["id"] for n in range(1, 8) for item in page(n).get_json()["items"]]
    assert len(set(everything)) == 63
    beyond = page(9).get_json()
    assert beyond["items"] == [] and beyond["total"] == 63


def test_licence_list_does_not_grow_with_the_number_of_licences(client, make):
    user = make.applicant()
    user_id, auth = user.id, make.headers(user)
    make.licence(make.enterprise(user))

    def listing():
        return client.get("/api/v1/licences", headers=auth)

    one = statements_for(listing)
    user = db.session.get(User, user_id)
    firm = make.enterprise(user)
    for index in range(29):
        holder = firm if index % 2 else make.enterprise(user)
        make.licence(holder, valid_until=f"2027-{index % 12 + 1:02d}-15")
    many = statements_for(listing)
    assert listing().get_json()["total"] == 30
    assert len(one) == len(many), (len(one), len(many))
    assert len(many) <= LICENCES_BOUND, many


def test_expired_and_renewed_licences_in_a_long_list_cost_no_statement_each(client, make):
    user = make.applicant()
    auth = make.headers(user)
    firm = make.enterprise(user)
    firm_id = firm.id
    make.licence(firm, valid_from="2020-01-01", valid_until="2023-01-01")

    def listing():
        return client.get("/api/v1/licences?page_size=50", headers=auth)

    one = statements_for(listing)
    firm = db.session.get(Enterprise, firm_id)
    for index in range(30):
        old = make.licence(
            firm, valid_from="2020-01-01", valid_until=f"2023-{index % 12 + 1:02d}-20"
        )
        if index % 3 == 0:
            make.licence(
                firm, valid_from="2023-02-01", valid_until="2029-01-31", supersedes_id=old.id
            )
    many = statements_for(listing)
    items = listing().get_json()["items"]
    statuses = [item["status"] for item in items]
    assert statuses.count("superseded") == 10 and statuses.count("expired") == 21
    assert len(one) == len(many), (len(one), len(many))
    assert len(many) <= LICENCES_BOUND, many


def test_stats_do_not_grow_with_the_number_of_cases(client, make):
    clerk = make.staff("clerk")
    clerk_id, auth = clerk.id, make.headers(clerk)
    make.case_in_state(make.enterprise(make.applicant()), "submitted", clerk)

    def figures():
        return client.get("/api/v1/stats?from=2026-01-01&to=2026-11-30", headers=auth)

    small = statements_for(figures)
    clerk = db.session.get(User, clerk_id)
    firm = make.enterprise(make.applicant())
    for state in ("submitted", "under_review", "approved", "denied") * 5:
        make.case_in_state(firm, state, clerk)
        make.licence(firm)
    larger = statements_for(figures)
    assert len(small) == len(larger), (len(small), len(larger))
    assert len(larger) <= STATS_BOUND, larger


# Staff workload: the caller, the staff, the steps grouped by day pairs, the cases by marker.
STAFF_STATS_BOUND = 5


def test_staff_workload_does_not_grow_with_staff_and_cases(client, make):
    chief = make.staff("chief")
    auth = make.headers(chief)

    def add_office(reviewers: int, cases: int) -> None:
        firm = make.enterprise(make.applicant())
        members = [make.staff("reviewer") for _ in range(reviewers)]
        for n in range(cases):
            member = members[n % reviewers]
            case = make.case_in_state(firm, ("under_review", "denied")[n % 2], member)
            for action in ("accept", "start_review"):
                timeline.append(
                    case,
                    user=member,
                    role="reviewer",
                    action=action,
                    from_state="accepted",
                    to_state="under_review",
                )
            db.session.commit()

    def workload():
        return client.get("/api/v1/stats/staff?from=2026-01-01&to=2026-11-30", headers=auth)

    add_office(1, 1)
    small = statements_for(workload)
    add_office(6, 30)
    larger = statements_for(workload)
    assert len(workload().get_json()["items"]) == 8
    assert len(small) == len(larger), (len(small), len(larger))
    assert len(larger) <= STAFF_STATS_BOUND, larger


def test_no_opened_personal_value_outlives_its_app_context(app, make):
    """Residual information (GB/T 22239 level 3): what a request, command or job opened is
    forgotten when its app context ends."""
    ring = keyring()
    token = ring.seal("13912345678", "applications.delivery:phone")
    with app.app_context():
        assert keyring().open(token, "applications.delivery:phone") == "13912345678"
        assert ring._opened.cache_info().currsize == 1
    assert ring._opened.cache_info().currsize == 0
