"""The demo's supervision history (`seed_demo`, step "supervision") on every pinned day:
visits, findings in every state, what the demo logins see."""

import datetime

import pytest
from django.db.models import F

from dudao.accounts import scoping
from dudao.accounts.models import User
from dudao.audit.models import AuditEntry
from dudao.demo import generator
from dudao.demo.supervision import school_months
from dudao.organisations.models import Office
from dudao.rectification.models import (
    AccountabilityCase,
    Escalation,
    Finding,
    FindingEvent,
    FindingStatus,
    FollowUp,
    Notice,
    Response,
    Severity,
)
from dudao.visits.models import AreaCheck, Visit
from tests.clock import TODAYS

from .conftest import shared_build

SCHOOLS = 40

# Each test here runs on every day of TODAYS against a demo built on that day: the demo
# must look alive whatever the date (on the 1st the current month is simply young).
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-supervision")]


@pytest.fixture(scope="module", params=list(TODAYS.values()), ids=list(TODAYS))
def demo_day(request):
    return request.param


@pytest.fixture
def clock_now(demo_day):
    """The tests run on the day the demo was built."""
    return demo_day


@pytest.fixture(scope="module")
def built(demo_day, django_db_setup, django_db_blocker, demo_media):
    with shared_build(demo_day, demo_media, django_db_blocker):
        yield generator.DemoBuilder(seed=1, schools=SCHOOLS).build()


@pytest.fixture
def main_office(built):
    return Office.objects.get(region__code=generator.MAIN_COUNTY.code)


def test_monthly_visits_by_the_responsible_inspectors(built, main_office):
    today = built.today
    visits = Visit.all_objects.filter(office=main_office, status=Visit.Status.SUBMITTED)
    active = main_office.schools.filter(is_active=True).count()
    months = school_months(today, 6)
    # Complete months are fully recorded; the current one is only as far as yesterday (on
    # the 1st, or in the holidays, it may have no visits yet).
    complete = [m for m in months if m < (today.year, today.month)]
    assert len(complete) >= 5
    in_complete = visits.filter(visited_on__lt=today.replace(day=1))
    assert active * len(complete) * 0.75 <= in_complete.count() < active * len(complete)
    assert visits.filter(visited_on__gte=today.replace(day=1)).count() <= active
    for year, month in complete:
        in_month = visits.filter(visited_on__year=year, visited_on__month=month)
        covered = in_month.values("school").distinct().count()
        assert 0.75 * active <= covered < active  # some months are missed
    for visit in visits.select_related("inspector", "created_by"):
        local = visit.visited_at.astimezone(datetime.UTC).astimezone(
            datetime.timezone(datetime.timedelta(hours=8))
        )
        assert local.weekday() < 5 and 8 <= local.hour < 16
        assert visit.visited_on == local.date() < today
        assert visit.visited_at < visit.submitted_at
        assert visit.methods and visit.feedback
        assert visit.area_checks.count() == 8
        if visit.inspector is not None:
            assert visit.created_by.inspector_id == visit.inspector_id
    assert visits.filter(inspector__isnull=False).count() > visits.count() / 2
    # The current month is partly done; the second county has a little history.
    assert Visit.all_objects.exclude(office=main_office).exists()
    assert AreaCheck.objects.filter(status=AreaCheck.Status.PROBLEM).exists()


def test_findings_in_every_state(built, main_office):
    findings = Finding.all_objects.filter(office=main_office)
    for status in FindingStatus.values:
        assert findings.filter(status=status).exists(), status
    closed = findings.filter(status=FindingStatus.CLOSED)
    assert closed.filter(deadline_kind=Finding.DeadlineKind.ON_THE_SPOT).exists()
    assert closed.filter(closed_at__date__gt=F("deadline")).exists()  # closed late
    assert closed.filter(
        deadline_kind=Finding.DeadlineKind.BY_DATE, closed_at__date__lte=F("deadline")
    ).exists()
    assert findings.filter(is_overdue=True).exists()
    assert findings.filter(escalated_to=Escalation.COUNTY, urge_count__gte=2).exists()
    assert findings.filter(escalated_to=Escalation.CITY).exists()
    assert findings.filter(needs_other_department=True, severity=Severity.DIFFICULT).exists()
    assert FindingEvent.objects.filter(action="escalated").exists()  # automatic escalation
    assert FindingEvent.objects.filter(action="overdue").exists()
    assert FollowUp.objects.filter(result=FollowUp.Result.REJECTED).exists()
    assert Response.objects.exists()
    serious = findings.get(severity=Severity.SERIOUS)
    cases = AccountabilityCase.all_objects.filter(finding=serious)
    assert cases.count() == 2 and all(case.measures for case in cases)
    # Every finding's history replays to its status, and events follow the dates.
    for finding in findings:
        events = list(finding.events.order_by("at", "pk"))
        assert events[0].action == "created"
        assert events[-1].to_status == finding.status
        assert events[0].at.date() >= finding.found_on - datetime.timedelta(days=1)
        assert all(e.at.date() <= built.today for e in events)


def test_notice_numbers_follow_the_issue_dates(built, main_office):
    notices = list(Notice.all_objects.filter(office=main_office).order_by("issued_at", "pk"))
    assert notices
    for year in {n.year for n in notices}:
        numbers = [n.sequence for n in notices if n.year == year]
        assert numbers == list(range(1, len(numbers) + 1))
    assert notices[0].number.startswith("清督整〔")


def test_demo_logins_see_supervision_data(built):
    users = {u.username: u for u in User.objects.filter(username__in=generator.DEMO_USERNAMES)}
    inspector = users["inspector"]
    visits = scoping.visits_for(inspector)
    assert visits.filter(status=Visit.Status.SUBMITTED, created_by=inspector).exists()
    assert visits.filter(status=Visit.Status.DRAFT, created_by=inspector).count() == 2
    awaiting = scoping.findings_for(inspector).filter(status=FindingStatus.RESPONDED)
    assert awaiting.filter(school__in=scoping.schools_for(inspector)).count() >= 2
    school = users["school"]
    awaiting_response = scoping.findings_for(school).filter(status=FindingStatus.NOTICE_ISSUED)
    assert awaiting_response.filter(is_overdue=False, notices__isnull=False).exists()
    assert scoping.notices_for(school).exists()
    assert scoping.visits_for(school).exists()
    for name in ("admin", "leader", "viewer", "admin2"):
        assert scoping.findings_for(users[name]).exists(), name
        assert scoping.visits_for(users[name]).exists(), name


def test_actions_were_taken_by_the_right_people(built):
    inspectors = User.objects.filter(inspector__isnull=False)
    assert inspectors.count() > 10  # every responsible inspector has a login
    issued = FindingEvent.objects.filter(action="issue_notice").select_related("actor")
    assert {e.actor.role for e in issued} <= {"inspector", "zone_leader", "office_admin"}
    responded = FindingEvent.objects.filter(action="respond").values_list("actor__role", flat=True)
    assert set(responded) <= {"school", "office_admin"}
    assert AuditEntry.all_objects.filter(target_type="visits.Visit").exists()


def test_the_daily_check_urges_missed_dates(built, main_office):
    """The demo replays the nightly check (`overdue.daily_check`): a school that let its
    notice's deadline pass without answering is urged (督促) by the system, through the
    workflow, and escalated to the county office at the office's threshold."""
    findings = Finding.all_objects.filter(office=main_office)
    urgings = FindingEvent.objects.filter(finding__in=findings, action="urge")
    assert urgings.exists()
    for urging in urgings.select_related("finding")[:50]:
        assert urging.actor_id is None  # the platform, not a person
        assert urging.data["missed"] < urging.data["checked_on"] <= built.today.isoformat()
    by_check = findings.filter(events__action="urge", escalated_to=Escalation.COUNTY)
    assert by_check.filter(urge_count__gte=2).exists()
    # Each date is urged once: no finding is urged twice on one day.
    days = list(urgings.values_list("finding", "data__checked_on"))
    assert len(days) == len(set(days))


def test_findings_that_no_notice_prints_are_recorded_with_the_visit(built, main_office):
    """The one-pass submit: an item marked 发现问题 carries its finding, recorded when the
    visit is submitted; the findings that go into a notice keep their required action."""
    checks = AreaCheck.objects.filter(
        visit__office=main_office, status=AreaCheck.Status.PROBLEM
    ).exclude(planned_finding={})
    assert checks.exists()
    for check in checks.select_related("visit"):
        finding = Finding.all_objects.get(visit=check.visit, area=check.area)
        assert finding.description == check.note
        assert finding.events.order_by("at", "pk")[0].at <= check.visit.submitted_at
        assert not finding.notices.exists()
    kinds = Finding.all_objects.filter(
        visit__area_checks__in=checks, visit__area_checks__area=F("area")
    ).values_list("deadline_kind", flat=True)
    assert Finding.DeadlineKind.ON_THE_SPOT in set(kinds)
    printed = Finding.all_objects.filter(office=main_office, notices__isnull=False)
    assert printed.exists() and not printed.filter(required_action="").exists()
