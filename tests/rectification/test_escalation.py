"""Escalation as the rules say (issue 11 §2, docs/rules.md §10-§13): the daily check urges a
school that lets its date pass, two urgings of either kind take the finding to the county
office, the office takes it on to the city and the province, and a serious violation goes to
the county office at once. Each path through the workflow, its guards, its history rows, its
notifications, the escalation queue, the ledger's filter and the dashboards' figure."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from dudao.accounts.models import Role
from dudao.core.errors import IllegalTransition, NotPermitted
from dudao.core.guards import SYSTEM
from dudao.dashboards import figures
from dudao.notifications.models import Notification
from dudao.rectification import overdue, services
from dudao.rectification.ledger import filtered_findings
from dudao.rectification.models import (
    Escalation,
    Finding,
    FindingEvent,
    FindingStatus,
    RectificationRules,
    Severity,
)
from dudao.rectification.workflow import Action, Event
from tests.clock import moment
from tests.factories import UserFactory

from .helpers import in_days, perform

# The urgings are about dates: every test here runs on every pinned day.
pytestmark = pytest.mark.any_day

DAY = datetime.timedelta(days=1)
URGE_KINDS = {"finding.urge", "finding.overdue"}  # "overdue" stands in until "urge" is registered


def fresh(finding) -> Finding:
    return Finding.all_objects.get(pk=finding.pk)


@pytest.fixture
def noticed(world, new_finding):
    """A finding of the world's school with a notice due in 5 days; returns (finding, due)."""
    finding = new_finding(deadline_kind="by_date", deadline=in_days(5))
    services.issue_notice(
        world.inspector_user,
        [finding],
        expected_versions={finding.pk: fresh(finding).version},
        deadline=in_days(5),
    )
    return fresh(finding), in_days(5)


def urgings(finding) -> list[FindingEvent]:
    return list(FindingEvent.objects.filter(finding=finding, action=Action.URGE).order_by("pk"))


def kinds_for(user) -> list[str]:
    return sorted(
        Notification.objects.unscoped().filter(recipient=user).values_list("kind", flat=True)
    )


# 1. The urging for a missed date ---------------------------------------------------------


def test_missed_notice_deadline_is_urged_by_the_nightly_job(
    world, noticed, clock, django_capture_on_commit_callbacks
):
    finding, due = noticed
    with django_capture_on_commit_callbacks(execute=True):
        assert overdue.daily_check(due)["urged"] == 0  # the deadline day itself is in time
    Notification.objects.unscoped().all().delete()

    # The scheduler's run: 00:10 Beijing time the day after the deadline.
    clock.move_to(moment(*(due + DAY).timetuple()[:3], 0, 10))
    assert overdue.office_today() == due + DAY
    with django_capture_on_commit_callbacks(execute=True):
        result = overdue.daily_check()
    assert result == {"marked": 1, "cleared": 0, "urged": 1, "escalated": 0}

    finding = fresh(finding)
    assert finding.status == FindingStatus.URGED
    assert finding.urge_count == 1
    assert finding.deadline == due  # the deadline a person set stays: overdue, late
    assert finding.is_overdue
    assert finding.respond_by == due + DAY + datetime.timedelta(days=10)
    assert finding.escalated_to == Escalation.NONE
    (event,) = urgings(finding)
    assert (event.from_status, event.to_status) == ("notice_issued", "urged")
    assert event.actor is None and event.actor_name == str(SYSTEM)  # the platform, by name
    assert event.data == {"missed": due.isoformat(), "checked_on": (due + DAY).isoformat()}
    assert due.isoformat() in event.note and finding.respond_by.isoformat() in event.note
    assert timezone.localdate(event.at) == due + DAY
    # Told on commit: the school and its responsible inspector; the office by "overdue".
    assert set(kinds_for(world.school_user)) <= URGE_KINDS and kinds_for(world.school_user)
    assert set(kinds_for(world.inspector_user)) <= URGE_KINDS and kinds_for(world.inspector_user)
    assert kinds_for(world.admin) == ["finding.overdue"]


def test_the_nightly_job_twice_or_after_missed_days_urges_once_per_missed_date(world, noticed):
    finding, due = noticed
    # The job did not run for three nights; the fourth run urges once.
    assert overdue.daily_check(due + 4 * DAY)["urged"] == 1
    assert overdue.daily_check(due + 4 * DAY)["urged"] == 0  # run twice the same day
    assert overdue.urge_missed_dates(due + 5 * DAY) == {"urged": 0, "escalated": 0}
    finding = fresh(finding)
    assert finding.urge_count == 1 and len(urgings(finding)) == 1
    assert finding.respond_by == due + 4 * DAY + datetime.timedelta(days=10)
    assert overdue.urge_missed_dates(finding.respond_by) == {"urged": 0, "escalated": 0}
    # The next missed date is a new urging.
    assert overdue.urge_missed_dates(finding.respond_by + DAY)["urged"] == 1


def test_the_office_sets_the_days_to_respond_after_an_urging(world, noticed):
    finding, due = noticed
    RectificationRules.objects.create(office=world.office, urge_response_days=3)
    overdue.daily_check(due + DAY)
    assert fresh(finding).respond_by == due + 4 * DAY


def test_a_school_that_responds_is_not_urged(world, noticed):
    finding, due = noticed
    perform(Action.RESPOND, finding, world.school_user)
    assert overdue.daily_check(due + 30 * DAY)["urged"] == 0
    assert fresh(finding).status == FindingStatus.RESPONDED


def test_open_findings_without_a_notice_are_flagged_not_urged(world, new_finding):
    finding = new_finding(deadline_kind="by_date", deadline=in_days(2))
    assert overdue.daily_check(in_days(3)) == {
        "marked": 1,
        "cleared": 0,
        "urged": 0,
        "escalated": 0,
    }
    assert fresh(finding).status == FindingStatus.OPEN


def test_a_later_deadline_set_by_the_office_postpones_the_urging(world, noticed):
    finding, due = noticed
    services.change_deadline(
        world.admin, finding, expected_version=fresh(finding).version, deadline=in_days(20)
    )
    assert overdue.daily_check(due + DAY)["urged"] == 0
    assert overdue.daily_check(in_days(21))["urged"] == 1


def test_a_rejected_follow_up_gives_a_new_date_so_the_old_deadline_is_not_urged_again(
    world, noticed
):
    finding, due = noticed
    perform(Action.RESPOND, finding, world.school_user)
    perform(Action.REJECT, finding, world.inspector_user)  # urging 1, today
    finding = fresh(finding)
    assert finding.respond_by == timezone.localdate() + datetime.timedelta(days=10)
    # Past the notice's deadline but within the urging's date: no second urging.
    assert overdue.urge_missed_dates(due + DAY)["urged"] == 0
    assert fresh(finding).urge_count == 1


def test_no_person_urges_and_no_page_posts_it(world, noticed, client):
    finding, due = noticed
    Finding.all_objects.filter(pk=finding.pk).update(deadline=due - 30 * DAY)
    for persona in world.personas().values():
        with pytest.raises(NotPermitted):
            services.urge_missed_date(
                persona, finding, expected_version=fresh(finding).version, today=due
            )
    client.force_login(world.admin)
    url = reverse("rectification:finding_action", args=[finding.pk, "urge"])
    assert client.post(url, {"expected_version": fresh(finding).version}).status_code == 404
    assert fresh(finding).urge_count == 0


def test_the_system_cannot_urge_before_the_date(world, noticed):
    finding, due = noticed
    with pytest.raises(IllegalTransition):
        services.urge_missed_date(SYSTEM, finding, expected_version=finding.version, today=due)


def test_command_reports_the_urgings(world, noticed):
    _finding, due = noticed
    out = io.StringIO()
    call_command("check_overdue", "--today", (due + DAY).isoformat(), stdout=out)
    assert "urged 1 school(s)" in out.getvalue()


# 2. Two urgings, either kind: a key problem at the county office ----------------------------


def test_two_missed_dates_take_the_finding_to_the_county_office(
    world, noticed, django_capture_on_commit_callbacks
):
    finding, due = noticed
    overdue.daily_check(due + DAY)
    Notification.objects.unscoped().all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        result = overdue.daily_check(fresh(finding).respond_by + DAY)
    assert (result["urged"], result["escalated"]) == (1, 1)
    finding = fresh(finding)
    assert (finding.urge_count, finding.escalated_to, finding.severity) == (
        2,
        Escalation.COUNTY,
        Severity.KEY,
    )
    escalated = finding.events.get(action=Event.ESCALATED)
    assert escalated.data == {"reason": "urgings", "urge_count": 2, "to": "county"}
    assert kinds_for(world.admin) == ["finding.escalated"]
    # A third urging does not escalate again.
    assert overdue.daily_check(finding.respond_by + DAY)["escalated"] == 0
    assert finding.events.filter(action=Event.ESCALATED).count() == 1


def test_a_rejection_and_a_missed_date_count_the_same(world, noticed):
    finding, _due = noticed
    perform(Action.RESPOND, finding, world.school_user)
    perform(Action.REJECT, finding, world.inspector_user)
    assert fresh(finding).escalated_to == Escalation.NONE
    result = overdue.urge_missed_dates(fresh(finding).respond_by + DAY)
    assert result == {"urged": 1, "escalated": 1}
    finding = fresh(finding)
    assert (finding.urge_count, finding.escalated_to) == (2, Escalation.COUNTY)


def test_the_office_threshold_counts_both_kinds(world, noticed):
    finding, due = noticed
    RectificationRules.objects.create(office=world.office, escalate_after_urgings=3)
    overdue.daily_check(due + DAY)
    overdue.daily_check(fresh(finding).respond_by + DAY)
    assert fresh(finding).escalated_to == Escalation.NONE
    overdue.daily_check(fresh(finding).respond_by + DAY)
    assert fresh(finding).escalated_to == Escalation.COUNTY


# 3. County → city → province -------------------------------------------------------------


def escalate(action, finding, actor):
    perform(action, finding, actor)
    return fresh(finding)


def test_county_then_city_then_province_by_the_office(world, new_finding):
    finding = new_finding()
    finding = escalate(Action.ESCALATE, finding, world.inspector_user)
    with pytest.raises(IllegalTransition):  # not before the city
        perform(Action.ESCALATE_TO_PROVINCE, finding, world.admin)
    finding = escalate(Action.ESCALATE_TO_CITY, finding, world.admin)
    assert finding.escalated_to == Escalation.CITY
    finding = escalate(Action.ESCALATE_TO_PROVINCE, finding, world.admin)
    assert finding.escalated_to == Escalation.PROVINCE
    assert finding.status == FindingStatus.OPEN  # escalation is beside the status
    event = finding.events.get(action=Action.ESCALATE_TO_PROVINCE)
    assert (event.actor, event.note) == (world.admin, "说明")
    with pytest.raises(IllegalTransition):  # once
        perform(Action.ESCALATE_TO_PROVINCE, finding, world.admin)


@pytest.mark.parametrize("persona", ["school", "inspector", "zone_leader", "other_admin", "viewer"])
def test_only_the_office_admin_escalates_to_the_province(world, new_finding, persona):
    finding = new_finding()
    Finding.all_objects.filter(pk=finding.pk).update(escalated_to=Escalation.CITY)
    with pytest.raises(NotPermitted):
        perform(Action.ESCALATE_TO_PROVINCE, finding, world.personas()[persona])
    assert fresh(finding).escalated_to == Escalation.CITY


def test_the_province_button_is_offered_to_the_office_after_the_city(world, new_finding, client):
    finding = new_finding()
    Finding.all_objects.filter(pk=finding.pk).update(escalated_to=Escalation.CITY)
    client.force_login(world.inspector_user)
    assert (
        "escalate_to_province"
        not in client.get(
            reverse("rectification:finding_detail", args=[finding.pk])
        ).content.decode()
    )
    client.force_login(world.admin)
    url = reverse("rectification:finding_action", args=[finding.pk, "escalate_to_province"])
    assert (
        url.encode()
        in client.get(reverse("rectification:finding_detail", args=[finding.pk])).content
    )
    response = client.post(url, {"expected_version": fresh(finding).version, "note": "省级协调"})
    assert response.status_code == 302
    assert fresh(finding).escalated_to == Escalation.PROVINCE


def queue_ids(client, user, level="") -> set[int]:
    client.force_login(user)
    response = client.get(reverse("rectification:escalations"), {"level": level})
    assert response.status_code == 200
    return {row["finding"].pk for row in response.context["rows"]}


def test_the_queue_ledger_and_figures_count_the_province(world, new_finding, client):
    county, city, province = new_finding(), new_finding(), new_finding()
    new_finding()  # not escalated
    for finding, level in (
        (county, Escalation.COUNTY),
        (city, Escalation.CITY),
        (province, Escalation.PROVINCE),
    ):
        Finding.all_objects.filter(pk=finding.pk).update(escalated_to=level)
    region = world.office.region
    province_viewer = UserFactory(role=Role.VIEWER, office=None, region=region.parent.parent)
    foreign_viewer = UserFactory(
        role=Role.VIEWER, office=None, region=world.other_office.region.parent
    )
    for user in (world.admin, world.viewer, province_viewer):
        assert queue_ids(client, user, "province") == {province.pk}
        assert queue_ids(client, user, "city") == {city.pk}
        assert queue_ids(client, user) == {county.pk, city.pk, province.pk}
    assert queue_ids(client, foreign_viewer, "province") == set()
    assert queue_ids(client, world.other_admin) == set()

    _form, qs = filtered_findings(world.admin, {"escalated": "province"})
    assert list(qs) == [province]
    _form, qs = filtered_findings(world.admin, {"escalated": "any"})
    assert set(qs) == {county, city, province}
    for user in (world.admin, world.viewer, province_viewer):
        today = timezone.localdate()
        data = figures.dashboard(figures.scope_for(user), today.year, today.month, today)
        assert data["findings"]["escalated"] == 3


# 4. A serious violation: the county office at once ---------------------------------------


def test_a_serious_finding_is_reported_to_the_county_office_at_once(
    world, new_finding, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        finding = new_finding(severity=Severity.SERIOUS)
    finding = fresh(finding)
    assert (finding.escalated_to, finding.severity) == (Escalation.COUNTY, Severity.SERIOUS)
    event = finding.events.get(action=Event.ESCALATED)
    assert event.data == {"reason": "serious", "to": "county"}
    assert event.actor == world.inspector_user
    with translation.override("en"):
        assert event.note == translation.gettext(
            "Serious violation: reported to the county office at once."
        ) or event.note.startswith("严重违规")
    assert kinds_for(world.admin) == ["finding.serious"]  # told once, not twice
    assert queue_ids(client, world.admin, "county") == {finding.pk}
    today = timezone.localdate()
    data = figures.dashboard(figures.scope_for(world.admin), today.year, today.month, today)
    assert data["findings"]["escalated"] == 1


def test_raising_a_finding_to_serious_reports_it(
    world, new_finding, django_capture_on_commit_callbacks
):
    finding = new_finding()
    with django_capture_on_commit_callbacks(execute=True):
        services.set_severity(
            world.admin, finding, expected_version=fresh(finding).version, severity=Severity.SERIOUS
        )
    finding = fresh(finding)
    assert finding.escalated_to == Escalation.COUNTY
    assert finding.events.filter(action=Event.ESCALATED, data__reason="serious").count() == 1
    assert kinds_for(world.admin) == ["finding.serious"]


def test_a_serious_finding_already_further_up_stays_there(world, new_finding):
    finding = new_finding()
    Finding.all_objects.filter(pk=finding.pk).update(escalated_to=Escalation.CITY)
    services.set_severity(
        world.admin, finding, expected_version=fresh(finding).version, severity=Severity.SERIOUS
    )
    finding = fresh(finding)
    assert finding.escalated_to == Escalation.CITY
    assert not finding.events.filter(action=Event.ESCALATED).exists()
