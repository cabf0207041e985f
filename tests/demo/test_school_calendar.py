"""The demo's school calendar (`dudao.demo.school_calendar`): the days visits may fall on."""

import datetime

import pytest

from dudao.demo import school_calendar as cal

D = datetime.date


@pytest.mark.parametrize(
    "day",
    [
        D(2027, 1, 1),  # New Year's Day
        D(2027, 1, 18),  # winter holiday (Spring Festival 6 February 2027)
        D(2027, 2, 10),
        D(2027, 2, 19),
        D(2026, 2, 26),  # Spring Festival 17 February 2026: the holiday runs to 1 March
        D(2026, 10, 1),  # National Day week
        D(2026, 10, 7),
        D(2027, 5, 3),  # Labour Day
        D(2026, 7, 10),  # summer
        D(2026, 8, 31),
    ],
)
def test_holidays(day):
    assert cal.is_school_holiday(day)
    assert not cal.is_school_day(day)


@pytest.mark.parametrize(
    "day",
    [
        D(2027, 1, 15),  # the last school day before the 2027 winter holiday (a Friday)
        D(2027, 2, 22),  # the first after it (a Monday)
        D(2028, 2, 29),  # leap day, after the early 2028 holiday
        D(2026, 10, 8),
        D(2026, 9, 1),
        D(2026, 3, 2),
    ],
)
def test_school_days(day):
    assert cal.is_school_day(day)


def test_weekends_are_never_school_days():
    day = D(2026, 9, 5)  # a Saturday in term
    assert not cal.is_school_holiday(day)
    assert not cal.is_school_day(day)
    assert not cal.is_school_day(day + datetime.timedelta(days=1))


@pytest.mark.parametrize("year", sorted(cal.SPRING_FESTIVAL))
def test_the_winter_holiday_covers_the_spring_festival_week(year):
    festival = cal.spring_festival(year)
    start, end = cal.winter_holiday(year)
    assert festival.year == year and D(year, 1, 21) <= festival <= D(year, 2, 20)
    assert start.weekday() == 5 and end.weekday() == 6  # Saturday to Sunday
    assert start <= festival - datetime.timedelta(days=7)
    assert end >= festival + datetime.timedelta(days=10)
    assert 28 <= (end - start).days + 1 <= 45
    assert D(year, 1, 8) <= start and end <= D(year, 3, 7)


def test_offices_work_in_the_school_holidays_but_not_on_public_holidays():
    assert cal.is_working_day(D(2026, 8, 12))  # summer: schools closed, offices open
    assert not cal.is_working_day(D(2026, 10, 5))
    assert not cal.is_working_day(cal.spring_festival(2027))


def test_school_days_before():
    days = cal.school_days_before(D(2027, 2, 10), 3)
    assert days == [D(2027, 1, 13), D(2027, 1, 14), D(2027, 1, 15)]
    assert cal.school_days(D(2026, 9, 28), D(2026, 10, 9)) == [
        D(2026, 9, 28),
        D(2026, 9, 29),
        D(2026, 9, 30),
        D(2026, 10, 8),
        D(2026, 10, 9),
    ]


def test_a_year_outside_the_table_falls_back():
    assert cal.spring_festival(2040) == D(2040, 2, 5)
    assert cal.is_school_holiday(D(2040, 2, 5))
