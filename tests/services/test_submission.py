"""A draft is created for the applicant's own enterprise and submitted only when complete."""

from __future__ import annotations

from app.extensions import db
from app.models import Application
from app.services.applications import create_application
from app.services.cases import take_action
from tests.services.conftest import inbox, refused, timeline


def draft(make, firm, **overrides) -> Application:
    return create_application(firm.manager, make.application_body(firm.enterprise.id, **overrides))


def test_a_new_draft_has_an_office_number_and_its_first_timeline_entry(make, firm):
    application = draft(make, firm)
    assert application.state == "draft"
    assert application.number == f"ZV20261123{application.id:06d}"
    assert application.region_code == firm.enterprise.region_code
    assert timeline(application) == [("create", None, "draft", "applicant")]


def test_nobody_drafts_for_an_enterprise_they_do_not_manage(make, firm):
    stranger = make.applicant()
    with refused("ENTERPRISE_NOT_FOUND"):
        create_application(stranger, make.application_body(firm.enterprise.id))
    assert db.session.query(Application).count() == 0


def test_a_kind_the_permit_type_does_not_offer_is_refused(make, firm):
    with refused("KIND_NOT_SUPPORTED"):
        draft(make, firm, kind="no-such-kind")
    assert db.session.query(Application).count() == 0


def test_submitting_without_the_required_materials_is_refused_and_changes_nothing(make, firm):
    application = draft(make, firm)
    with refused("MATERIALS_MISSING"):
        take_action(firm.manager, application.id, "submit", {}, application.version)
    db.session.refresh(application)
    assert application.state == "draft"
    assert [entry[0] for entry in timeline(application)] == ["create"]
    assert inbox(firm.manager) == []


def test_a_complete_draft_is_submitted_and_the_applicant_is_told(make, firm):
    application = draft(make, firm)
    make.attach_required(application)
    take_action(firm.manager, application.id, "submit", {}, application.version)
    assert application.state == "submitted"
    assert timeline(application)[-1] == ("submit", "draft", "submitted", "applicant")
    assert inbox(firm.manager) == ["申请已提交"]


def test_a_submission_on_a_stale_version_is_a_conflict(make, firm):
    application = draft(make, firm)
    stale = application.version
    make.attach_required(application)  # a new version, as after an upload on another phone
    with refused("VERSION_CONFLICT"):
        take_action(firm.manager, application.id, "submit", {}, stale)
    db.session.refresh(application)
    assert application.state == "draft"


def test_only_the_applicant_submits(make, firm):
    application = draft(make, firm)
    make.attach_required(application)
    with refused("APPLICATION_NOT_FOUND"):  # a stranger does not even learn the case exists
        take_action(make.applicant(), application.id, "submit", {}, application.version)
    with refused("ACTION_FORBIDDEN"):
        take_action(make.staff("clerk"), application.id, "submit", {}, application.version)
    db.session.refresh(application)
    assert application.state == "draft"
