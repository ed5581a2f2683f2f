"""The phone polls a case's status with If-None-Match: unchanged → 304 from one small query."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from app.extensions import db
from app.models import User
from tests.api.test_query_counts import counting
from tests.conftest import FROZEN_NOW


def test_an_unchanged_case_is_304_without_loading_its_details(client, make):
    user = make.applicant()
    auth = make.headers(user)
    view = make.create_application(client, auth, make.enterprise(user).id)
    url = f"/api/v1/applications/{view['id']}"
    with counting() as statements:
        first = client.get(url, headers=auth)
    assert len(statements) == 2, statements  # the caller and the case at once, the verdicts
    etag = first.headers["ETag"]
    assert etag == f'W/"{view["version"]}-20261123"'
    assert first.headers["Cache-Control"] == "private, no-cache"

    with counting() as statements:
        polled = client.get(url, headers={**auth, "If-None-Match": etag})
    assert polled.status_code == 304 and polled.data == b""
    assert polled.headers["ETag"] == etag
    assert len(statements) == 1, statements  # the applicant and the case's version at once
    assert client.get(url, headers={**auth, "If-None-Match": '"0-1", ' + etag}).status_code == 304
    assert client.get(url, headers={**auth, "If-None-Match": "*"}).status_code == 304


def test_a_change_or_a_new_office_day_gives_the_full_view_again(client, make, frozen_now):
    user = make.applicant()
    auth = make.headers(user)
    view = make.create_application(client, auth, make.enterprise(user).id)
    url = f"/api/v1/applications/{view['id']}"
    etag = client.get(url, headers=auth).headers["ETag"]
    assert make.upload(client, auth, view["id"], view["materials"][0]["code"]).status_code == 201
    changed = client.get(url, headers={**auth, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.get_json()["materials"][0]["status"] == "uploaded"

    etag = changed.headers["ETag"]
    frozen_now(FROZEN_NOW + timedelta(days=1))  # deadlines count working days from today
    assert client.get(url, headers={**auth, "If-None-Match": etag}).status_code == 200


def test_the_etag_works_as_if_match_and_someone_elses_case_stays_404(client, make):
    user = make.applicant()
    auth = make.headers(user)
    view = make.create_application(client, auth, make.enterprise(user).id)
    url = f"/api/v1/applications/{view['id']}"
    etag = client.get(url, headers=auth).headers["ETag"]
    stranger = make.headers(make.applicant())
    assert client.get(url, headers={**stranger, "If-None-Match": etag}).status_code == 404
    moved = {"delivery": {**view["delivery"], "recipient": "王五"}}
    edited = client.patch(url, json=moved, headers={**auth, "If-Match": etag})
    assert edited.status_code == 200, edited.get_json()
    stale = client.patch(
        url, json={"delivery": view["delivery"]}, headers={**auth, "If-Match": etag}
    )
    assert stale.status_code == 409


def test_staff_polls_too_and_a_deactivated_applicant_gets_401_not_304(client, make):
    clerk = make.staff("clerk")
    user = make.applicant()
    case = make.case_in_state(make.enterprise(user), "submitted", clerk)
    url = f"/api/v1/applications/{case.id}"
    staff_auth, auth = make.headers(clerk), make.headers(user)
    etag = client.get(url, headers=staff_auth).headers["ETag"]
    with counting() as statements:
        polled = client.get(url, headers={**staff_auth, "If-None-Match": etag})
    assert polled.status_code == 304
    assert len(statements) == 2, statements  # the staff member, then the version in region
    db.session.execute(update(User).where(User.id == user.id).values(active=False))
    db.session.commit()
    refused = client.get(url, headers={**auth, "If-None-Match": etag})
    assert refused.status_code == 401
