"""The returns' workflows: the table, the history lines, and reminders on the days they are
due, on every pinned day."""

import datetime

import pytest

from dudao.core.errors import IllegalTransition
from dudao.returns import services
from dudao.returns.models import ReturnEvent, ReturnSubmission, SubmissionEvent
from tests.clock import SHANGHAI

from .conftest import answers, new_return

pytestmark = pytest.mark.django_db


def test_a_return_goes_draft_active_closed_with_its_history(world, checklist, today):
    item = new_return(world, checklist, starts_on=today)
    with pytest.raises(IllegalTransition):
        services.close_return(world.admin, item)
    item = services.activate_return(world.admin, item)
    with pytest.raises(IllegalTransition):
        services.activate_return(world.admin, item)
    item = services.close_return(world.admin, item)
    events = list(ReturnEvent.objects.filter(periodic_return=item).order_by("pk"))
    assert [(e.action, e.to_status) for e in events] == [
        ("created", "draft"),
        ("periods_opened", "active"),  # written inside the activation
        ("activate", "active"),
        ("close", "closed"),
    ]
    assert events[0].actor == world.admin
    with pytest.raises(services.DomainError):
        services.update_return(
            world.admin,
            item,
            title="x",
            checklist=checklist,
            schedule="monthly",
            due_day=None,
            starts_on=today,
            ends_on=None,
            remind_days_before=1,
        )


def test_a_reports_history(world, checklist, items, today):
    item = services.activate_return(world.admin, new_return(world, checklist, starts_on=today))
    submission = ReturnSubmission.objects.unscoped().get(
        period__periodic_return=item, period__opens_on__lte=today, school=world.school
    )
    services.save_draft(world.school_user, submission, {items["1"].pk: 3})
    services.submit(world.school_user, submission, answers(items))
    with pytest.raises(IllegalTransition):
        services.save_draft(world.school_user, submission, {items["1"].pk: 4})
    lines = SubmissionEvent.objects.filter(submission=submission).order_by("pk")
    assert [(e.action, e.from_status, e.to_status) for e in lines] == [
        ("save", "pending", "draft"),
        ("submit", "draft", "submitted"),
    ]
    assert lines[1].actor == world.school_user


@pytest.mark.any_day
def test_reminders_fall_on_their_days(world, checklist, today, clock):
    item = services.activate_return(
        world.admin, new_return(world, checklist, starts_on=today, remind_days_before=2)
    )
    period = item.periods.get(opens_on__lte=today)
    due = period.due_on

    def on(day):
        clock.move_to(datetime.datetime.combine(day, datetime.time(10, 30), tzinfo=SHANGHAI))
        return services.send_reminders(day)["reminded"]

    before = due - datetime.timedelta(days=2)
    if before >= today:
        assert on(before) == 3
        assert on(before) == 0
    if due - datetime.timedelta(days=1) >= today:
        assert on(due - datetime.timedelta(days=1)) == 0
    assert on(due) == 0  # the due date itself: not late yet
    assert on(due + datetime.timedelta(days=1)) == 3
    assert on(due + datetime.timedelta(days=1)) == 0
    assert on(due + datetime.timedelta(days=2)) == 3
