"""The demo's school calendar: which days schools are open, so the demo county's visits fall
on school days only (`seed_demo`, step "supervision").

A small, explicit convention for a county of the demo's fictional province, not an official
calendar (each province publishes its own every year):

- **Summer holiday** (暑假): July and August, whole months.
- **Winter holiday** (寒假): four to six weeks around the Spring Festival (春节): from the
  Saturday on or before three weeks before it (that day taken between 15 and 31 January),
  to the Sunday on or after ten days after it, and at least four weeks long. So 2027
  (Spring Festival 6 February): 16 January – 21 February; 2028 (26 January): 15 January –
  13 February; 2026 (17 February): 24 January – 1 March.
- **Public holidays** (法定节假日) on which neither schools nor offices work: New Year's Day
  (1 January), the Spring Festival week (除夕 to 初六), Labour Day (1–5 May) and the
  National Day week (1–7 October). Qingming, Dragon Boat and Mid-Autumn (one day each, moving
  with the lunar calendar) and the weekend make-up working days (调休) are left out.

The Spring Festival's dates are data (`SPRING_FESTIVAL`, 2020–2035); another year uses
`FALLBACK_SPRING_FESTIVAL` (5 February, the middle of its range).
"""

from __future__ import annotations

import datetime
from functools import cache

# 春节 (the first day of the first lunar month), Gregorian dates.
SPRING_FESTIVAL: dict[int, datetime.date] = {
    2020: datetime.date(2020, 1, 25),
    2021: datetime.date(2021, 2, 12),
    2022: datetime.date(2022, 2, 1),
    2023: datetime.date(2023, 1, 22),
    2024: datetime.date(2024, 2, 10),
    2025: datetime.date(2025, 1, 29),
    2026: datetime.date(2026, 2, 17),
    2027: datetime.date(2027, 2, 6),
    2028: datetime.date(2028, 1, 26),
    2029: datetime.date(2029, 2, 13),
    2030: datetime.date(2030, 2, 3),
    2031: datetime.date(2031, 1, 23),
    2032: datetime.date(2032, 2, 11),
    2033: datetime.date(2033, 1, 31),
    2034: datetime.date(2034, 2, 19),
    2035: datetime.date(2035, 2, 8),
}
FALLBACK_SPRING_FESTIVAL = (2, 5)  # (month, day) for a year not in the table
SUMMER_MONTHS = (7, 8)
DAY = datetime.timedelta(days=1)


def spring_festival(year: int) -> datetime.date:
    """The Spring Festival of `year` (from the table, else 5 February)."""
    return SPRING_FESTIVAL.get(year) or datetime.date(year, *FALLBACK_SPRING_FESTIVAL)


@cache
def winter_holiday(year: int) -> tuple[datetime.date, datetime.date]:
    """(first day, last day) of the winter holiday of `year` (January to early March)."""
    festival = spring_festival(year)
    start = festival - datetime.timedelta(days=21)
    start = min(max(start, datetime.date(year, 1, 15)), datetime.date(year, 1, 31))
    start -= datetime.timedelta(days=(start.weekday() - 5) % 7)  # back to a Saturday
    end = max(festival + datetime.timedelta(days=10), start + datetime.timedelta(days=27))
    end += datetime.timedelta(days=(6 - end.weekday()) % 7)  # on to a Sunday
    return start, end


def is_public_holiday(day: datetime.date) -> bool:
    """New Year's Day, the Spring Festival week (除夕 to 初六), 1–5 May or 1–7 October."""
    if (day.month, day.day) == (1, 1):
        return True
    if (day.month == 5 and day.day <= 5) or (day.month == 10 and day.day <= 7):
        return True
    festival = spring_festival(day.year)
    return festival - DAY <= day <= festival + 5 * DAY


def is_school_holiday(day: datetime.date) -> bool:
    """True when schools are closed on `day` for a holiday (weekends aside): the summer and
    winter holidays and the public holidays above."""
    if day.month in SUMMER_MONTHS or is_public_holiday(day):
        return True
    if day.month <= 3:
        start, end = winter_holiday(day.year)
        return start <= day <= end
    return False


def is_school_day(day: datetime.date) -> bool:
    """Monday to Friday, not in a school holiday: a day a school can be visited."""
    return day.weekday() < 5 and not is_school_holiday(day)


def is_working_day(day: datetime.date) -> bool:
    """Monday to Friday, not a public holiday: offices work (and schools' staff answer
    notices) in the summer and winter holidays too."""
    return day.weekday() < 5 and not is_public_holiday(day)


def school_days(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """The school days from `start` to `end` inclusive."""
    days, day = [], start
    while day <= end:
        if is_school_day(day):
            days.append(day)
        day += DAY
    return days


def school_days_before(day: datetime.date, n: int) -> list[datetime.date]:
    """The last `n` school days before `day`, oldest first."""
    found: list[datetime.date] = []
    while len(found) < n:
        day -= DAY
        if is_school_day(day):
            found.append(day)
    return found[::-1]
