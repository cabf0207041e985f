"""Deadlines and the daily check (dudao/complaints/overdue.py) at pinned dates: the reply is
due `reply_days` after the day received (Beijing), overdue the day after, urged again every
`urge_days`, once per day however often the job runs, cleared by the reply."""

import datetime

import pytest

from dudao.complaints import services
from dudao.complaints.models import ComplaintEvent, ComplaintRules
from dudao.complaints.overdue import check_overdue_complaints
from dudao.complaints.tasks import check_overdue_complaints_task
from dudao.notifications.models import Notification

from .helpers import assigned, fresh, receive

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def lines(complaint, action):
    return ComplaintEvent.objects.filter(complaint=complaint, action=action).count()


@pytest.mark.any_day
def test_the_deadline_counts_from_the_beijing_day_received(world, today):
    complaint = receive(world)
    assert complaint.received_at.astimezone(datetime.UTC)  # stored in UTC
    assert complaint.deadline == today + 15 * DAY


@pytest.mark.any_day
def test_the_office_sets_its_days_to_reply(world, today):
    services.save_rules(world.admin, world.office, reply_days=7, urge_days=2)
    assert receive(world).deadline == today + 7 * DAY
    # The other county keeps the default.
    assert receive(world, school="foreign_school").deadline == today + 15 * DAY


def test_only_the_office_admin_sets_the_rules(world):
    from dudao.core.errors import DomainError, NotPermitted

    for actor in (world.inspector_user, world.other_admin, world.superuser):
        with pytest.raises(NotPermitted):
            services.save_rules(actor, world.office, reply_days=7, urge_days=2)
    with pytest.raises(DomainError):
        services.save_rules(world.admin, world.office, reply_days=0, urge_days=2)
    assert not ComplaintRules.objects.exists()


@pytest.mark.any_day
def test_overdue_the_day_after_the_deadline_and_urged_every_three_days(world, today):
    complaint = assigned(world)
    deadline = complaint.deadline
    assert check_overdue_complaints(deadline) == {"marked": 0, "urged": 0, "cleared": 0}
    assert not fresh(complaint).is_overdue
    assert check_overdue_complaints(deadline + DAY)["marked"] == 1
    complaint = fresh(complaint)
    assert complaint.is_overdue and complaint.urge_count == 1
    assert complaint.last_urged_on == deadline + DAY
    assert lines(complaint, "overdue") == 1
    # A second run the same day, and the next two days: nothing more.
    for day in (deadline + DAY, deadline + 2 * DAY, deadline + 3 * DAY):
        assert check_overdue_complaints(day) == {"marked": 0, "urged": 0, "cleared": 0}
    assert check_overdue_complaints(deadline + 4 * DAY)["urged"] == 1
    assert fresh(complaint).urge_count == 2 and lines(complaint, "urged") == 1
    # After nights the job missed, one urging, not one per night.
    assert check_overdue_complaints(deadline + 20 * DAY)["urged"] == 1
    assert fresh(complaint).urge_count == 3
    # The status and the version are untouched: open forms stay valid.
    assert fresh(complaint).status == complaint.status
    assert fresh(complaint).version == complaint.version


def test_the_reply_ends_the_urging(world, today):
    complaint = assigned(world)
    check_overdue_complaints(complaint.deadline + DAY)
    complaint = fresh(complaint)
    complaint = services.reply(
        world.inspector_user, complaint, expected_version=complaint.version, text="已核查答复"
    )
    assert not complaint.is_overdue
    assert check_overdue_complaints(complaint.deadline + 10 * DAY) == {
        "marked": 0,
        "urged": 0,
        "cleared": 0,
    }


def test_a_later_deadline_clears_the_flag(world, today, clock):
    complaint = assigned(world)
    check_overdue_complaints(complaint.deadline + DAY)
    complaint = fresh(complaint)
    clock.move_to(
        datetime.datetime.combine(
            complaint.deadline + DAY,
            datetime.time(10),
            tzinfo=datetime.timezone(datetime.timedelta(hours=8)),
        )
    )
    later = complaint.deadline + 10 * DAY
    complaint = services.assign(
        world.admin,
        complaint,
        expected_version=complaint.version,
        inspector=world.inspector,
        deadline=later,
    )
    assert not complaint.is_overdue


def test_the_overdue_check_tells_the_inspector_and_the_office(
    world, complaint_messages, django_capture_on_commit_callbacks
):
    complaint = assigned(world)
    with django_capture_on_commit_callbacks(execute=True):
        check_overdue_complaints(complaint.deadline + DAY)
    told = Notification.objects.unscoped().filter(kind="complaint.overdue")
    assert set(told.values_list("recipient", flat=True)) == {
        world.admin.pk,
        world.inspector_user.pk,
    }
    with django_capture_on_commit_callbacks(execute=True):
        check_overdue_complaints(complaint.deadline + 4 * DAY)
    urged = Notification.objects.unscoped().filter(kind="complaint.urge")
    assert set(urged.values_list("recipient", flat=True)) == {
        world.admin.pk,
        world.inspector_user.pk,
    }


def test_the_office_s_days_between_urgings(world):
    ComplaintRules.objects.create(office=world.office, urge_days=1)
    complaint = assigned(world)
    check_overdue_complaints(complaint.deadline + DAY)
    assert check_overdue_complaints(complaint.deadline + 2 * DAY)["urged"] == 1


def test_the_task_checks_today(world, clock):
    complaint = assigned(world)
    clock.move_to(
        datetime.datetime.combine(
            complaint.deadline + DAY,
            datetime.time(0, 20),
            tzinfo=datetime.timezone(datetime.timedelta(hours=8)),
        )
    )
    check_overdue_complaints_task.call()
    assert fresh(complaint).is_overdue
