"""The demo's finished 开学 campaign and its "双减" return in progress (`seed_demo`, step
"campaigns and returns", issue 12) on every pinned day: the draw, the teams' checks on school
days, the results (page, public page, XLSX), the reports on time, late and missing, and the
reminders. The registry and the step alone are built (the supervision history is not
needed here), once per module and day."""

import datetime

import pytest
from django.urls import reverse

from dudao.accounts.models import Role, User
from dudao.audit.models import AuditEntry
from dudao.campaigns.models import (
    Answer,
    AnswerEvidence,
    Campaign,
    CampaignEvent,
    CampaignTarget,
    TargetRule,
    TeamMember,
)
from dudao.checklists import shipped
from dudao.demo import campaigns as demo
from dudao.demo import generator
from dudao.demo import school_calendar as cal
from dudao.inspectors.models import Assignment
from dudao.organisations.models import Office
from dudao.rectification.models import Finding
from dudao.returns.models import PeriodicReturn, ReturnPeriod, ReturnSubmission
from tests.clock import SHANGHAI, TODAYS, moment

from .conftest import shared_build

SCHOOLS = 40
DAYS = {**TODAYS, "national-day": moment(2026, 10, 3), "mid-september": moment(2026, 9, 10)}
S = ReturnSubmission.Status

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-campaigns")]


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
        yield generator.DemoBuilder(
            seed=1, schools=SCHOOLS, skip=("supervision", "balance monitoring")
        ).build()


@pytest.fixture
def office(built):
    return Office.objects.get(region__code=generator.MAIN_COUNTY.code)


@pytest.fixture
def campaign(office):
    return Campaign.all_objects.get(office=office)


@pytest.fixture
def periodic_return(office):
    return PeriodicReturn.all_objects.get(office=office)


def midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=SHANGHAI)


def test_term_starts_are_school_days_after_the_holidays():
    starts = demo.term_starts(datetime.date(2027, 3, 31))
    assert starts[:3] == [
        datetime.date(2027, 2, 22),  # after the 2027 winter holiday (16 January - 21 February)
        datetime.date(2026, 9, 1),
        datetime.date(2026, 3, 2),
    ]
    # On 29 February 2028 the spring campaign (from 14 February) is not over: the autumn one.
    dates = demo.campaign_dates(datetime.date(2028, 2, 29))
    assert (dates["season"], dates["starts_on"]) == ("秋季", datetime.date(2027, 9, 1))
    assert demo.return_start(datetime.date(2026, 12, 1)) == datetime.date(2026, 10, 1)
    assert demo.return_start(datetime.date(2027, 1, 20)) == datetime.date(2026, 11, 16)


def test_a_finished_campaign_of_the_latest_term_start(built, campaign):
    today = built.today
    assert campaign.status == Campaign.Status.PUBLISHED
    assert campaign.checklist.key == shipped.KAIXUE and campaign.checklist.office_id is None
    starts = [d for d in demo.term_starts(today) if d < today]
    assert campaign.starts_on in starts
    # A later term start is too recent for its campaign to be over (two school weeks of
    # checks, then closing and publishing).
    for start in starts:
        if start > campaign.starts_on:
            assert (today - start).days < 31
    season = "秋季" if campaign.starts_on.month >= 8 else "春季"
    assert campaign.title == f"{campaign.starts_on.year}年{season}开学工作督查"
    assert campaign.ends_on < today
    assert campaign.created_at < campaign.drawn_at < midnight(campaign.starts_on)
    assert midnight(campaign.ends_on) < campaign.closed_at < campaign.published_at
    assert campaign.published_at < midnight(today)
    actions = list(campaign.events.order_by("at", "pk").values_list("action", flat=True))
    assert actions == ["created", "drawn", "start", "close", "publish"]
    assert not CampaignEvent.objects.filter(at__gte=midnight(today)).exists()


def test_the_draw(campaign, office):
    assert campaign.target_rule == TargetRule.RANDOM
    assert campaign.draw_seed == campaign.legal_basis and campaign.draw_seed.startswith("清督〔")
    assert campaign.target_params["strata"] == "zone"
    assert (campaign.team_size, campaign.exclude_own) == (2, True)
    assert "dudao-draw-1" in campaign.draw_method
    active = office.schools.filter(is_active=True).count()
    targets = CampaignTarget.all_objects.filter(campaign=campaign).select_related("school")
    assert targets.count() == round(active * demo.SAMPLE_PERCENT / 100)
    assert len({t.school.zone_id for t in targets}) > 1  # stratified by zone
    for target in targets:
        members = TeamMember.objects.filter(team=target.team_id)
        assert members.count() == 2
        own = Assignment.all_objects.current(on=campaign.starts_on).filter(school=target.school)
        assert not members.filter(inspector__in=own.values("inspector")).exists()


def test_every_school_checked_by_its_team_on_a_school_day(campaign):
    targets = CampaignTarget.all_objects.filter(campaign=campaign).select_related("school")
    by_members = 0
    for target in targets:
        assert target.status == CampaignTarget.Status.SUBMITTED
        visited = target.visited_at.astimezone(SHANGHAI)
        assert campaign.starts_on <= visited.date() <= campaign.ends_on
        assert cal.is_school_day(visited.date()) and 8 <= visited.hour < 16
        assert (
            target.visited_at
            < target.submitted_at
            < midnight(campaign.ends_on) + (datetime.timedelta(days=1))
        )
        assert target.notes
        team = set(
            TeamMember.objects.filter(team=target.team_id).values_list("inspector", flat=True)
        )
        submitter = target.submitted_by
        assert submitter.inspector_id in team or submitter.role == Role.OFFICE_ADMIN
        by_members += submitter.inspector_id in team
        answered = Answer.objects.filter(target=target)
        assert not answered.filter(value__isnull=True).exclude(item__answer_type="photo").exists()
        assert not answered.filter(
            answered_at__gte=midnight(campaign.ends_on + (datetime.timedelta(days=1)))
        ).exists()
    assert by_members > len(targets) / 2  # the teams' inspectors have logins


def test_answers_mostly_compliant_a_few_findings(campaign):
    answers = Answer.objects.filter(target__campaign=campaign)
    assessed = answers.filter(compliant__isnull=False)
    failing = assessed.filter(compliant=False)
    assert 0 < failing.count() < assessed.count() * 0.1
    assert not failing.filter(note="").exists()  # each non-compliant answer says why
    raised = failing.filter(finding__isnull=False).select_related("finding__school", "target")
    assert 2 <= raised.count() <= failing.count()
    for answer in raised:
        finding = answer.finding
        assert finding.school_id == answer.target.school_id
        assert finding.office_id == campaign.office_id
        assert campaign.starts_on <= finding.found_on <= campaign.ends_on
        assert campaign.title in finding.description
        assert finding.school.type != "kindergarten"  # the eight school items only
    assert not answers.filter(compliant=True, finding__isnull=False).exists()
    # Evidence where the checklist requires it (photos of the 公示 and the 台账).
    required = answers.filter(item__evidence_required=True)
    assert required.exists()
    assert AnswerEvidence.objects.filter(answer__in=required).count() >= required.count()


def test_overdue_findings_are_flagged_by_the_nightly_check(built, campaign):
    """The campaign's findings open past their deadline are flagged overdue (the nightly
    check of the supervision step, or of the platform)."""
    from dudao.rectification.overdue import daily_check

    daily_check(built.today)  # here the supervision step, which replays it, is skipped
    for finding in Finding.all_objects.filter(campaign_answers__target__campaign=campaign):
        assert finding.is_overdue == (finding.deadline < built.today)


def test_results_public_page_and_spreadsheet(client, campaign):
    admin = User.objects.get(username="admin")
    client.force_login(admin)
    school = CampaignTarget.all_objects.filter(campaign=campaign).first().school
    page = client.get(reverse("campaigns:results", args=[campaign.pk]))
    assert page.status_code == 200
    assert school.name in page.content.decode()
    sheet = client.get(reverse("campaigns:results_xlsx", args=[campaign.pk]))
    assert sheet.status_code == 200
    assert sheet["Content-Type"].startswith("application/vnd.openxmlformats")
    client.logout()
    public = client.get(f"/p/campaigns/{campaign.pk}/")
    assert public.status_code == 200
    text = public.content.decode()
    assert campaign.title in text and campaign.draw_seed in text


def test_the_return_runs_since_two_months(built, periodic_return, office):
    today = built.today
    assert periodic_return.status == PeriodicReturn.Status.ACTIVE
    assert periodic_return.checklist.key == shipped.SHUANGJIAN_RETURN
    assert periodic_return.starts_on == demo.return_start(today)
    schools = set(periodic_return.schools.values_list("type", flat=True))
    assert schools <= set(demo.RETURN_TYPES) and "primary" in schools
    # Every school reports under its own account.
    for school in periodic_return.schools.all():
        assert User.objects.filter(role=Role.SCHOOL, school=school).exists()
    periods = list(ReturnPeriod.all_objects.filter(periodic_return=periodic_return))
    assert 4 <= len(periods) <= 5
    assert any(p.opens_on <= today <= p.due_on for p in periods)
    assert all(p.opens_on <= today for p in periods)


def test_who_reported_who_is_late_and_who_has_not(built, periodic_return):
    today = built.today
    rows = ReturnSubmission.all_objects.filter(period__periodic_return=periodic_return)
    schools = periodic_return.schools.count()
    past = rows.filter(period__due_on__lt=today - datetime.timedelta(days=4))
    reported = past.filter(status=S.SUBMITTED)
    assert (
        reported.filter(is_late=False).count() > 0.6 * past.count()
    )  # two never, three often late
    assert reported.filter(is_late=True).exists()
    never = {
        s
        for s in periodic_return.schools.values_list("pk", flat=True)
        if not rows.filter(school=s, status=S.SUBMITTED).exists()
    }
    assert 1 <= len(never) <= demo.NEVER_REPORT + 1
    for submission in reported.select_related("period"):
        assert submission.is_late == (
            submission.submitted_at.astimezone(SHANGHAI).date() > submission.period.due_on
        )
        assert submission.submitted_by.school_id == submission.school_id
    assert not rows.filter(submitted_at__gte=midnight(today)).exists()
    # The period open now: partly reported once a working day of it has passed.
    current = ReturnPeriod.all_objects.get(
        periodic_return=periodic_return, opens_on__lte=today, due_on__gte=today
    )
    in_current = rows.filter(period=current)
    assert in_current.count() == schools
    assert in_current.exclude(status=S.SUBMITTED).exists()
    if any(
        cal.is_working_day(current.opens_on + datetime.timedelta(days=n))
        for n in range((today - current.opens_on).days)
    ):
        assert in_current.filter(status=S.SUBMITTED).exists()


def test_the_school_login_has_a_report_to_fill_in(built, periodic_return):
    school = User.objects.get(username="school").school
    rows = ReturnSubmission.all_objects.filter(
        period__periodic_return=periodic_return, school=school
    )
    current = rows.get(period__opens_on__lte=built.today, period__due_on__gte=built.today)
    assert current.status != S.SUBMITTED
    assert rows.filter(status=S.SUBMITTED).count() >= rows.count() - 2


def test_reminders_were_sent(built, periodic_return):
    rows = ReturnSubmission.all_objects.filter(period__periodic_return=periodic_return)
    assert rows.filter(reminders_sent__gt=0).exists()
    assert not rows.filter(last_reminded_at__gte=midnight(built.today)).exists()
    # The office reminded the late schools of the last period ("remind now").
    admin = User.objects.get(username="admin")
    assert AuditEntry.all_objects.filter(
        actor=admin, target_type="returns.PeriodicReturn", changes__has_key="reminded"
    ).exists()


def test_the_office_pages_show_the_return(client, periodic_return, built):
    client.force_login(User.objects.get(username="admin"))
    page = client.get(reverse("returns:detail", args=[periodic_return.pk]))
    assert page.status_code == 200
    assert client.get(reverse("returns:figures", args=[periodic_return.pk])).status_code == 200
    period = ReturnPeriod.all_objects.filter(
        periodic_return=periodic_return, due_on__lt=built.today
    ).last()
    detail = client.get(reverse("returns:period", args=[period.pk]))
    assert detail.status_code == 200


def test_reset_removes_campaigns_and_returns(built):
    generator.DemoBuilder.reset()
    assert not Campaign.all_objects.exists()
    assert not PeriodicReturn.all_objects.exists()
    assert not ReturnSubmission.all_objects.exists()
    assert not User.objects.filter(role=Role.SCHOOL).exists()
