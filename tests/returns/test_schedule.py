"""The calendar of a return (dudao/returns/schedule.py): due dates of every schedule between
two dates, and periods that follow each other without gap or overlap."""

import calendar
import datetime
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dudao.returns import schedule as cal
from dudao.returns.models import Schedule

D = datetime.date
ONE = datetime.timedelta(days=1)

days = st.dates(min_value=D(2020, 1, 1), max_value=D(2035, 12, 31))
schedules = st.one_of(
    st.tuples(st.just(Schedule.HALF_MONTHLY), st.none()),
    st.tuples(st.just(Schedule.MONTHLY), st.none()),
    st.tuples(st.just(Schedule.MONTHLY_ON_DAY), st.integers(1, 28)),
    st.tuples(st.just(Schedule.WEEKLY), st.integers(1, 7)),
)


def is_due(schedule, due_day, day: D) -> bool:
    last = calendar.monthrange(day.year, day.month)[1]
    if schedule == Schedule.HALF_MONTHLY:
        return day.day in (15, last)
    if schedule == Schedule.MONTHLY:
        return day.day == last
    if schedule == Schedule.MONTHLY_ON_DAY:
        return day.day == due_day
    return day.isoweekday() == due_day


@given(schedules, days, st.integers(0, 400))
def test_due_dates_are_exactly_the_schedules_days(sched, start, length):
    schedule, due_day = sched
    end = start + datetime.timedelta(days=length)
    found = cal.due_dates(schedule, due_day, start, end)
    expected = [
        start + datetime.timedelta(days=i)
        for i in range(length + 1)
        if is_due(schedule, due_day, start + datetime.timedelta(days=i))
    ]
    assert found == expected


@given(schedules, days, st.integers(0, 400), st.one_of(st.none(), st.integers(0, 500)))
def test_periods_follow_each_other(sched, starts_on, later, end_after):
    schedule, due_day = sched
    today = starts_on + datetime.timedelta(days=later)
    ends_on = None if end_after is None else starts_on + datetime.timedelta(days=end_after)
    periods = cal.periods(schedule, due_day, starts_on, today, ends_on)
    next_due = cal.next_due_date(schedule, due_day, starts_on)
    if ends_on is None or next_due <= ends_on:
        assert periods, "the first period opens on the first day"
        assert periods[0][0] == starts_on
    for (_opens, due), (next_opens, _next_due) in itertools.pairwise(periods):
        assert next_opens == due + ONE  # no gap, no overlap
    for opens, due in periods:
        assert opens <= due and opens <= today
        assert is_due(schedule, due_day, due)
        assert ends_on is None or due <= ends_on
    if periods:
        # The period after the last one has not opened yet, or would end after ends_on.
        after = cal.next_due_date(schedule, due_day, periods[-1][1] + ONE)
        assert periods[-1][1] + ONE > today or (ends_on is not None and after > ends_on)
        # Today falls in a period, unless the return ended before it.
        if ends_on is None:
            assert periods[-1][0] <= today <= periods[-1][1]


def test_half_monthly_29_february():
    assert cal.due_dates(Schedule.HALF_MONTHLY, None, D(2028, 2, 1), D(2028, 3, 31)) == [
        D(2028, 2, 15),
        D(2028, 2, 29),
        D(2028, 3, 15),
        D(2028, 3, 31),
    ]
    assert cal.due_dates(Schedule.HALF_MONTHLY, None, D(2027, 2, 16), D(2027, 3, 1)) == [
        D(2027, 2, 28)
    ]


def test_months_of_thirty_days():
    assert cal.due_dates(Schedule.MONTHLY, None, D(2027, 4, 1), D(2027, 7, 1)) == [
        D(2027, 4, 30),
        D(2027, 5, 31),
        D(2027, 6, 30),
    ]
    assert cal.periods(Schedule.HALF_MONTHLY, None, D(2027, 4, 10), D(2027, 5, 1)) == [
        (D(2027, 4, 10), D(2027, 4, 15)),
        (D(2027, 4, 16), D(2027, 4, 30)),
        (D(2027, 5, 1), D(2027, 5, 15)),
    ]


def test_31_december_to_1_january():
    periods = cal.periods(Schedule.HALF_MONTHLY, None, D(2026, 12, 20), D(2027, 1, 1))
    assert periods == [(D(2026, 12, 20), D(2026, 12, 31)), (D(2027, 1, 1), D(2027, 1, 15))]
    assert cal.periods(Schedule.WEEKLY, 5, D(2026, 12, 30), D(2027, 1, 2)) == [
        (D(2026, 12, 30), D(2027, 1, 1)),
        (D(2027, 1, 2), D(2027, 1, 8)),
    ]
    assert cal.due_dates(Schedule.MONTHLY_ON_DAY, 28, D(2026, 12, 29), D(2027, 2, 28)) == [
        D(2027, 1, 28),
        D(2027, 2, 28),
    ]


def test_a_due_date_on_the_first_day_is_a_one_day_period():
    assert cal.periods(Schedule.HALF_MONTHLY, None, D(2027, 3, 15), D(2027, 3, 15)) == [
        (D(2027, 3, 15), D(2027, 3, 15))
    ]


def test_the_last_due_date_ends_the_periods():
    assert cal.periods(
        Schedule.MONTHLY, None, D(2027, 1, 1), D(2027, 12, 1), ends_on=D(2027, 3, 30)
    ) == [(D(2027, 1, 1), D(2027, 1, 31)), (D(2027, 2, 1), D(2027, 2, 28))]


def test_nothing_opens_before_the_first_day():
    assert cal.periods(Schedule.MONTHLY, None, D(2027, 5, 2), D(2027, 5, 1)) == []


@pytest.mark.parametrize(
    ("schedule", "due_day"),
    [
        (Schedule.MONTHLY_ON_DAY, None),
        (Schedule.MONTHLY_ON_DAY, 29),
        (Schedule.MONTHLY_ON_DAY, 0),
        (Schedule.WEEKLY, 8),
        (Schedule.WEEKLY, None),
        ("yearly", None),
    ],
)
def test_bad_due_days_are_refused(schedule, due_day):
    with pytest.raises(ValueError):
        cal.due_dates(schedule, due_day, D(2027, 1, 1), D(2027, 2, 1))
