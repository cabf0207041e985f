"""The calendar of a periodic return (报送): its due dates and periods. Pure functions of
dates, no database.

- half-monthly (半月报, the "双减" return of 2021: every school reported on the 15th and the
  last day of each month, docs/shared RULES §8, seed 004 "每月15日和30日前");
- monthly (月报): the last day of each month;
- monthly on day N (1–28, so every month has it);
- weekly on weekday N (1 Monday … 7 Sunday).

A period (一期) ends on its due date and opens the day after the previous due date; the first
opens on the return's first day (`starts_on`), so a return started on 3 March with a
half-monthly schedule has the periods 3–15 March, 16–31 March, 1–15 April…
"""

import calendar
import datetime
from collections.abc import Iterator

from .models import Schedule

ONE_DAY = datetime.timedelta(days=1)


def last_day(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _months(start: datetime.date) -> Iterator[tuple[int, int]]:
    year, month = start.year, start.month
    while True:
        yield year, month
        month += 1
        if month > 12:
            year, month = year + 1, 1


def check_due_day(schedule: str, due_day: int | None) -> None:
    """ValueError when `due_day` does not fit the schedule (1–28 for a day of the month, 1–7
    for a weekday, nothing for the others)."""
    if schedule == Schedule.MONTHLY_ON_DAY:
        if due_day is None or not 1 <= due_day <= 28:
            raise ValueError("monthly_day needs a due day from 1 to 28")
    elif schedule == Schedule.WEEKLY:
        if due_day is None or not 1 <= due_day <= 7:
            raise ValueError("weekly needs a weekday from 1 (Monday) to 7 (Sunday)")
    elif schedule not in (Schedule.HALF_MONTHLY, Schedule.MONTHLY):
        raise ValueError(f"unknown schedule {schedule!r}")


def iter_due_dates(schedule: str, due_day: int | None, start: datetime.date):
    """Every due date on or after `start`, in order (an endless iterator)."""
    check_due_day(schedule, due_day)
    if schedule == Schedule.WEEKLY:
        day = start + datetime.timedelta(days=(due_day - start.isoweekday()) % 7)
        while True:
            yield day
            day += datetime.timedelta(days=7)
    for year, month in _months(start):
        if schedule == Schedule.HALF_MONTHLY:
            days = [datetime.date(year, month, 15), last_day(year, month)]
        elif schedule == Schedule.MONTHLY:
            days = [last_day(year, month)]
        else:
            days = [datetime.date(year, month, due_day)]
        for day in days:
            if day >= start:
                yield day


def due_dates(
    schedule: str, due_day: int | None, start: datetime.date, end: datetime.date
) -> list[datetime.date]:
    """The due dates d with start <= d <= end."""
    result = []
    for day in iter_due_dates(schedule, due_day, start):
        if day > end:
            break
        result.append(day)
    return result


def next_due_date(schedule: str, due_day: int | None, on_or_after: datetime.date):
    return next(iter_due_dates(schedule, due_day, on_or_after))


def periods(
    schedule: str,
    due_day: int | None,
    starts_on: datetime.date,
    today: datetime.date,
    ends_on: datetime.date | None = None,
) -> list[tuple[datetime.date, datetime.date]]:
    """(opens_on, due_on) of every period that has opened by `today`: those due up to today
    and the one open now. No period is due after `ends_on` (the last due date), if given."""
    result = []
    opens = starts_on
    for due in iter_due_dates(schedule, due_day, starts_on):
        if opens > today or (ends_on is not None and due > ends_on):
            break
        result.append((opens, due))
        opens = due + ONE_DAY
    return result
