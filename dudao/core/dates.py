"""Calendar helpers shared by the apps. "Today" is always Beijing's (`timezone.localdate()`),
never the server's UTC date."""

import datetime

from django.utils import timezone


def last_complete_month(today: datetime.date | None = None) -> tuple[int, int]:
    """(year, month) of the last month that has ended: what a monthly report (月报) is about
    by default, so that on the 1st it is last month's, not an empty new one."""
    today = today or timezone.localdate()
    last_day = today.replace(day=1) - datetime.timedelta(days=1)
    return last_day.year, last_day.month
