import datetime
import io
from unittest import mock

import pytest
import time_machine
from django.core.management import CommandError, call_command

from dudao.rectification import overdue, services
from dudao.rectification.models import Finding, FindingEvent, FindingStatus
from dudao.rectification.tasks import check_overdue_task
from dudao.rectification.workflow import Action

from .helpers import in_days, perform

# The overdue check is about dates: run every test here on every pinned day.
pytestmark = pytest.mark.any_day


@pytest.fixture
def tomorrow(today):
    return today + datetime.timedelta(days=1)


def fresh(finding):
    return Finding.all_objects.get(pk=finding.pk)


def overdue_events():
    return FindingEvent.objects.filter(action="overdue").count()


def test_on_the_spot_finding_is_overdue_the_next_day_once(world, finding, tomorrow, today):
    assert overdue.mark_overdue(today) == {"marked": 0, "cleared": 0}
    assert overdue.mark_overdue(tomorrow) == {"marked": 1, "cleared": 0}
    version = fresh(finding).version
    assert overdue.mark_overdue(tomorrow) == {"marked": 0, "cleared": 0}
    finding = fresh(finding)
    assert finding.is_overdue
    assert finding.status == FindingStatus.OPEN  # overdue does not erase the status
    assert finding.version == version  # nor make the users' open forms stale
    assert overdue_events() == 1


def test_moving_the_deadline_clears_overdue(world, finding, tomorrow):
    overdue.mark_overdue(tomorrow)
    services.change_deadline(
        world.admin, finding, expected_version=fresh(finding).version, deadline=in_days(10)
    )
    assert overdue.mark_overdue(tomorrow) == {"marked": 0, "cleared": 1}
    finding = fresh(finding)
    assert not finding.is_overdue
    assert finding.events.filter(action="overdue_cleared").count() == 1
    assert overdue.mark_overdue(tomorrow) == {"marked": 0, "cleared": 0}
    # Late again after the new deadline: a new overdue spell, a new event.
    assert overdue.mark_overdue(in_days(11))["marked"] == 1
    assert overdue_events() == 2


def test_closed_or_withdrawn_findings_are_not_overdue(world, new_finding, tomorrow):
    closed, withdrawn, late = new_finding(), new_finding(), new_finding()
    overdue.mark_overdue(tomorrow)
    assert Finding.all_objects.filter(is_overdue=True).count() == 3
    perform(Action.CLOSE_ON_THE_SPOT, closed, world.inspector_user)
    perform(Action.WITHDRAW, withdrawn, world.admin)
    assert not fresh(closed).is_overdue
    # A flag left behind (e.g. a row changed outside the workflow) is cleared by the check.
    Finding.all_objects.filter(pk=withdrawn.pk).update(is_overdue=True)
    assert overdue.mark_overdue(tomorrow) == {"marked": 0, "cleared": 1}
    assert list(Finding.all_objects.filter(is_overdue=True)) == [fresh(late)]
    assert overdue.mark_overdue(in_days(30)) == {"marked": 0, "cleared": 0}


def test_office_date_is_beijing_time(world, finding):
    # 17:00 UTC on the finding's day is already 01:00 the next day in Beijing.
    utc_evening = datetime.datetime.combine(
        finding.deadline, datetime.time(17), tzinfo=datetime.UTC
    )
    with mock.patch("django.utils.timezone.now", return_value=utc_evening):
        assert overdue.office_today() == finding.deadline + datetime.timedelta(days=1)
        assert overdue.mark_overdue()["marked"] == 1


def test_command_prints_the_counts(world, finding, tomorrow):
    out = io.StringIO()
    call_command("check_overdue", "--today", tomorrow.isoformat(), stdout=out)
    assert "Marked 1 finding(s) overdue" in out.getvalue()
    out = io.StringIO()
    call_command("check_overdue", "--today", tomorrow.isoformat(), stdout=out)
    assert "Marked 0 finding(s) overdue" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("check_overdue", "--today", "tomorrow")


def test_task_runs_the_same_check(world, new_finding, today):
    finding = new_finding(deadline_kind="by_date", deadline=in_days(1))
    Finding.all_objects.filter(pk=finding.pk).update(deadline=today - datetime.timedelta(days=1))
    result = check_overdue_task.enqueue()
    assert result.return_value == {"marked": 1, "cleared": 0, "urged": 0, "escalated": 0}
    assert fresh(finding).is_overdue


def test_marking_overdue_stamps_the_finding_for_the_changes_feed(world, finding, tomorrow):
    """The API's changes feed (?since=, docs/api.md) lists rows by updated_at: a finding the
    check marks overdue, or clears, must come back in it."""
    stamped = fresh(finding).updated_at
    with time_machine.travel(stamped + datetime.timedelta(minutes=5), tick=False):
        overdue.mark_overdue(tomorrow)
    assert fresh(finding).is_overdue
    assert fresh(finding).updated_at == stamped + datetime.timedelta(minutes=5)
