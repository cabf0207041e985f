"""School-type rules as data (docs/rules.md §4, §6, §8): which supervision items a school
type is supervised on, which of the six minimums are asked of it, how often it is visited,
and whether a teaching point is covered by a visit to its host school.

An office's rules are its `SchoolTypeRule` rows; a type without a row uses `default_rule`:
every type visited once a month, the kindergarten areas for kindergartens and the eight
items for every other type, the six minimums for the compulsory-education types only.
`RuleBook` reads the rules of several offices in one query. `window` turns a frequency
into the stretch of days in which a school must have been visited.
"""

import calendar
import datetime
import math
from dataclasses import dataclass

from django.db.models import F, Q

from dudao.core.supervision_items import SupervisionItem, default_items, items_in_order
from dudao.schools.models import LEVELS_BY_TYPE, SchoolType

from .models import Period, SchoolTypeRule, SixMinimum

COMPULSORY_LEVELS = frozenset({"primary", "junior"})  # 义务教育: 小学 and 初中


def is_compulsory(school_type: str) -> bool:
    """A type with a primary or junior part: the six minimums apply to it by default."""
    return bool(LEVELS_BY_TYPE.get(school_type, set()) & COMPULSORY_LEVELS)


def default_rule(office_id, school_type: str) -> SchoolTypeRule:
    """The rule of a type the office has not set (unsaved)."""
    return SchoolTypeRule(
        office_id=office_id,
        school_type=school_type,
        items=default_items(school_type),
        minimums=list(SixMinimum.values) if is_compulsory(school_type) else [],
        visits=1,
        period=Period.MONTH,
        large_from=None,
        large_visits=None,
        large_period="",
        with_host=False,
    )


def is_default_frequency(rule: SchoolTypeRule) -> bool:
    """Once a month, no large-school rule, teaching points on their own."""
    return (
        rule.visits == 1
        and rule.period == Period.MONTH
        and rule.large_from is None
        and not (rule.school_type == SchoolType.TEACHING_POINT and rule.with_host)
    )


def frequency(rule: SchoolTypeRule, enrolment: int | None = None) -> tuple[int, str]:
    """(visits, period) for a school of this rule with `enrolment` pupils."""
    if rule.large_from is not None and enrolment is not None and enrolment >= rule.large_from:
        return rule.large_visits or rule.visits, rule.large_period or rule.period
    return rule.visits, rule.period


class RuleBook:
    """The rules of some offices, read in one query; defaults for the types not set.
    `office_ids` are the offices with at least one saved rule: every other office has the
    defaults throughout."""

    def __init__(self, office_ids=None, *, rows=None):
        if rows is None:
            office_ids = {pk for pk in office_ids or () if pk is not None}
            rows = SchoolTypeRule.objects.filter(office_id__in=office_ids)
        self.saved = {(rule.office_id, rule.school_type): rule for rule in rows}
        self.office_ids = {office_id for office_id, _type in self.saved}

    @classmethod
    def for_schools(cls, schools) -> "RuleBook":
        """The rules of the offices of `schools` (a scoped School queryset): one query."""
        offices = schools.order_by().values("office_id")
        return cls(rows=SchoolTypeRule.objects.filter(office_id__in=offices))

    def rule(self, office_id, school_type: str) -> SchoolTypeRule:
        found = self.saved.get((office_id, school_type))
        return found if found is not None else default_rule(office_id, school_type)

    def items(self, office_id, school_type: str) -> tuple[SupervisionItem, ...]:
        return items_in_order(self.rule(office_id, school_type).items)

    def items_numbers(self, school) -> list[int]:
        """The item numbers of `school`'s type in its office."""
        return [item.number for item in self.items(school.office_id, school.type)]

    def minimums(self, office_id, school_type: str) -> list[str]:
        """The six minimums asked of this type, in the order of `SixMinimum`."""
        asked = set(self.rule(office_id, school_type).minimums or [])
        return [key for key in SixMinimum.values if key in asked]

    def all_default_frequency(self) -> bool:
        return all(is_default_frequency(rule) for rule in self.saved.values())

    def pairs(self):
        """Every (office id, type) of the offices with saved rules, with its rule."""
        for office_id in sorted(self.office_ids):
            for school_type in SchoolType.values:
                yield office_id, school_type, self.rule(office_id, school_type)


def rules_for_office(office_id) -> list[SchoolTypeRule]:
    """The office's rule of every type, in the order of `SchoolType` (the settings page)."""
    book = RuleBook([office_id])
    return [book.rule(office_id, school_type) for school_type in SchoolType.values]


# --- frequency windows ---------------------------------------------------------------------


def _months(first: datetime.date, last: datetime.date) -> list[tuple[int, int]]:
    out, (year, month) = [], (first.year, first.month)
    while (year, month) <= (last.year, last.month):
        out.append((year, month))
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return out


def _split(months: list, parts: int) -> list[list]:
    """`months` in `parts` consecutive groups, the first ones a month longer if uneven."""
    size, extra = divmod(len(months), parts)
    groups, start = [], 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        groups.append(months[start:end])
        start = end
    return groups


def _month_last(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class Window:
    """The days in which a school must have `required` submitted visits."""

    start: datetime.date
    end: datetime.date  # inclusive
    required: int


def window(visits: int, period: str, day: datetime.date) -> Window:
    """The window containing `day` for "at least `visits` per `period`" (docs/rules.md §6).

    The period (a calendar month, a semester, a school year of two semesters) is cut into
    `visits` consecutive stretches of whole months, one visit each: twice a school year is
    once a semester, three times a semester is about every other month. More visits than
    months means several visits in the month."""
    from .queries import semester_of  # queries imports this module

    visits = max(1, visits)
    if period == Period.MONTH:
        return Window(day.replace(day=1), _month_last(day.year, day.month), visits)
    semester = semester_of(day)
    if period == Period.SEMESTER:
        months = _months(semester.start, semester.end)
        groups = _split(months, min(visits, len(months)))
    else:  # a school year: 1 September – 31 August, autumn 5 months, spring 7
        year = semester.school_year
        months = _months(datetime.date(year, 9, 1), datetime.date(year + 1, 8, 31))
        if visits % 2 == 0 and visits <= 10:  # twice a school year is once a semester
            groups = _split(months[:5], visits // 2) + _split(months[5:], visits // 2)
        else:
            groups = _split(months, min(visits, 12))
    required = math.ceil(visits / len(groups))
    for group in groups:
        if (day.year, day.month) in group:
            (y1, m1), (y2, m2) = group[0], group[-1]
            return Window(datetime.date(y1, m1, 1), _month_last(y2, m2), required)
    raise AssertionError("every day is in its period")  # pragma: no cover


# --- which window each school is in --------------------------------------------------------

ENROLMENT = (
    F("enrolment_kindergarten")
    + F("enrolment_primary")
    + F("enrolment_junior")
    + F("enrolment_senior")
)
HOST_ENROLMENT = (
    F("host_school__enrolment_kindergarten")
    + F("host_school__enrolment_primary")
    + F("host_school__enrolment_junior")
    + F("host_school__enrolment_senior")
)


@dataclass(frozen=True)
class WindowClass:
    """Schools (`condition`, on a School queryset annotated with `_enrolment` and
    `_host_enrolment`) that share a window; `with_host`: visits to the host count."""

    condition: Q
    window: Window
    with_host: bool


def window_classes(book: RuleBook, day: datetime.date) -> list[WindowClass]:
    """The schools of the book's offices grouped by the window they must be visited in on
    `day`. Schools not named by any class (all schools of offices without saved rules) are
    in the plain month (the default)."""
    by_key: dict[tuple, Q] = {}

    def add(window_: Window, with_host: bool, condition: Q):
        key = (window_, with_host)
        by_key[key] = by_key[key] | condition if key in by_key else condition

    for office_id, school_type, rule in book.pairs():
        if school_type == SchoolType.TEACHING_POINT and rule.with_host:
            # A teaching point visited with its host: the host's rule and size; a teaching
            # point without a host keeps its own rule below.
            for host_type in SchoolType.values:
                if host_type == SchoolType.TEACHING_POINT:
                    continue
                host_rule = book.rule(office_id, host_type)
                base = Q(office_id=office_id, type=school_type, host_school__type=host_type)
                _add_rule(add, host_rule, base, "_host_enrolment", day, with_host=True)
            base = Q(office_id=office_id, type=school_type, host_school__isnull=True)
            _add_rule(add, rule, base, "_enrolment", day, with_host=False)
        elif not is_default_frequency(rule):
            base = Q(office_id=office_id, type=school_type)
            _add_rule(add, rule, base, "_enrolment", day, with_host=False)
    return [WindowClass(q, w, h) for (w, h), q in by_key.items()]


def _add_rule(add, rule, base: Q, enrolment: str, day, *, with_host: bool) -> None:
    if rule.large_from is None:
        add(window(rule.visits, rule.period, day), with_host, base)
        return
    small = window(rule.visits, rule.period, day)
    large = window(rule.large_visits or rule.visits, rule.large_period or rule.period, day)
    add(small, with_host, base & Q(**{f"{enrolment}__lt": rule.large_from}))
    add(large, with_host, base & Q(**{f"{enrolment}__gte": rule.large_from}))
