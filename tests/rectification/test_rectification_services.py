import datetime
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from dudao.core.errors import DomainError
from dudao.rectification import queries, services
from dudao.rectification.models import (
    AccountabilityCase,
    Escalation,
    Finding,
    FindingStatus,
    FollowUp,
    Notice,
    RectificationEvidence,
    RectificationRules,
    Response,
    Severity,
)
from dudao.rectification.signals import finding_transitioned
from dudao.rectification.workflow import Action, IllegalTransition, NotPermitted
from dudao.visits.models import AreaCheck
from tests.clock import DEFAULT_NOW
from tests.factories import UserFactory
from tests.factories_supervision import FindingFactory
from tests.visits.conftest import png_bytes

from .helpers import in_days, perform

TODAY = DEFAULT_NOW.date()  # the pinned clock's today (tests/clock.py)


def fresh(finding) -> Finding:
    return Finding.all_objects.get(pk=finding.pk)


def responded(world, finding) -> Finding:
    finding = fresh(finding)
    if finding.status == FindingStatus.OPEN:
        perform(Action.ISSUE_NOTICE, finding, world.inspector_user)
    perform(Action.RESPOND, finding, world.school_user)
    return fresh(finding)


def reject(world, finding) -> Finding:
    perform(Action.REJECT, finding, world.inspector_user)
    return fresh(finding)


# Creating findings ----------------------------------------------------------------------


def test_finding_from_a_visit_marks_the_item_and_takes_the_visit_day(world, visit, finding):
    assert finding.office == world.office
    assert finding.deadline == visit.visited_on  # on the spot: the same day
    assert visit.area_checks.get(area=6).status == AreaCheck.Status.PROBLEM
    created = finding.events.get()
    assert (created.action, created.from_status, created.to_status) == ("created", "", "open")


def test_by_date_finding_needs_a_future_deadline(new_finding):
    with pytest.raises(DomainError) as error:
        new_finding(deadline_kind="by_date")
    assert error.value.field == "deadline"
    with pytest.raises(DomainError):
        new_finding(deadline_kind="by_date", deadline=TODAY - datetime.timedelta(days=1))
    assert new_finding(deadline_kind="by_date", deadline=in_days(5)).deadline == in_days(5)


def test_findings_are_refused_to_outsiders_and_bad_input(world, visit, new_finding):
    with pytest.raises(NotPermitted):
        services.create_finding(
            world.zone_leader,
            school=world.school,
            visit=visit,
            area=1,
            description="x",
            deadline_kind="on_the_spot",
        )
    for user in (world.school_user, world.other_admin, world.zone_leader):
        with pytest.raises(NotPermitted):
            services.create_finding(
                user, school=world.school, area=1, description="x", deadline_kind="on_the_spot"
            )
    with pytest.raises(DomainError):
        new_finding(area=14)  # items 1-13 (the kindergarten areas 9-13)
    with pytest.raises(DomainError):
        new_finding(description="  ")
    with pytest.raises(DomainError):
        new_finding(school=world.zone_school)  # the visit was to another school


def test_office_staff_record_findings_without_a_visit(world):
    finding = services.create_finding(
        world.admin,
        school=world.far_school,
        area=2,
        description="违规收费",
        deadline_kind="by_date",
        deadline=in_days(30),
    )
    assert finding.visit is None
    assert finding.created_by == world.admin


def test_serious_finding_flags_the_office_but_opens_no_case(
    world, new_finding, django_capture_on_commit_callbacks
):
    received = []
    handler = lambda **kwargs: received.append(kwargs)  # noqa: E731
    finding_transitioned.connect(handler)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            finding = new_finding(severity=Severity.SERIOUS)
    finally:
        finding_transitioned.disconnect(handler)
    # Reported to the county office at once (docs/rules.md §13), no case opened.
    assert [r["action"] for r in received] == ["created", "escalated"]
    assert received[0]["event"].data["serious"] is True
    assert received[1]["event"].data == {"reason": "serious", "to": "county"}
    assert not AccountabilityCase.all_objects.exists()
    assert list(queries.serious_without_case(Finding.all_objects.all())) == [finding]


# Signals ---------------------------------------------------------------------------------


def test_signal_is_sent_only_after_commit(world, finding, django_capture_on_commit_callbacks):
    received = []
    handler = lambda **kwargs: received.append(kwargs["action"])  # noqa: E731
    finding_transitioned.connect(handler)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            perform(Action.ISSUE_NOTICE, finding, world.inspector_user)
        assert received == []
        for callback in callbacks:
            callback()
        assert received == ["issue_notice"]
        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(DomainError),
        ):
            perform(Action.ACCEPT, finding, world.inspector_user)
        assert callbacks == []
    finally:
        finding_transitioned.disconnect(handler)


# Notices ---------------------------------------------------------------------------------


def test_notice_covers_several_findings_and_sets_their_deadline(world, visit, new_finding):
    world.office.document_prefix = "清督"
    world.office.save()
    a, b = new_finding(), new_finding(area=7, deadline_kind="by_date", deadline=in_days(3))
    notice = services.issue_notice(
        world.inspector_user,
        [a, b],
        expected_versions={a.pk: a.version, b.pk: b.version},
        deadline=in_days(14),
    )
    assert notice.number == f"清督整〔{TODAY.year}〕1号"
    assert set(notice.findings.all()) == {a, b}
    assert notice.visit == visit
    assert notice.deadline == in_days(14)
    for finding in (fresh(a), fresh(b)):
        assert finding.status == FindingStatus.NOTICE_ISSUED
        assert (finding.deadline_kind, finding.deadline) == ("by_date", in_days(14))
        event = finding.events.get(action="issue_notice")
        assert event.data["notice"] == notice.number


def test_on_the_spot_findings_need_a_notice_deadline(world, finding):
    with pytest.raises(DomainError) as error:
        services.issue_notice(
            world.inspector_user, [finding], expected_versions={finding.pk: finding.version}
        )
    assert error.value.field == "deadline"


def test_notice_refuses_findings_of_different_schools(world, finding):
    other = services.create_finding(
        world.admin,
        school=world.far_school,
        area=1,
        description="x",
        deadline_kind="by_date",
        deadline=in_days(9),
    )
    with pytest.raises(DomainError):
        services.issue_notice(
            world.admin,
            [finding, other],
            expected_versions={finding.pk: finding.version, other.pk: other.version},
            deadline=in_days(9),
        )
    assert not Notice.all_objects.exists()


def _notice(actor, finding):
    return services.issue_notice(
        actor,
        [finding],
        expected_versions={finding.pk: fresh(finding).version},
        deadline=in_days(9),
    )


def test_notice_numbers_are_per_office_per_year_and_gapless(world, new_finding):
    numbers = [_notice(world.admin, new_finding()).sequence for _ in range(3)]
    assert numbers == [1, 2, 3]
    # A refused notice (stale version) gives its number back.
    f = new_finding()
    with pytest.raises(DomainError):
        services.issue_notice(
            world.admin, [f], expected_versions={f.pk: f.version + 5}, deadline=in_days(9)
        )
    assert _notice(world.admin, f).sequence == 4
    # Another office counts from 1.
    foreign_admin = world.other_admin
    foreign = services.create_finding(
        foreign_admin,
        school=world.foreign_school,
        area=1,
        description="x",
        deadline_kind="by_date",
        deadline=in_days(9),
    )
    assert _notice(foreign_admin, foreign).sequence == 1
    # A new year counts from 1 again.
    next_year = timezone.now().replace(year=TODAY.year + 1, month=1, day=5)
    with mock.patch("django.utils.timezone.now", return_value=next_year):
        later = _notice(world.admin, new_finding())
    assert (later.year, later.sequence) == (TODAY.year + 1, 1)
    assert later.number == f"整〔{TODAY.year + 1}〕1号"  # the office has no prefix
    sequences = sorted(
        Notice.all_objects.filter(office=world.office, year=TODAY.year).values_list(
            "sequence", flat=True
        )
    )
    assert sequences == [1, 2, 3, 4]


def test_notice_number_format_is_office_data(world, finding):
    RectificationRules.objects.create(
        office=world.office, notice_number_format="督办{year}-{number}"
    )
    assert _notice(world.admin, finding).number == f"督办{TODAY.year}-1"


# Responses and follow-ups ----------------------------------------------------------------


def test_response_keeps_evidence_files(world, finding):
    perform(Action.ISSUE_NOTICE, finding, world.admin)
    photo = SimpleUploadedFile("整改后.png", png_bytes(400, 300), content_type="image/png")
    response = services.respond(
        world.school_user,
        finding,
        expected_version=fresh(finding).version,
        text="已清理通道",
        files=[photo],
    )
    assert isinstance(response, Response)
    (evidence,) = response.files.all()
    assert evidence.finding == finding
    assert evidence.preview
    assert fresh(finding).status == FindingStatus.RESPONDED


def test_bad_evidence_file_refuses_the_whole_response(world, finding):
    perform(Action.ISSUE_NOTICE, finding, world.admin)
    bad = SimpleUploadedFile("证明.jpg", b"<?php system($_GET['c']);", content_type="image/jpeg")
    with pytest.raises(DomainError) as error:
        services.respond(
            world.school_user,
            finding,
            expected_version=fresh(finding).version,
            text="已整改",
            files=[bad],
        )
    assert "证明.jpg" in str(error.value)
    assert fresh(finding).status == FindingStatus.NOTICE_ISSUED
    assert not Response.objects.exists()
    assert not RectificationEvidence.objects.exists()


def test_inspector_adds_photos_of_the_problem(world, finding):
    photo = SimpleUploadedFile("通道.png", png_bytes(300, 300), content_type="image/png")
    stored = services.add_finding_file(world.inspector_user, finding, photo)
    assert stored.response is None
    with pytest.raises(NotPermitted):
        services.add_finding_file(world.school_user, finding, photo)


def test_accepted_follow_up_closes(world, finding):
    finding = responded(world, finding)
    follow_up = services.record_follow_up(
        world.inspector_user, finding, expected_version=finding.version, result="accepted"
    )
    finding = fresh(finding)
    assert follow_up.result == FollowUp.Result.ACCEPTED
    assert finding.status == FindingStatus.CLOSED
    assert finding.closed_at is not None
    assert finding.urge_count == 0


def test_rejected_follow_up_needs_a_note(world, finding):
    finding = responded(world, finding)
    with pytest.raises(DomainError):
        services.record_follow_up(
            world.inspector_user, finding, expected_version=finding.version, result="rejected"
        )


# Escalation ------------------------------------------------------------------------------


def test_one_rejected_follow_up_urges_but_does_not_escalate(world, finding):
    finding = reject(world, responded(world, finding))
    assert finding.status == FindingStatus.URGED
    assert finding.urge_count == 1
    assert finding.escalated_to == Escalation.NONE
    assert finding.severity == Severity.GENERAL
    assert not finding.events.filter(action="escalated").exists()


def test_two_rejected_follow_ups_escalate_to_the_county_as_a_key_problem(world, finding):
    finding = reject(world, responded(world, finding))
    finding = reject(world, responded(world, finding))
    assert finding.status == FindingStatus.URGED  # the workflow position is kept
    assert finding.urge_count == 2
    assert finding.escalated_to == Escalation.COUNTY
    assert finding.severity == Severity.KEY
    escalated = finding.events.get(action="escalated")
    assert escalated.actor is None
    assert escalated.data == {"reason": "urgings", "urge_count": 2, "to": "county"}
    # A third rejection does not escalate again.
    finding = reject(world, responded(world, finding))
    assert finding.urge_count == 3
    assert finding.events.filter(action="escalated").count() == 1


def test_the_automatic_escalation_note_is_in_the_offices_language(world, finding):
    """The system writes the note into the record: in the office's language, whatever the
    page of the inspector who rejected the follow-up speaks (a same seed, a same demo)."""
    with translation.override("en"):
        finding = reject(world, responded(world, finding))
        finding = reject(world, responded(world, finding))
    assert (
        finding.events.get(action="escalated").note == "经 2 次督促仍未整改到位，已上报县督导室。"
    )


def test_escalation_threshold_is_office_data(world, finding):
    RectificationRules.objects.create(office=world.office, escalate_after_urgings=3)
    finding = reject(world, responded(world, finding))
    finding = reject(world, responded(world, finding))
    assert finding.escalated_to == Escalation.NONE
    finding = reject(world, responded(world, finding))
    assert finding.escalated_to == Escalation.COUNTY


def test_needs_other_department_escalates_as_difficult(world, finding):
    services.mark_needs_other_department(
        world.inspector_user,
        finding,
        expected_version=finding.version,
        note="需住建部门改造围墙",
        department="县住建局",
    )
    finding = fresh(finding)
    assert finding.needs_other_department
    assert finding.severity == Severity.DIFFICULT
    assert finding.escalated_to == Escalation.COUNTY
    assert finding.status == FindingStatus.OPEN
    assert finding.events.get(action="mark_needs_other_department").data == {
        "department": "县住建局"
    }
    with pytest.raises(IllegalTransition):
        perform(Action.MARK_NEEDS_OTHER_DEPARTMENT, finding, world.admin)


def test_escalation_never_lowers_a_serious_finding(world, new_finding):
    finding = new_finding(severity=Severity.SERIOUS)
    perform(Action.MARK_NEEDS_OTHER_DEPARTMENT, finding, world.admin)
    assert fresh(finding).severity == Severity.SERIOUS


def test_city_escalation_only_from_county_and_only_by_the_office(world, finding):
    with pytest.raises(IllegalTransition):
        perform(Action.ESCALATE_TO_CITY, finding, world.admin)  # not escalated yet
    perform(Action.ESCALATE, finding, world.inspector_user)
    assert fresh(finding).escalated_to == Escalation.COUNTY
    assert fresh(finding).severity == Severity.KEY
    with pytest.raises(IllegalTransition):
        perform(Action.ESCALATE, finding, world.admin)  # already escalated
    with pytest.raises(NotPermitted):
        perform(Action.ESCALATE_TO_CITY, finding, world.inspector_user)
    with pytest.raises(NotPermitted):
        perform(Action.ESCALATE_TO_CITY, finding, world.other_admin)
    perform(Action.ESCALATE_TO_CITY, finding, world.admin)
    assert fresh(finding).escalated_to == Escalation.CITY
    with pytest.raises(IllegalTransition):
        perform(Action.ESCALATE_TO_CITY, finding, world.admin)


def test_close_on_the_spot_only_for_on_the_spot_findings(world, new_finding):
    finding = new_finding(deadline_kind="by_date", deadline=in_days(5))
    with pytest.raises(IllegalTransition):
        perform(Action.CLOSE_ON_THE_SPOT, finding, world.inspector_user)
    finding = new_finding()
    perform(Action.CLOSE_ON_THE_SPOT, finding, world.inspector_user)
    finding = fresh(finding)
    assert finding.status == FindingStatus.CLOSED
    assert finding.events.get(action="close_on_the_spot").note == "说明"


def test_reopen_clears_closed_at(world, finding):
    perform(Action.CLOSE_ON_THE_SPOT, finding, world.inspector_user)
    perform(Action.REOPEN, finding, world.admin)
    finding = fresh(finding)
    assert (finding.status, finding.closed_at) == (FindingStatus.OPEN, None)


def test_allowed_actions_for_the_ui(world, finding):
    from dudao.rectification.workflow import allowed_actions

    assert set(allowed_actions(finding, world.inspector_user)) == {
        "issue_notice",
        "close_on_the_spot",
        "escalate",
        "mark_needs_other_department",
    }
    assert allowed_actions(finding, world.school_user) == []
    assert "withdraw" in allowed_actions(finding, world.admin)
    assert allowed_actions(finding, world.other_admin) == []


# Deadlines and severity ------------------------------------------------------------------


def test_change_deadline_and_severity(world, finding):
    services.change_deadline(
        world.inspector_user, finding, expected_version=finding.version, deadline=in_days(20)
    )
    finding = fresh(finding)
    assert (finding.deadline_kind, finding.deadline) == ("by_date", in_days(20))
    with pytest.raises(NotPermitted):
        services.set_severity(
            world.inspector_user, finding, expected_version=finding.version, severity="serious"
        )
    services.set_severity(
        world.admin, finding, expected_version=finding.version, severity="serious"
    )
    finding = fresh(finding)
    assert finding.severity == Severity.SERIOUS
    assert finding.events.get(action="severity_changed").data["serious"] is True


# Accountability --------------------------------------------------------------------------


def test_serious_finding_leads_to_a_case_opened_by_the_office(world, new_finding):
    finding = new_finding(severity=Severity.SERIOUS)
    case = services.open_accountability_case(
        world.admin,
        office=world.office,
        finding=finding,
        target_kind="unit",
        target_name="湖滨小学",
        measures=["admonitory_talk", "supervision_bulletin"],
    )
    assert case.status == AccountabilityCase.Status.OPEN
    assert case.measures == ["admonitory_talk", "supervision_bulletin"]
    assert finding.events.get(action="accountability_opened").data["case_id"] == case.pk
    assert not queries.serious_without_case(Finding.all_objects.all()).exists()
    case = services.update_accountability_case(
        world.admin, case, measures=["admonitory_talk", "public_criticism"]
    )
    assert case.measures == ["admonitory_talk", "public_criticism"]
    case = services.close_accountability_case(world.admin, case, notes="已约谈")
    assert case.status == AccountabilityCase.Status.CLOSED
    assert case.closed_at is not None
    with pytest.raises(DomainError):
        services.update_accountability_case(world.admin, case, notes="late")


def test_measures_must_match_the_target_kind(world):
    with translation.override("en"), pytest.raises(DomainError) as error:
        services.open_accountability_case(
            world.admin,
            office=world.office,
            target_kind="unit",
            target_name="某校",
            measures=["disciplinary_action"],
        )
    assert error.value.field == "measures"
    case = services.open_accountability_case(
        world.admin,
        office=world.office,
        target_kind="individual",
        target_name="王校长",
        measures=["disciplinary_action", "self_examination"],
    )
    assert case.finding is None


def test_only_the_office_admin_opens_cases(world, finding):
    for user in (world.inspector_user, world.school_user, world.other_admin, world.zone_leader):
        with pytest.raises(NotPermitted):
            services.open_accountability_case(
                user,
                office=world.office,
                finding=finding,
                target_kind="unit",
                target_name="湖滨小学",
            )
    assert not AccountabilityCase.all_objects.exists()


def test_case_finding_must_belong_to_the_office(world, finding):
    foreign_admin = UserFactory(role="office_admin", office=world.other_office)
    with pytest.raises(DomainError):
        services.open_accountability_case(
            foreign_admin,
            office=world.other_office,
            finding=finding,
            target_kind="unit",
            target_name="x",
        )


def test_factory_rows_work_with_the_ledger_queries(world):
    FindingFactory(school=world.school, severity=Severity.SERIOUS)
    FindingFactory(school=world.school, status=FindingStatus.URGED)
    counts = queries.counts_by_status(Finding.all_objects.filter(office=world.office))
    assert counts == {"open": 1, "urged": 1}
    assert queries.serious_without_case(Finding.all_objects.all()).count() == 1
