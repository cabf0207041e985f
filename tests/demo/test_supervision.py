"""The demo's supervision history (`seed_demo`, step "supervision") on every pinned day:
visits on school days, findings in every state and fitting each school type, the serious
violation in the escalation queue, teaching points visited with their host, what the demo
logins and the dashboard see."""

import datetime

import pytest
from django.db.models import F

from dudao.accounts import scoping
from dudao.accounts.models import User
from dudao.audit.models import AuditEntry
from dudao.core.supervision_items import KINDERGARTEN_AREAS, SUPERVISION_ITEMS
from dudao.demo import generator, wording
from dudao.demo import school_calendar as cal
from dudao.demo.supervision import school_months
from dudao.notifications.models import Notification
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
from dudao.rectification.workflow import ACTIVE
from dudao.schools.models import School, SchoolType
from dudao.visits.models import AreaCheck, FocusPoint, SchoolTypeRule, Visit
from dudao.visits.queries import not_visited_in_office
from dudao.visits.school_rules import RuleBook
from tests.clock import SHANGHAI, TODAYS, moment

from .conftest import shared_build

SCHOOLS = 40
# The steps of the later modules have their own demo tests (tests/demo/test_demo_evaluations.py,
# tests/bulletins, tests/complaints, tests/surveys); built on twelve days here they would only
# add minutes.
LATER_MODULES = (
    "government units",
    "evaluations",
    "bulletins",
    "complaints",
    "surveys",
    "training",
)
KINDERGARTEN_ITEMS = {item.number for item in KINDERGARTEN_AREAS}
SCHOOL_ITEMS = {item.number for item in SUPERVISION_ITEMS}

# Besides the days every date-sensitive test runs on, days in the demo's own holidays.
DAYS = {
    **TODAYS,
    "spring-festival-holiday": moment(2027, 2, 10),
    "national-day": moment(2026, 10, 3),
    "mid-august": moment(2026, 8, 15),
}

# Each test here runs on every day of DAYS against a demo built on that day: the demo
# must look alive whatever the date (on the 1st the current month is simply young; in a
# holiday the recent activity is from before it).
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-supervision")]


@pytest.fixture(scope="module", params=list(DAYS.values()), ids=list(DAYS))
def demo_day(request):
    return request.param


@pytest.fixture
def clock_now(demo_day):
    """The tests run on the day the demo was built."""
    return demo_day


@pytest.fixture(scope="module")
def built(demo_day, django_db_setup, django_db_blocker, demo_media):
    with shared_build(demo_day, demo_media, django_db_blocker):
        yield generator.DemoBuilder(seed=1, schools=SCHOOLS, skip=LATER_MODULES).build()


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
    for visit in visits.select_related("inspector", "created_by", "school"):
        local = visit.visited_at.astimezone(datetime.UTC).astimezone(
            datetime.timezone(datetime.timedelta(hours=8))
        )
        assert local.weekday() < 5 and 8 <= local.hour < 16
        assert visit.visited_on == local.date() < today
        assert visit.visited_at < visit.submitted_at
        assert visit.methods and visit.feedback
        items = KINDERGARTEN_ITEMS if visit.school.type == SchoolType.KINDERGARTEN else SCHOOL_ITEMS
        assert set(visit.area_checks.values_list("area", flat=True)) == items
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
    serious = findings.get(severity=Severity.SERIOUS, status=FindingStatus.CLOSED)
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


def test_visits_on_school_days_only(built):
    """No visit (submitted or draft) on a weekend, in the summer or winter holiday, in the
    Spring Festival or National Day week (the demo's `school_calendar`)."""
    days = set(Visit.all_objects.values_list("visited_on", flat=True))
    assert days
    assert not [day for day in days if not cal.is_school_day(day)]
    assert all(day.weekday() < 5 for day in days)


def test_problems_fit_the_school_type(built):
    """A kindergarten's visits and findings are on the kindergarten areas, with its own
    problems (no 三年级书面作业), and no six minimums; every other type's on the eight
    items, with problems of its levels (no 小学化 at a school, no 晚自习 at a primary)."""
    # Visits' findings; a campaign's are described by its checklist (test_campaigns_demo.py).
    findings = Finding.all_objects.filter(visit__isnull=False).select_related("school")
    assert findings.filter(school__type=SchoolType.KINDERGARTEN).exists()
    assert findings.exclude(school__type=SchoolType.KINDERGARTEN).exists()
    for finding in findings:
        kind = finding.school.type
        items = KINDERGARTEN_ITEMS if kind == SchoolType.KINDERGARTEN else SCHOOL_ITEMS
        assert finding.area in items, (kind, finding.area)
        assert finding.description in wording.descriptions_for(kind), (kind, finding)
    assert not findings.filter(
        school__type=SchoolType.KINDERGARTEN, description__contains="年级"
    ).exists()
    primary = wording.descriptions_for(SchoolType.PRIMARY)
    assert not any("晚自习" in text or "小学化" in text for text in primary)
    kindergarten_visits = Visit.all_objects.filter(school__type=SchoolType.KINDERGARTEN)
    assert kindergarten_visits.exists()
    assert not kindergarten_visits.exclude(minimums=[]).exists()
    notes = AreaCheck.objects.filter(
        visit__school__type=SchoolType.KINDERGARTEN, status=AreaCheck.Status.FINE
    ).values_list("note", flat=True)
    kindergarten_notes = {n for item in KINDERGARTEN_ITEMS for n in wording.FINE_NOTES[item]}
    assert set(notes) <= kindergarten_notes


def test_a_serious_violation_is_in_the_escalation_queue(built, main_office):
    """A recent serious violation, reported to the county office at once by the service
    that recorded it, is still open: the escalation queue and its figure are not empty."""
    open_serious = Finding.all_objects.filter(
        office=main_office, severity=Severity.SERIOUS, status__in=ACTIVE
    )
    assert open_serious.count() == 1
    finding = open_serious.get()
    assert finding.escalated_to == Escalation.COUNTY
    created, escalated = finding.events.order_by("at", "pk")[:2]  # at once
    assert (created.action, escalated.action) == ("created", "escalated")
    assert escalated.data["reason"] == "serious"
    assert finding.found_on >= cal.school_days_before(built.today, 10)[0]  # recent
    admin = User.objects.get(username="admin")
    queue = (
        scoping.findings_for(admin).filter(status__in=ACTIVE).exclude(escalated_to=Escalation.NONE)
    )
    assert finding in queue
    assert queue.count() > 1


def test_teaching_points_are_visited_with_their_host(built, main_office):
    """清河县 visits its teaching points with their host school (its SchoolTypeRule says
    so): none has a visit of its own, the host's visits name them, and a host visited in a
    month covers its teaching points in the month's figures."""
    rule = SchoolTypeRule.objects.get(office=main_office, school_type=SchoolType.TEACHING_POINT)
    assert rule.with_host
    assert RuleBook([main_office.pk]).rule(main_office.pk, SchoolType.TEACHING_POINT).with_host
    points = School.all_objects.filter(
        office=main_office, type=SchoolType.TEACHING_POINT, is_active=True
    )
    assert points.exists()
    assert not points.filter(host_school__isnull=True).exists()
    assert not Visit.all_objects.filter(school__in=points).exists()
    for point in points:
        host_visits = Visit.all_objects.filter(
            school=point.host_school_id, status=Visit.Status.SUBMITTED
        )
        assert host_visits.exists()
        assert host_visits.filter(feedback__contains=point.name).count() == host_visits.count()
    today = built.today
    year, month = [m for m in school_months(today, 6) if m < (today.year, today.month)][-1]
    visited_hosts = Visit.all_objects.filter(
        status=Visit.Status.SUBMITTED, visited_on__year=year, visited_on__month=month
    ).values("school")
    covered = points.filter(host_school__in=visited_hosts)
    assert covered.exists()
    not_visited = not_visited_in_office(main_office, year, month)
    assert not not_visited.filter(pk__in=covered.values("pk")).exists()
    # The second county keeps the default: its teaching points are visited on their own.
    assert not SchoolTypeRule.objects.exclude(office=main_office).exists()


def test_the_dashboard_looks_alive(built, main_office):
    """Whatever today is: visits within the last 30 school days, open and overdue findings,
    this month's focus points, recent notifications for the logins."""
    today = built.today
    recent = cal.school_days_before(today, 30)[0]
    visits = Visit.all_objects.filter(office=main_office, status=Visit.Status.SUBMITTED)
    assert visits.filter(visited_on__gte=recent).count() >= 10
    findings = Finding.all_objects.filter(office=main_office, status__in=ACTIVE)
    assert findings.exists()
    assert findings.filter(is_overdue=True).exists()
    assert findings.filter(found_on__gte=recent).exists()
    for office in Office.objects.all():
        points = FocusPoint.all_objects.filter(office=office, year=today.year, month=today.month)
        assert points.count() >= 2
    notifications = Notification.all_objects.filter(
        created_at__gte=datetime.datetime.combine(recent, datetime.time(), tzinfo=SHANGHAI)
    )
    for username in ("admin", "school"):
        assert notifications.filter(recipient__username=username).exists(), username
    assert notifications.filter(recipient__inspector__isnull=False).exists()
