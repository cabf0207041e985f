"""The on-time rectification rate (按期整改率, docs/rules.md §10): one definition,
`rectification.queries.on_time_rate`, used by the dashboards. An open finding past its
deadline is late; withdrawn findings and open ones not yet due are left out."""

import datetime

import pytest
from django.utils import timezone

from dudao.dashboards import figures
from dudao.rectification.models import Finding, FindingStatus
from dudao.rectification.queries import on_time_rate
from tests.factories_supervision import FindingFactory, at

NOVEMBER = (datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))


def finding(world, deadline, status=FindingStatus.OPEN, closed=None, **kwargs):
    return FindingFactory(
        school=world.school,
        inspector=world.inspector,
        found_on=deadline - datetime.timedelta(days=10),
        deadline=deadline,
        status=status,
        closed_at=closed,
        is_overdue=status not in (FindingStatus.CLOSED, FindingStatus.WITHDRAWN)
        and deadline < timezone.localdate(),
        **kwargs,
    )


def rate_of(world, periods, today):
    findings = Finding.objects.unscoped().filter(office=world.office)
    return on_time_rate(findings, periods, today)


def nov(day):
    return datetime.date(2026, 11, day)


def test_the_inspectors_dashboard_is_not_100_percent_beside_8_of_11_overdue(world):
    """The issue's case (pinned at Monday 23 November 2026): 3 closed on time, 8 still open
    after their deadlines. The rate is 3/11, not 3/3."""
    for day in (2, 3, 4):
        finding(world, nov(day), FindingStatus.CLOSED, at(nov(day), 15))
    for day in range(5, 13):
        finding(world, nov(day), FindingStatus.URGED)
    scope = figures.scope_for(world.inspector_user)
    data = figures.dashboard(scope, 2026, 11, nov(23))
    month = data["findings"]["on_time"]["month"]
    assert data["findings"]["overdue"] == 8
    assert (month["on_time"], month["due"], month["open_late"]) == (3, 11, 8)
    assert month["rate"] == round(3 / 11, 4)


def test_what_is_counted(world):
    """At 23 November: due = closed (on time or late) + open past the deadline; left out:
    withdrawn, open and due today or later, deadlines outside the period, other counties."""
    finding(world, nov(10), FindingStatus.CLOSED, at(nov(10), 23))  # on time (23:00 Beijing)
    finding(world, nov(10), FindingStatus.CLOSED, at(nov(11), 0))  # late by an hour
    finding(world, nov(28), FindingStatus.CLOSED, at(nov(20)))  # early: on time
    finding(world, nov(12), FindingStatus.NOTICE_ISSUED)  # open, past: late
    finding(world, nov(22), FindingStatus.RESPONDED)  # responded, not checked, past: late
    finding(world, nov(23))  # due today: not yet late, left out
    finding(world, nov(27), FindingStatus.URGED)  # not due yet: left out
    finding(world, nov(5), FindingStatus.WITHDRAWN)  # withdrawn: left out
    finding(world, datetime.date(2026, 10, 30), FindingStatus.URGED)  # October's
    FindingFactory(school=world.foreign_school, deadline=nov(3))  # the other county
    result = rate_of(world, {"m": NOVEMBER}, nov(23))["m"]
    assert result == {
        "from": "2026-11-01",
        "to": "2026-11-30",
        "due": 5,
        "on_time": 2,
        "closed_late": 1,
        "open_late": 2,
        "rate": 0.4,
    }


def test_several_periods_in_one_query(world, django_assert_num_queries):
    finding(world, nov(10), FindingStatus.CLOSED, at(nov(9)))
    finding(world, datetime.date(2026, 10, 10), FindingStatus.URGED)
    periods = {"month": NOVEMBER, "autumn": (datetime.date(2026, 9, 1), NOVEMBER[1])}
    with django_assert_num_queries(1):
        result = rate_of(world, periods, nov(23))
    assert (result["month"]["due"], result["month"]["rate"]) == (1, 1.0)
    assert (result["autumn"]["due"], result["autumn"]["rate"]) == (2, 0.5)


def test_nothing_due_is_no_rate(world):
    finding(world, nov(27))
    assert rate_of(world, {"m": NOVEMBER}, nov(23))["m"]["rate"] is None
    assert rate_of(world, {}, nov(23)) == {}


@pytest.mark.any_day
def test_yesterdays_deadline_is_late_todays_is_not(world, today):
    """On every pinned day (1 January, 29 February, 00:30 Beijing...): a finding still open
    whose deadline was yesterday is late; one due today is not counted yet; one closed at
    23:30 Beijing on its deadline day is on time."""
    yesterday = today - datetime.timedelta(days=1)
    finding(world, yesterday, FindingStatus.NOTICE_ISSUED)
    finding(world, today)
    half_past_eleven = at(yesterday, 23) + datetime.timedelta(minutes=30)
    finding(world, yesterday, FindingStatus.CLOSED, half_past_eleven)
    periods = {"both": (yesterday, today), "today": (today, today)}
    result = rate_of(world, periods, today)
    assert (result["both"]["due"], result["both"]["on_time"]) == (2, 1)
    assert result["today"]["due"] == 0


def test_late_before_and_after_closing(world):
    """Open past its deadline on the 23rd: late. Closed on the 25th: still late."""
    finding(world, nov(20), FindingStatus.URGED)
    assert rate_of(world, {"m": NOVEMBER}, nov(23))["m"]["rate"] == 0.0
    Finding.objects.unscoped().all().delete()
    finding(world, nov(20), FindingStatus.CLOSED, at(nov(25)))
    result = rate_of(world, {"m": NOVEMBER}, nov(25))["m"]
    assert (result["due"], result["closed_late"], result["rate"]) == (1, 1, 0.0)
