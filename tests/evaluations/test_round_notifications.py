"""Who hears about an evaluation round (dudao/evaluations/round_notifications.py, docs/rules.md
§24): each stage change after commit, to the school targets' accounts and to the raters of the
targets they score, with a scoped link; and the daily reminders before a stage's deadline, once
per round, stage, recipient and days before, to those who have not finished."""

import datetime

import pytest
from django.urls import reverse

from dudao.accounts.models import Role
from dudao.core.schedule import JOBS
from dudao.evaluations import round_services
from dudao.evaluations.models import Round, RoundReminder, RoundTarget
from dudao.evaluations.round_notifications import days_before, send_stage_reminders
from dudao.notifications.models import Notification
from tests.factories import SchoolFactory, UserFactory

from .round_fixtures import build_round, expert

pytestmark = pytest.mark.django_db
Stage = Round.Stage
DAY = datetime.timedelta(days=1)
FULL = {"A1.1": "30", "A1.2": "A", "A2.1": "yes", "A2.2": "40", "V1": "yes"}


def notes(kind=None):
    qs = Notification.objects.unscoped().all()
    return qs.filter(kind=kind) if kind else qs


def recipients(kind):
    return {n.recipient.username for n in notes(kind).select_related("recipient")}


def target_of(round_, school) -> RoundTarget:
    return (
        RoundTarget.objects.unscoped()
        .select_related("round__framework", "school")
        .get(round=round_, school=school)
    )


def score(user, target, group, values=FULL):
    round_services.save_scores(
        user, target, {code: {"value": value} for code, value in values.items()}, group=group
    )


@pytest.fixture
def people(world):
    """A second school's account (zone_school, in the round), accounts of a school outside the
    round (far_school) and of the other county, and a rater of zone_school only."""
    return {
        "zone": UserFactory(
            username="zone_school", role=Role.SCHOOL, office=world.office, school=world.zone_school
        ),
        "far": UserFactory(
            username="far_school", role=Role.SCHOOL, office=world.office, school=world.far_school
        ),
        "foreign": UserFactory(
            username="foreign_school",
            role=Role.SCHOOL,
            office=world.foreign_school.office,
            school=world.foreign_school,
        ),
    }


def _round(world, stage=Stage.DRAFT, *, zone_rater=True):
    round_ = build_round(world, stage=Stage.DRAFT)
    if zone_rater:
        round_services.add_rater(
            world.admin,
            round_,
            user=expert(world, "zone_expert"),
            group="expert",
            target=target_of(round_, world.zone_school),
        )
    return round_


def _take(round_, world, action, capture, note=""):
    with capture(execute=True):
        round_services.take_action(world.admin, round_, action, note=note)
    return Round.objects.unscoped().get(pk=round_.pk)


def test_opening_tells_each_school_target_with_its_sheet(
    world, people, login, django_capture_on_commit_callbacks
):
    round_ = _round(world)
    with django_capture_on_commit_callbacks(execute=True):
        round_services.add_targets(world.admin, round_, units=[])  # history lines: nobody told
    assert not notes().exists()
    _take(round_, world, "open", django_capture_on_commit_callbacks)
    assert recipients("evaluation.self_assessment_opened") == {"school", "zone_school"}
    assert notes().count() == 2  # no rater, nor far_school, nor the other county
    mine = notes().get(recipient=world.school_user)
    hubin = target_of(round_, world.school)
    assert mine.url == reverse("evaluations:round_target", args=[hubin.pk])
    assert mine.params["due"] == round_.self_due.isoformat()
    assert mine.params["title"] == round_.title and mine.params["school"] == world.school.name
    assert login(world.school_user).get(mine.url).status_code == 200
    assert login(people["zone"]).get(mine.url).status_code == 404
    assert login(people["foreign"]).get(mine.url).status_code == 404


def test_nothing_is_sent_before_the_commit(world, people):
    # The test's transaction never commits: the signal, sent on commit, never goes.
    round_ = _round(world)
    round_services.take_action(world.admin, round_, "open")
    assert not notes().exists()


def test_scoring_tells_each_rater_only_for_the_targets_they_score(
    world, people, login, django_capture_on_commit_callbacks
):
    round_ = _round(world)
    round_ = _take(round_, world, "open", django_capture_on_commit_callbacks)
    round_ = _take(round_, world, "start_scoring", django_capture_on_commit_callbacks)
    hubin, xihu = target_of(round_, world.school), target_of(round_, world.zone_school)
    sent = notes("evaluation.scoring_opened").select_related("recipient")
    pairs = {(n.recipient.username, n.url) for n in sent}
    sheet = {t: reverse("evaluations:round_target", args=[t.pk]) for t in (hubin, xihu)}
    assert pairs == {
        ("expert1", sheet[hubin]),
        ("expert1", sheet[xihu]),
        ("expert2", sheet[hubin]),
        ("expert2", sheet[xihu]),
        ("zone_expert", sheet[xihu]),  # not on 湖滨小学: not assigned to it
    }
    assert {n.params["due"] for n in sent} == {round_.expert_due.isoformat()}
    # No school is told that scoring opened.
    assert not notes("evaluation.scoring_opened").filter(recipient__role=Role.SCHOOL).exists()
    zone_expert = sent.filter(recipient__username="zone_expert").get().recipient
    assert login(zone_expert).get(sheet[xihu]).status_code == 200
    assert login(zone_expert).get(sheet[hubin]).status_code == 404


def test_a_recused_rater_is_not_told(world, people, django_capture_on_commit_callbacks):
    round_ = _round(world, zone_rater=False)
    own = UserFactory(
        username="peer", role=Role.SCHOOL, office=world.office, school=world.zone_school
    )
    round_services.add_rater(world.admin, round_, user=own, group="peer")  # every target
    round_ = _take(round_, world, "open", django_capture_on_commit_callbacks)
    Notification.objects.unscoped().all().delete()
    _take(round_, world, "start_scoring", django_capture_on_commit_callbacks)
    peer = notes("evaluation.scoring_opened").filter(recipient=own)
    # A school never rates itself: the peer hears of 湖滨小学 only.
    assert [n.params["school"] for n in peer] == [world.school.name]


def test_reopening_tells_the_raters_again_with_the_reason(
    world, people, django_capture_on_commit_callbacks
):
    round_ = _round(world)
    for action in ("open", "start_scoring", "start_review"):
        round_ = _take(round_, world, action, django_capture_on_commit_callbacks)
    Notification.objects.unscoped().all().delete()
    _take(round_, world, "reopen", django_capture_on_commit_callbacks, note="A2.2 复核")
    assert recipients("evaluation.scoring_reopened") == {"expert1", "expert2", "zone_expert"}
    assert {n.params["description"] for n in notes()} == {"A2.2 复核"}
    assert notes().count() == 5


def test_publishing_tells_the_school_targets_with_their_result_page(
    world, people, login, django_capture_on_commit_callbacks
):
    round_ = _round(world, zone_rater=False)
    round_ = _take(round_, world, "open", django_capture_on_commit_callbacks)
    hubin, xihu = target_of(round_, world.school), target_of(round_, world.zone_school)
    score(world.school_user, hubin, "self")
    score(people["zone"], xihu, "self")
    for action in ("start_scoring", "start_review"):
        round_ = _take(round_, world, action, django_capture_on_commit_callbacks)
    Notification.objects.unscoped().all().delete()
    _take(round_, world, "publish", django_capture_on_commit_callbacks)
    assert recipients("evaluation.published") == {"school", "zone_school"}
    assert notes().count() == 2
    mine = notes().get(recipient=world.school_user)
    hubin.refresh_from_db()
    assert mine.url == reverse("evaluations:round_target_result", args=[hubin.pk])
    assert mine.params["grade"] == hubin.grade
    assert login(world.school_user).get(mine.url).status_code == 200
    assert login(people["zone"]).get(mine.url).status_code == 404
    assert login(people["far"]).get(mine.url).status_code == 404


def test_a_government_unit_target_has_no_accounts_to_tell(
    world, django_capture_on_commit_callbacks
):
    from dudao.evaluations.models import TargetKind
    from dudao.organisations.models import GovernmentUnit

    from .round_fixtures import build_framework

    framework = build_framework(kind=TargetKind.TOWNSHIP)
    round_ = round_services.create_round(
        world.admin, world.office, framework=framework, title="乡镇目标管理", year=2026
    )
    unit = GovernmentUnit.all_objects.create(
        office=world.office, name="城关镇人民政府", kind="township"
    )
    round_services.add_targets(world.admin, round_, units=[unit])
    _take(round_, world, "open", django_capture_on_commit_callbacks)
    assert not notes().exists()


# ---- reminders ---------------------------------------------------------------------------------


def test_the_reminder_days():
    due = datetime.date(2027, 3, 10)
    got = {n: days_before(due, due - n * DAY) for n in range(-1, 6)}
    assert got == {-1: None, 0: 1, 1: 1, 2: 3, 3: 3, 4: None, 5: None}
    assert days_before(None, due) is None


def _due_in(world, round_, days, today, field="self_due"):
    fields = {"self_due": today + days * DAY, "expert_due": today + (days + 10) * DAY}
    if field == "expert_due":
        fields = {"self_due": today - DAY, "expert_due": today + days * DAY}
    return round_services.update_round(world.admin, round_, **fields)


@pytest.mark.any_day
def test_self_assessment_reminders_once_to_those_who_have_not_submitted(world, people, today):
    round_ = _round(world)
    round_services.take_action(world.admin, round_, "open")
    hubin, xihu = target_of(round_, world.school), target_of(round_, world.zone_school)
    score(people["zone"], xihu, "self")
    round_services.submit_self_assessment(people["zone"], xihu)  # finished: not reminded
    _due_in(world, round_, 3, today)
    assert send_stage_reminders(today) == {"rounds": 1, "reminders": 1}
    note = notes("evaluation.self_assessment_remind").get()
    assert note.recipient == world.school_user
    assert note.url == reverse("evaluations:round_target", args=[hubin.pk])
    assert note.params["due"] == (today + 3 * DAY).isoformat()
    # Rerun the same day, and the next day (still the three-day reminder): nothing twice.
    assert send_stage_reminders(today)["reminders"] == 0
    assert send_stage_reminders(today + DAY)["reminders"] == 0
    # One day before: the second reminder; the deadline day itself belongs to it.
    assert send_stage_reminders(today + 2 * DAY)["reminders"] == 1
    assert send_stage_reminders(today + 3 * DAY)["reminders"] == 0
    assert send_stage_reminders(today + 4 * DAY)["reminders"] == 0  # past the deadline
    assert notes("evaluation.self_assessment_remind").count() == 2
    assert set(RoundReminder.objects.values_list("days_before", flat=True)) == {3, 1}
    # Nobody else: no rater, no other school, no other county.
    assert set(notes().values_list("recipient__username", flat=True)) == {"school"}


@pytest.mark.any_day
def test_no_reminder_far_from_the_deadline_or_without_one(world, people, today):
    round_ = _round(world)
    round_services.take_action(world.admin, round_, "open")
    _due_in(world, round_, 4, today)
    assert send_stage_reminders(today)["reminders"] == 0
    round_services.update_round(world.admin, round_, self_due=None)
    assert send_stage_reminders(today)["reminders"] == 0
    assert not notes().exists()


@pytest.mark.any_day
def test_a_changed_deadline_is_reminded_of_again(world, people, today):
    round_ = _round(world)
    round_services.take_action(world.admin, round_, "open")
    _due_in(world, round_, 1, today)
    assert send_stage_reminders(today)["reminders"] == 2  # both schools
    _due_in(world, round_, 2, today)
    assert send_stage_reminders(today)["reminders"] == 2
    assert (
        notes("evaluation.self_assessment_remind").filter(recipient=world.school_user).count() == 2
    )


@pytest.mark.any_day
def test_scoring_reminders_to_raters_with_leaves_left(world, people, today):
    round_ = _round(world)
    round_services.take_action(world.admin, round_, "open")
    round_ = Round.objects.unscoped().get(pk=round_.pk)
    round_services.take_action(world.admin, round_, "start_scoring")
    hubin, xihu = target_of(round_, world.school), target_of(round_, world.zone_school)
    one = round_.raters.get(user__username="expert1").user
    two = round_.raters.get(user__username="expert2").user
    zone_expert = round_.raters.get(user__username="zone_expert").user
    for target in (hubin, xihu):
        score(one, target, "expert")  # finished
    score(two, hubin, "expert")  # 西湖小学 left
    score(zone_expert, xihu, "expert", {"A1.1": "20"})  # four leaves left
    _due_in(world, round_, 1, today, field="expert_due")
    assert send_stage_reminders(today) == {"rounds": 1, "reminders": 2}
    sent = notes("evaluation.scoring_remind").select_related("recipient")
    by_user = {n.recipient.username: n for n in sent}
    assert set(by_user) == {"expert2", "zone_expert"}
    assert by_user["expert2"].url == reverse("evaluations:round_target", args=[xihu.pk])
    assert by_user["expert2"].params["count"] == 1
    assert login_status(world, two, by_user["expert2"].url) == 200
    assert send_stage_reminders(today)["reminders"] == 0
    assert not notes().filter(recipient__role=Role.SCHOOL).exists()


@pytest.mark.any_day
def test_a_rater_with_several_targets_left_gets_the_round_page(world, people, today):
    round_ = _round(world, zone_rater=False)
    round_services.take_action(world.admin, round_, "open")
    round_services.take_action(
        world.admin, Round.objects.unscoped().get(pk=round_.pk), "start_scoring"
    )
    _due_in(world, round_, 3, today, field="expert_due")
    assert send_stage_reminders(today)["reminders"] == 2
    note = notes("evaluation.scoring_remind").get(recipient__username="expert1")
    assert note.url == reverse("evaluations:round_detail", args=[round_.pk])
    assert note.params["count"] == 2


def login_status(world, user, url):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.get(url).status_code


def test_the_daily_job_is_scheduled():
    job = next(j for j in JOBS if j.name == "evaluation_stage_reminders")
    assert job.at == datetime.time(10, 50)
    assert job.task() is not None


def test_other_offices_rounds_are_reminded_to_their_own_schools_only(world, people, today):
    round_ = _round(world)
    round_services.take_action(world.admin, round_, "open")
    _due_in(world, round_, 1, today)
    SchoolFactory(office=world.office, name="新校")  # not in the round
    send_stage_reminders(today)
    assert set(notes().values_list("recipient__username", flat=True)) == {"school", "zone_school"}


@pytest.mark.any_day
def test_a_rater_of_some_indicators_is_done_when_those_are_scored(
    world, people, today, django_capture_on_commit_callbacks
):
    round_ = _round(world, zone_rater=False)
    hubin = target_of(round_, world.school)
    area = expert(world, "area_expert")
    round_services.add_rater(
        world.admin, round_, user=area, group="expert", target=hubin, indicator_codes=["A1"]
    )
    round_ = _take(round_, world, "open", django_capture_on_commit_callbacks)
    _take(round_, world, "start_scoring", django_capture_on_commit_callbacks)
    assert [n.url for n in notes("evaluation.scoring_opened").filter(recipient=area)] == [
        reverse("evaluations:round_target", args=[hubin.pk])
    ]
    score(area, hubin, "expert", {"A1.1": "25"})
    _due_in(world, round_, 1, today, field="expert_due")
    send_stage_reminders(today)
    assert notes("evaluation.scoring_remind").filter(recipient=area).count() == 1
    RoundReminder.objects.all().delete()
    score(area, hubin, "expert", {"A1.1": "25", "A1.2": "B"})  # both of A1: done
    Notification.objects.unscoped().all().delete()
    send_stage_reminders(today)
    assert not notes("evaluation.scoring_remind").filter(recipient=area).exists()
    assert recipients("evaluation.scoring_remind") == {"expert1", "expert2"}
