"""The periods a work summary covers (docs/rules.md §30): the first half-year (上半年,
1 January – 30 June), the whole year (全年, 1 January – 31 December) or any range of days.
Calendar halves, not semesters: offices report to the city by calendar half-year and year.
Pure: no database."""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

FIRST_HALF = "h1"
YEAR = "year"
RANGE = "range"
KINDS = (FIRST_HALF, YEAR, RANGE)
YEARS = (2000, 2100)  # years a period may fall in
MAX_DAYS = 3 * 366  # a custom range longer than three years is refused


@dataclass(frozen=True)
class Period:
    kind: str
    first: datetime.date
    last: datetime.date  # inclusive

    @property
    def year(self) -> int:
        return self.first.year

    @property
    def label(self) -> str:
        """2026年上半年, 2026年, or 2026年3月1日至2026年5月31日 (in the reader's language)."""
        if self.kind == FIRST_HALF:
            return _("first half of %(year)s") % {"year": self.year}
        if self.kind == YEAR:
            return _("the year %(year)s") % {"year": self.year}
        return _("%(first)s to %(last)s") % {
            "first": date_text(self.first),
            "last": date_text(self.last),
        }

    def params(self) -> dict[str, str]:
        """The query parameters that choose this period again."""
        if self.kind == RANGE:
            return {"period": RANGE, "first": self.first.isoformat(), "last": self.last.isoformat()}
        return {"period": self.kind, "year": str(self.year)}


def date_text(day: datetime.date) -> str:
    return _("%(year)s-%(month)s-%(day)s") % {"year": day.year, "month": day.month, "day": day.day}


def first_half(year: int) -> Period:
    return Period(FIRST_HALF, datetime.date(year, 1, 1), datetime.date(year, 6, 30))


def whole_year(year: int) -> Period:
    return Period(YEAR, datetime.date(year, 1, 1), datetime.date(year, 12, 31))


def day_range(first: datetime.date, last: datetime.date) -> Period:
    return Period(RANGE, first, last)


def default_period(today: datetime.date) -> Period:
    """The summary most recently due on `today`: the first half-year from June to November
    (written at the end of June, sent in July), the year in December and until May of the
    next year."""
    if 6 <= today.month <= 11:
        return first_half(today.year)
    return whole_year(today.year if today.month == 12 else today.year - 1)


def parse(params, today: datetime.date) -> Period:
    """The period named by query parameters (`period`, `year`, `first`, `last`); anything
    missing or invalid gives the default period."""
    kind = str(params.get("period") or "")
    if kind in (FIRST_HALF, YEAR):
        try:
            year = int(str(params.get("year") or ""))
        except ValueError:
            year = None
        if year is not None and YEARS[0] <= year <= YEARS[1]:
            return first_half(year) if kind == FIRST_HALF else whole_year(year)
    if kind == RANGE:
        try:
            first = datetime.date.fromisoformat(str(params.get("first") or ""))
            last = datetime.date.fromisoformat(str(params.get("last") or ""))
        except ValueError:
            first = last = None
        if (
            first
            and last
            and first <= last
            and (last - first).days < MAX_DAYS
            and YEARS[0] <= first.year
            and last.year <= YEARS[1]
        ):
            return day_range(first, last)
    return default_period(today)
