"""Six months of routine supervision for the demo (`seed_demo`, step "supervision").

Every school of 清河县 gets about one submitted visit a month by its responsible inspector
(some months missed; the current month partly done), 临川县 a little; some visits find
problems, and the findings go through the whole rectification workflow: notices, the
schools' responses, follow-ups (accepted or rejected), automatic escalation after two
rejections, "needs another department", escalation to the city, on-the-spot fixes,
withdrawals, overdue ones, and serious findings (reported to the county office at once by
`create_finding`): an older one closed with accountability cases, a recent one still open
in the escalation queue.

Visits fall on school days only (`school_calendar`: no weekends, summer or winter holiday,
Spring Festival or National Day week); when today is in a holiday the recent activity is
from before it. A visit is recorded on the items of the school's type (docs/rules.md §4:
the kindergarten areas for kindergartens) with the six minimums asked of that type (§8),
and its problems come from that type's pools (`wording`). 清河县's office sets its teaching
points to be visited with their host school (`SchoolTypeRule.with_host`, §6): they get no
visits of their own, the host's visit covers them and says so. The offices publish their
monthly focus points (月度督导要点) before each month.

Everything goes through the real services (`dudao.visits.services`,
`dudao.rectification.services`, `dudao.rectification.overdue.daily_check`), so events,
notice numbers, audit rows and notifications are what the application itself writes. A
visit's findings that never go into a notice (fixed on the spot, withdrawn, left open) are
recorded with the visit, as the visit form's one-pass submit does; the others on the
finding form, with the required action (整改要求) their notice prints. To
make the history look right the actions are planned first (deterministically, from the
demo's random generator), sorted by time and replayed under a simulated clock:
`timezone.now()` returns the planned moment while each action runs, and `on_commit` hooks
(the notifications) run at once, so they get the historical time too (only for the last
month's events; older notifications are dropped, and those over a week old are marked
read). The inspectors with assignments get logins (`dx` + phone). The nightly check (overdue
flags, and an urging, 督促, for each date a school let pass without answering its notice,
escalating at the office's threshold) runs for every day of the history (only when the
database holds no findings outside the demo, since it is global) and in any case for today.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from unittest import mock
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F
from django.test.utils import override_settings
from django.utils import timezone

from dudao.accounts import services as accounts
from dudao.accounts.models import Role, User
from dudao.inspectors import services as inspectors_services
from dudao.inspectors.models import Assignment
from dudao.notifications.models import Notification
from dudao.rectification import services as rect
from dudao.rectification.models import (
    AccountabilityCase,
    AccountabilityCaseEvent,
    Escalation,
    Finding,
    FindingEvent,
    FollowUp,
    Notice,
    NoticeSequence,
    RectificationEvidence,
    Response,
    Severity,
)
from dudao.rectification.overdue import daily_check
from dudao.schools.models import SchoolType
from dudao.visits import school_rules
from dudao.visits import services as visits
from dudao.visits.models import (
    AreaCheck,
    Attachment,
    FocusPoint,
    SchoolTypeRule,
    Visit,
    VisitEvent,
    VisitMethod,
)

from . import school_calendar as cal
from . import wording
from .wording import (
    ACCEPT_NOTES,
    CITY,
    DIFFICULT,
    FINE_NOTES,
    FOCUS_POINTS,
    REJECT_NOTES,
    RESPONSES,
    SECOND_RESPONSES,
    SERIOUS,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAIN_MONTHS = 6  # school months of history in the main county
SECOND_MONTHS = 2
MIN_SCHOOL_DAYS = 5  # a month with fewer school days (a winter holiday's) has no visits
SKIP_RATE = 0.1  # a month missed
# The inspector login's findings awaiting follow-up: the notice came up to two working days
# after the visit and the school responded the working day after it, so a visit this old
# (and at least AWAITING_WORKING_DAYS working days before today) has its response.
AWAITING_MIN_AGE = 5
AWAITING_WORKING_DAYS = 3
NOTICE_WORKING_DAYS = 2  # a notice is issued up to two working days after the visit
# The open serious finding: on the latest visit of the main county at least this old.
SERIOUS_OPEN_MIN_AGE = 2
# 清河县 visits its teaching points with their host school (SchoolTypeRule.with_host).
TEACHING_POINTS_WITH_HOST = True
FINDING_RATE = 0.32  # visits that find a problem
# Findings recorded with their visit (the one-pass submit): those that never go into a
# notice, whose required action (整改要求, not asked by the visit form) no notice prints.
ONE_PASS_FATES = frozenset({"on_the_spot", "withdrawn", "overdue_open"})
NOTIFY_DAYS = datetime.timedelta(days=30)  # notifications for the last month's events only
NOTIFY_SCHOOL_DAYS = 20  # ... or the last 20 school days' (today in a holiday)


def escalate_unless_escalated(actor, finding, *, expected_version, note):
    """The inspector reports the finding to the county office, unless the daily check's
    urgings already did (the office's threshold of urgings for missed dates)."""
    if finding.escalated_to != Escalation.NONE:
        return finding
    return rect.escalate(actor, finding, expected_version=expected_version, note=note)


# --------------------------------------------------------------------------- wording

METHOD_WORDS = {
    VisitMethod.CAMPUS_WALK: "校园巡查",
    VisitMethod.CLASS_VISIT: "推门听课",
    VisitMethod.DOCUMENT_REVIEW: "查阅资料",
    VisitMethod.QUESTIONNAIRE: "问卷调查",
    VisitMethod.INTERVIEWS: "走访座谈",
    VisitMethod.PRINCIPAL_BRIEFING: "听取汇报",
}

# --------------------------------------------------------------------------- the clock


class Clock:
    """The simulated time: `timezone.now()` returns `moment` inside `running()`."""

    def __init__(self):
        self.moment: datetime.datetime | None = None

    def now(self) -> datetime.datetime:
        return self.moment.astimezone(datetime.UTC)

    @contextmanager
    def running(self, notify_since: datetime.datetime):
        """Inside: `timezone.now()` is `moment`; `on_commit` hooks (the notifications) run at
        once from `notify_since` on and are dropped before (nobody reads months-old
        notifications, and skipping them keeps the seed fast); queries are not logged even
        under DEBUG (the seed runs thousands)."""

        def run_now(func, using=None, robust=False):
            if self.moment >= notify_since:
                func()

        with (
            mock.patch.object(timezone, "now", self.now),
            mock.patch.object(transaction, "on_commit", run_now),
            override_settings(NOTIFY_BY_EMAIL=False, DEBUG=False),
        ):
            yield


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SHANGHAI)


def add_working_days(day: datetime.date, n: int) -> datetime.date:
    """`n` working days after `day` (offices and schools' staff work in the school holidays,
    not on weekends and public holidays: `school_calendar.is_working_day`)."""
    while n > 0:
        day += datetime.timedelta(days=1)
        if cal.is_working_day(day):
            n -= 1
    return day


def month_days(year: int, month: int) -> list[datetime.date]:
    """The school days of a month (when visits can be made)."""
    first = datetime.date(year, month, 1)
    end = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    return cal.school_days(first, end)


def months_from(first: datetime.date, today: datetime.date) -> list[tuple[int, int]]:
    """The calendar months from `first`'s to the one after `today`'s."""
    months, (year, month) = [], (first.year, first.month)
    last = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    while (year, month) <= last:
        months.append((year, month))
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return months


def school_months(today: datetime.date, n: int) -> list[tuple[int, int]]:
    """The last `n` months with school (at least MIN_SCHOOL_DAYS school days: not July and
    August, nor a February the winter holiday fills), oldest first, the current month
    included."""
    months, year, month = [], today.year, today.month
    while len(months) < n:
        if len(month_days(year, month)) >= MIN_SCHOOL_DAYS:
            months.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


# --------------------------------------------------------------------------- the plan


@dataclass(order=True)
class Planned:
    at: datetime.datetime
    seq: int
    run: Callable[[], None] = field(compare=False)


@dataclass
class FindingPlan:
    """Where one finding's story goes. `fate` names the chain of actions."""

    fate: str
    area: int
    description: str
    required_action: str
    severity: str = Severity.GENERAL
    on_the_spot: bool = False
    deadline_days: int = 14
    department: str = ""
    pk: int | None = None
    with_visit: bool = False  # recorded by the visit's one-pass submit
    serious: wording.Serious | None = None  # the office's handling of a serious violation

    def deadline_on(self, found: datetime.date) -> datetime.date:
        return found if self.on_the_spot else found + datetime.timedelta(days=self.deadline_days)

    def kind(self) -> str:
        return (
            Finding.DeadlineKind.ON_THE_SPOT if self.on_the_spot else Finding.DeadlineKind.BY_DATE
        )


@dataclass
class VisitPlan:
    school: object
    county: object
    actor: User
    moment: datetime.datetime
    findings: list[FindingPlan]
    draft: bool = False
    pk: int | None = None


# Fates that every demo must show (assigned to the oldest findings of the main county).
REQUIRED_FATES = [
    "closed_on_time",
    "closed_late",
    "on_the_spot",
    "withdrawn",
    "urged",
    "auto_escalated",
    "difficult",
    "city",
    "serious",
    "overdue_notice",
    "overdue_open",
    "urged_then_closed",
    "closed_on_time",
    "closed_late",
]
# Fates whose problem is a special one with its own item (SERIOUS, DIFFICULT, CITY): chosen
# first, so the visit's other findings take other items.
FIXED_ITEM_FATES = ("serious", "serious_open", "difficult", "city")
# The usual mix for the other findings (weights).
FATE_WEIGHTS = {
    "closed_on_time": 40,
    "closed_late": 8,
    "on_the_spot": 14,
    "urged_then_closed": 6,
    "urged": 3,
    "auto_escalated": 2,
    "responded": 6,
    "notice": 8,
    "withdrawn": 3,
    "difficult": 2,
    "overdue_open": 2,
}


class Supervision:
    """Plans and replays the supervision history for one demo build."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.rng = ctx.rng
        self.today = ctx.today
        self.cutoff = at(self.today, 0, 30)  # nothing is planned at or after this
        self.clock = Clock()
        self.queue: list[Planned] = []
        self.seq = 0
        self.assignments: dict[int, list[tuple]] = {}
        self.inspector_users: dict[int, User] = {}
        self.admins: dict[int, User] = {}
        self.school_users: dict[int, User] = {}
        self.required = list(REQUIRED_FATES)
        self.visit_plans: list[VisitPlan] = []
        offices = [c.office.pk for c in ctx.counties]
        # The offices' rules (the defaults until the office saves one): the items and the
        # six minimums of each school type.
        self.rules = school_rules.RuleBook(offices)
        self.with_host = {ctx.counties[0].office.pk} if TEACHING_POINTS_WITH_HOST else set()
        # A host school's active teaching points visited with it: its visits name them.
        self.teaching_points: dict[int, list] = {}
        for county in ctx.counties:
            closing = {s.pk for s in county.closing}
            for school in county.schools:
                if self.visited_with_host(school) and school.pk not in closing:
                    self.teaching_points.setdefault(school.host_school_id, []).append(school)

    # ----------------------------------------------------------------- helpers

    def schedule(self, moment: datetime.datetime, run: Callable[[], None]) -> bool:
        """Queue `run` at `moment`; False (and nothing queued) when that is not in the past."""
        if moment >= self.cutoff:
            return False
        self.seq += 1
        self.queue.append(Planned(moment, self.seq, run))
        return True

    def office_hours(self, day: datetime.date, start: int = 9, end: int = 17):
        return at(day, self.rng.randint(start, end - 1), self.rng.choice(range(0, 60, 5)))

    def later_day(self, moment: datetime.datetime, days: int, start=9, end=17):
        """A moment in office hours `days` working days after `moment` (same day if 0,
        then always after `moment`)."""
        day = add_working_days(moment.date(), days)
        if days == 0:
            minutes = self.rng.randint(20, 90)
            return moment + datetime.timedelta(minutes=minutes)
        return self.office_hours(day, start, end)

    def inspector_on(self, school, day: datetime.date):
        for start, end, inspector_id in self.assignments.get(school.pk, []):
            if start <= day and (end is None or end >= day):
                return inspector_id
        return None

    def inspector_actor(self, county, school, day: datetime.date) -> User:
        """The user of the school's responsible inspector on `day`, else the office admin."""
        inspector_id = self.inspector_on(school, day)
        return self.inspector_users.get(inspector_id) or self.admins[county.office.pk]

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    # ----------------------------------------------------------------- accounts

    def make_inspector_accounts(self) -> None:
        """Responsible inspectors record their visits under their own login: give every
        assignable inspector without an account one (login by phone; demo password)."""
        from .generator import PASSWORD, hash_once

        have = dict(User.objects.filter(inspector__isnull=False).values_list("inspector_id", "pk"))
        for county in self.ctx.counties:
            self.admins[county.office.pk] = (
                User.objects.filter(office=county.office, role=Role.OFFICE_ADMIN)
                .order_by("pk")
                .first()
            )
        with hash_once(PASSWORD):
            for county in self.ctx.counties:
                led = {z.leader_id for z in county.zones}
                for inspector in county.inspectors:
                    if inspector.kind not in inspectors_services.ASSIGNABLE_KINDS:
                        continue
                    if inspector.pk in have:
                        continue
                    accounts.create_user(
                        self.admins[county.office.pk],  # the county's office admin
                        county.office,
                        password=PASSWORD,
                        username=f"dx{inspector.phone}",
                        display_name=inspector.name,
                        role=Role.ZONE_LEADER if inspector.pk in led else Role.INSPECTOR,
                        phone=inspector.phone,
                        inspector=inspector,
                    )
        for user in User.objects.filter(
            inspector__office__in=[c.office for c in self.ctx.counties]
        ).select_related("inspector"):
            self.inspector_users[user.inspector_id] = user
        for county in self.ctx.counties:
            for school_id, start, end, inspector_id in (
                Assignment.objects.unscoped()
                .filter(school__office=county.office)
                .values_list("school_id", "start_date", "end_date", "inspector_id")
            ):
                self.assignments.setdefault(school_id, []).append((start, end, inspector_id))
        for rows in self.assignments.values():
            rows.sort(key=lambda row: row[0], reverse=True)

    # ----------------------------------------------------------------- visits

    def visited_with_host(self, school) -> bool:
        """A teaching point its office visits with its host school (no visits of its own)."""
        return (
            school.type == SchoolType.TEACHING_POINT
            and school.host_school_id is not None
            and school.office_id in self.with_host
        )

    def plan_county(self, county, n_months: int, special) -> None:
        months = school_months(self.today, n_months)
        closing = {s.pk for s in county.closing}
        schools = sorted(  # deterministic order
            (
                s
                for s in county.schools
                if s.is_active and s.pk not in closing and not self.visited_with_host(s)
            ),
            key=lambda s: s.code,
        )
        last_day = self.today - datetime.timedelta(days=1)
        for year, month in months:
            days = month_days(year, month)
            current = (year, month) == (self.today.year, self.today.month)
            for school in schools:
                # The demo logins' schools are visited in each of the last three school
                # months, so their stories have visits old enough on any day.
                forced = school.pk in special.always_visit and ((year, month) in months[-3:])
                if self.rng.random() < SKIP_RATE and not forced:
                    continue
                day = self.rng.choice(days)
                if current and day > last_day:
                    if not forced:
                        continue  # not yet this month
                    past = [d for d in days if d <= last_day]
                    if not past:
                        continue
                    day = past[-1]
                hour = self.rng.randint(8, 15)
                moment = at(day, hour, self.rng.choice(range(0, 60, 5)))
                actor = self.inspector_actor(county, school, day)
                plan = VisitPlan(school, county, actor, moment, [])
                self.visit_plans.append(plan)
        self.visit_plans.sort(key=lambda p: (p.moment, p.school.code))

    def plan_findings(self, special) -> None:
        """Give visits their findings and each finding its fate, oldest visits first, so
        the required fates land on findings old enough to have run their course."""
        special.choose(self.visit_plans, self.today)
        for plan in self.visit_plans:
            age = (self.today - plan.moment.date()).days
            main = plan.county is self.ctx.counties[0]
            rate = FINDING_RATE if main else FINDING_RATE * 0.7
            forced = special.forced_fate(plan, age)
            if forced is None and self.rng.random() >= rate:
                continue
            n = 2 if self.rng.random() < 0.2 or forced == "awaiting_follow_up" else 1
            fates = []  # (fate, whether it is one of the required fates)
            for i in range(n):
                if forced == "awaiting_follow_up" or (i == 0 and forced):
                    fates.append((forced, False))
                elif main and self.required and age > 100:
                    fates.append((self.required.pop(0), True))
                else:
                    fates.append((self.weighted_fate(), False))
            # The special problems keep their own items; the others take the items left.
            fates.sort(key=lambda pair: pair[0] not in FIXED_ITEM_FATES)
            used: set[int] = set()
            for fate, required in fates:
                fp = self.finding_plan(fate, plan.school, used)
                if fp is None:  # its item is taken: a required fate goes to a later visit
                    if required:
                        self.required.insert(0, fate)
                    continue
                used.add(fp.area)
                if fate in ("school_notice", "awaiting_follow_up"):
                    # Not overdue yet, however long ago the visit was (after the holidays).
                    fp.deadline_days = max(fp.deadline_days, age + 14)
                plan.findings.append(fp)

    def weighted_fate(self) -> str:
        fates = list(FATE_WEIGHTS)
        return self.rng.choices(fates, weights=[FATE_WEIGHTS[f] for f in fates])[0]

    def items_of(self, school) -> list[int]:
        """The supervision items of the school's type in its office (docs/rules.md §4)."""
        return self.rules.items_numbers(school)

    def finding_plan(self, fate: str, school, used: set[int]) -> FindingPlan | None:
        """The finding of `fate` at `school`: a problem of the school type's pools on one of
        its items not in `used` (None when every such item is taken)."""
        rng = self.rng
        group = wording.group_of(school.type)
        if fate in ("serious", "serious_open"):
            serious = SERIOUS[group][0 if fate == "serious" else 1]
            if serious.area in used:
                return None
            return FindingPlan(
                fate,
                serious.area,
                serious.description,
                serious.required_action,
                Severity.SERIOUS,
                False,
                7 if fate == "serious" else 10,
                serious=serious,
            )
        if fate == "difficult":
            entries = [entry for entry in DIFFICULT[group] if entry[0] not in used]
            if not entries:
                return None
            area, description, department = rng.choice(entries)
            return FindingPlan(
                fate,
                area,
                description,
                "请学校先采取临时措施，并报县督导室协调",
                Severity.GENERAL,
                False,
                30,
                department,
            )
        if fate == "city":
            entries = [entry for entry in CITY[group] if entry[0] not in used]
            if not entries:
                return None
            area, description, action = rng.choice(entries)
            return FindingPlan(fate, area, description, action, deadline_days=30)
        pool = wording.problems_for(school.type)
        items = [n for n in self.items_of(school) if pool.get(n) and n not in used]
        if not items:
            return None
        area = rng.choice(items)
        description, action = rng.choice(pool[area])
        if fate == "awaiting_follow_up":
            return FindingPlan(fate, area, description, action, deadline_days=30)
        if fate == "school_notice":  # the school login's notice: not overdue yet
            return FindingPlan(fate, area, description, action, deadline_days=40)
        if fate == "on_the_spot":
            return FindingPlan(fate, area, description, action, on_the_spot=True)
        return FindingPlan(
            fate, area, description, action, deadline_days=rng.choice([7, 14, 15, 20, 30])
        )

    # ----------------------------------------------------------------- chains

    def minimums_of(self, school) -> list[str]:
        """Some of the six minimums asked of the school's type (none of a kindergarten)."""
        asked = self.rules.minimums(school.office_id, school.type)
        if not asked:
            return []
        return self.rng.sample(asked, self.rng.randint(1, min(3, len(asked))))

    def queue_visit(self, plan: VisitPlan) -> None:
        rng = self.rng
        school = plan.school
        methods = [
            VisitMethod.CAMPUS_WALK,
            *rng.sample(
                [m for m in VisitMethod.values if m != VisitMethod.CAMPUS_WALK], rng.randint(1, 3)
            ),
        ]
        minimums = self.minimums_of(school)
        items = self.items_of(school)
        problem_areas = {f.area: f for f in plan.findings}
        not_checked = set(rng.sample(items, rng.choice([0, 0, 1, 2])))
        areas = []
        for number in items:
            if number in problem_areas:
                fp = problem_areas[number]
                row = {"area": number, "status": AreaCheck.Status.PROBLEM, "note": fp.description}
                if fp.fate in ONE_PASS_FATES:
                    fp.with_visit = True
                    found = plan.moment.date()
                    row["finding"] = {
                        "severity": fp.severity,
                        "deadline_kind": fp.kind(),
                        "deadline": None if fp.on_the_spot else fp.deadline_on(found),
                    }
                areas.append(row)
            elif number in not_checked:
                areas.append({"area": number, "status": AreaCheck.Status.NOT_CHECKED})
            else:
                areas.append(
                    {
                        "area": number,
                        "status": AreaCheck.Status.FINE,
                        "note": rng.choice(FINE_NOTES[number]),
                    }
                )
        words = "、".join(METHOD_WORDS[m] for m in methods)
        good = "；".join(rng.sample(wording.feedback_for(school.type), 2))
        points = self.teaching_points.get(school.pk, [])
        also = f"同时督导了{'、'.join(p.name for p in points)}。" if points else ""
        if plan.findings:
            problems = "；".join(f.description for f in plan.findings)
            feedback = (
                f"本次采取{words}等方式进行督导。{also}{good}。"
                f"发现问题：{problems}。请学校按要求整改。"
            )
        else:
            feedback = f"本次采取{words}等方式进行督导。{also}{good}。未发现明显问题，请继续保持。"
        month = plan.moment.month
        summary = f"{month}月经常性督导：{school.name}"
        if points:
            summary += f"（含{len(points)}个教学点）"
        fields = {
            "visited_at": plan.moment,
            "unannounced": rng.random() < 0.85,
            "methods": methods,
            "minimums": minimums,
            "feedback": feedback,
            "summary": summary,
            "notes": "",
        }
        client_uuid = self.uuid()
        submitted = plan.moment + datetime.timedelta(minutes=rng.randint(60, 180))

        def submit():
            visit = visits.submit_visit(
                plan.actor, client_uuid, school=plan.school, areas=areas, **fields
            )
            plan.pk = visit.pk
            recorded = dict(
                Finding.objects.unscoped().filter(visit=visit).values_list("area", "pk")
            )
            for fp in plan.findings:
                if fp.with_visit:
                    fp.pk = recorded[fp.area]

        self.schedule(submitted, submit)
        moment = submitted
        for finding in plan.findings:
            moment = moment + datetime.timedelta(minutes=rng.randint(2, 10))
            self.queue_finding(plan, finding, moment)

    def queue_draft(self, actor, school, day: datetime.date, full: bool) -> None:
        rng = self.rng
        moment = at(day, rng.randint(13, 15), rng.choice(range(0, 60, 5)))
        areas = [
            {"area": n, "status": AreaCheck.Status.FINE, "note": rng.choice(FINE_NOTES[n])}
            for n in self.items_of(school)[: 5 if full else 2]
        ]
        asked = self.rules.minimums(school.office_id, school.type)
        fields = {
            "visited_at": moment,
            "methods": [VisitMethod.CAMPUS_WALK, VisitMethod.CLASS_VISIT],
            "minimums": asked[:1] if full else [],
            "feedback": "听课两节，课堂秩序良好；" if full else "",
            "summary": "（草稿，待补充）",
        }
        client_uuid = self.uuid()

        def save():
            visits.save_draft(actor, school, client_uuid, areas=areas, **fields)

        self.schedule(moment + datetime.timedelta(minutes=40), save)

    # ----------------------------------------------------------------- the office's data

    def queue_teaching_point_rule(self, first_day: datetime.date) -> None:
        """清河县's office admin sets its teaching points to be visited with their host
        school (`save_school_type_rule`, audited), before the first visit of the history."""
        for county in self.ctx.counties:
            if county.office.pk not in self.with_host:
                continue
            admin = self.admins[county.office.pk]
            day = add_working_days(first_day - datetime.timedelta(days=10), 1)

            def save(admin=admin, office=county.office):
                visits.save_school_type_rule(
                    admin, office, SchoolType.TEACHING_POINT, with_host=True
                )

            self.schedule(at(day, 10), save)

    def queue_focus_points(self, months: list[tuple[int, int]]) -> None:
        """Each office publishes its focus points (月度督导要点) for each month of the
        history, the current one and the next: on the last working day before the 25th of
        the month before (so the current month's are out even at 00:30 on its first day)."""
        for county in self.ctx.counties:
            admin = self.admins[county.office.pk]
            for year, month in months:
                before = (year, month - 1) if month > 1 else (year - 1, 12)
                day = datetime.date(*before, 25)
                while not cal.is_working_day(day):
                    day -= datetime.timedelta(days=1)
                for i, (title, text) in enumerate(FOCUS_POINTS[month], start=1):

                    def publish(
                        admin=admin, office=county.office, point=(year, month, title, text, i)
                    ):
                        year, month, title, text, ordering = point
                        visits.create_focus_point(
                            admin,
                            office=office,
                            year=year,
                            month=month,
                            title=title,
                            text=text,
                            ordering=ordering,
                        )

                    self.schedule(at(day, 15, 10 * i), publish)

    def queue_finding(self, plan: VisitPlan, fp: FindingPlan, moment) -> None:
        rng, county = self.rng, plan.county
        admin = self.admins[county.office.pk]
        school = plan.school
        found = plan.moment.date()
        deadline = fp.deadline_on(found)

        def finding():
            return Finding.objects.unscoped().get(pk=fp.pk)

        def inspector_at():
            return self.inspector_actor(county, school, timezone.localdate())

        def school_actor():
            user = self.school_users.get(school.pk)
            return user or admin

        def create():
            f = rect.create_finding(
                plan.actor,
                school=school,
                visit=Visit.objects.unscoped().get(pk=plan.pk),
                area=fp.area,
                description=fp.description,
                severity=fp.severity,
                deadline_kind=fp.kind(),
                deadline=None if fp.on_the_spot else deadline,
                required_action=fp.required_action,
            )
            fp.pk = f.pk

        # A finding recorded with the visit exists once the visit is submitted.
        steps: list[tuple[datetime.datetime, Callable]] = (
            [] if fp.with_visit else [(moment, create)]
        )

        def step(when, func):
            steps.append((when, func))
            return when

        def notice(when, by=None, note=""):
            def run():
                f = finding()
                rect.issue_notice(
                    by or inspector_at(), [f], expected_versions={f.pk: f.version}, note=note
                )

            return step(when, run)

        def respond(when, text):
            def run():
                f = finding()
                rect.respond(school_actor(), f, expected_version=f.version, text=text)

            return step(when, run)

        def follow_up(when, accepted, by=None):
            note = rng.choice(ACCEPT_NOTES if accepted else REJECT_NOTES)

            def run():
                f = finding()
                rect.record_follow_up(
                    by or inspector_at(),
                    f,
                    expected_version=f.version,
                    result=FollowUp.Result.ACCEPTED if accepted else FollowUp.Result.REJECTED,
                    note=note,
                )

            return step(when, run)

        def simple(when, service, by, note, **extra):
            def run():
                f = finding()
                service(by or inspector_at(), f, expected_version=f.version, note=note, **extra)

            return step(when, run)

        fate = fp.fate
        d = fp.deadline_days
        if fate == "on_the_spot":
            simple(
                moment + datetime.timedelta(minutes=rng.randint(10, 40)),
                rect.close_on_the_spot,
                plan.actor,
                "现场督促学校立即整改，已整改到位。",
            )
        elif fate == "withdrawn":
            simple(
                self.later_day(moment, rng.randint(1, 3)),
                rect.withdraw,
                admin,
                "经核实，该问题系录入错误（学校已提供有效证明），予以撤回。",
            )
        elif fate == "overdue_open":
            pass  # recorded, nobody acted: overdue once the deadline passes
        else:
            serious = fp.serious
            t = notice(
                self.later_day(moment, rng.randint(0, 2) if serious is None else 0),
                by=admin if serious is not None else None,
            )
            if fate == "serious":
                # Reported to the county office at once when recorded (create_finding); the
                # office opens accountability cases and closes the one against the person.
                t = self.later_day(t, 1)

                def open_cases():
                    f = finding()
                    rect.open_accountability_case(
                        admin,
                        office=county.office,
                        target_kind="unit",
                        target_name=school.name,
                        finding=f,
                        measures=["admonitory_talk", "supervision_bulletin"],
                        notes=serious.unit_note,
                    )
                    case = rect.open_accountability_case(
                        admin,
                        office=county.office,
                        target_kind="individual",
                        target_name=f"{school.name}{serious.person}",
                        finding=f,
                        measures=["self_examination", "criticism_by_bulletin"],
                        notes=serious.person_note,
                    )
                    rect.close_accountability_case(admin, case, notes="已作书面检查，处理完毕。")

                step(t, open_cases)
                t = respond(self.later_day(t, 2), rng.choice(RESPONSES))
                follow_up(self.later_day(t, 2), True)
            elif fate == "serious_open":
                # Recent: in the escalation queue (reported at once), a case under way, the
                # school's answer awaited or just in.
                t = self.later_day(t, 1)

                def open_case():
                    rect.open_accountability_case(
                        admin,
                        office=county.office,
                        target_kind="unit",
                        target_name=school.name,
                        finding=finding(),
                        measures=["admonitory_talk"],
                        notes=serious.unit_note,
                    )

                step(t, open_case)
                respond(self.later_day(t, 2), rng.choice(RESPONSES))
            elif fate in (
                "closed_on_time",
                "responded",
                "urged",
                "urged_then_closed",
                "auto_escalated",
                "closed_late",
                "awaiting_follow_up",
            ):
                if fate == "closed_late":
                    respond_day = found + datetime.timedelta(days=d + rng.randint(3, 10))
                    t = respond(
                        self.office_hours(
                            respond_day
                            if cal.is_working_day(respond_day)
                            else add_working_days(respond_day, 1)
                        ),
                        rng.choice(RESPONSES),
                    )
                else:
                    days = (
                        1
                        if fate == "awaiting_follow_up"
                        else rng.randint(2, max(3, min(d // 2, 8)))
                    )
                    t = respond(
                        self.later_day(t, days),
                        rng.choice(RESPONSES),
                    )
                if fate in ("closed_on_time", "closed_late"):
                    follow_up(self.later_day(t, rng.randint(1, 3)), True)
                elif fate == "urged":
                    follow_up(self.later_day(t, rng.randint(1, 3)), False)
                elif fate == "urged_then_closed":
                    t = follow_up(self.later_day(t, rng.randint(1, 3)), False)
                    t = respond(self.later_day(t, rng.randint(2, 5)), rng.choice(SECOND_RESPONSES))
                    follow_up(self.later_day(t, rng.randint(1, 3)), True)
                elif fate == "auto_escalated":
                    t = follow_up(self.later_day(t, rng.randint(1, 3)), False)
                    t = respond(self.later_day(t, rng.randint(2, 5)), rng.choice(SECOND_RESPONSES))
                    follow_up(self.later_day(t, rng.randint(1, 3)), False)  # escalates
            elif fate == "difficult":
                simple(
                    self.later_day(t, rng.randint(1, 4)),
                    rect.mark_needs_other_department,
                    None,
                    "学校无法独立解决，需相关部门协调。",
                    department=fp.department,
                )
            elif fate == "city":
                t = simple(
                    self.later_day(t, rng.randint(2, 5)),
                    escalate_unless_escalated,
                    None,
                    "学校多次整改未果，报县督导室协调。",
                )
                simple(
                    self.later_day(t, rng.randint(2, 5)),
                    rect.escalate_to_city,
                    admin,
                    "涉及县级财政投入，报市教育督导室协调解决。",
                )
            # "notice", "school_notice", "overdue_notice": the school has not responded (yet)
        for when, func in steps:
            if not self.schedule(when, func):
                break  # the rest of the story has not happened yet

    # ----------------------------------------------------------------- replay

    def queue_overdue_checks(self, first_day: datetime.date) -> None:
        others = (
            Finding.objects.unscoped()
            .exclude(office__in=[c.office for c in self.ctx.counties])
            .exists()
        )
        days = [self.today]
        if not others:
            days = []
            day = first_day
            while day <= self.today:
                days.append(day)
                day += datetime.timedelta(days=1)
        for day in days:
            moment = at(day, 0, 10)
            self.seq += 1
            self.queue.append(Planned(moment, self.seq, lambda day=day: daily_check(day)))

    def replay(self) -> None:
        """Run the queue under the simulated clock. Notifications are kept for the last month
        (or the last NOTIFY_SCHOOL_DAYS school days, when today is in a holiday) and are read
        after a week (or three school days); the recent ones stay unread."""
        self.queue.sort()
        today = at(self.today, 0)
        recent = cal.school_days_before(self.today, NOTIFY_SCHOOL_DAYS)[0]
        with self.clock.running(notify_since=min(today - NOTIFY_DAYS, at(recent, 0))):
            for planned in self.queue:
                self.clock.moment = planned.at
                planned.run()
        unread_since = min(
            today - datetime.timedelta(days=7), at(cal.school_days_before(self.today, 3)[0], 0)
        )
        Notification.objects.unscoped().filter(
            recipient__office__in=[c.office for c in self.ctx.counties],
            created_at__lt=unread_since,
            read_at__isnull=True,
        ).update(read_at=F("created_at") + datetime.timedelta(hours=20))


@dataclass
class Special:
    """What the demo logins must see on any day: the `inspector` login's schools have
    findings awaiting its follow-up; the `school` login's school a notice awaiting its
    response, not yet overdue; the `admin` login a recent serious violation in the
    escalation queue; `admin2` a finding. The most recent visits old enough for the story
    to have happened carry these fates, so the demo looks alive on the 1st of a month, in
    or after the holidays or on 1 January alike."""

    inspector_schools: set
    school_id: int | None
    always_visit: set
    main_office_id: int | None = None
    awaiting: int = 2
    chosen: dict = field(default_factory=dict)  # id(plan) → fate

    def choose(self, plans: list, today: datetime.date) -> None:
        latest_first = sorted(plans, key=lambda p: p.moment, reverse=True)
        notice = next(
            (
                p
                for p in latest_first
                if p.school.pk == self.school_id
                and add_working_days(p.moment.date(), NOTICE_WORKING_DAYS) < today
            ),
            None,
        )
        if notice is not None:
            self.chosen[id(notice)] = "school_notice"
        awaiting = [
            p
            for p in latest_first
            if p.school.pk in self.inspector_schools
            and (today - p.moment.date()).days >= AWAITING_MIN_AGE
            and add_working_days(p.moment.date(), AWAITING_WORKING_DAYS) < today
            and id(p) not in self.chosen
        ][: self.awaiting]
        for p in awaiting:
            self.chosen[id(p)] = "awaiting_follow_up"
        # A recent serious violation, reported at once: open, in the escalation queue.
        serious = next(
            (
                p
                for p in latest_first
                if p.school.office_id == self.main_office_id
                and p.school.pk not in self.always_visit
                and (today - p.moment.date()).days >= SERIOUS_OPEN_MIN_AGE
                and id(p) not in self.chosen
            ),
            None,
        )
        if serious is not None:
            self.chosen[id(serious)] = "serious_open"
        # The second county's short history has at least one finding (a notice awaiting
        # the school's response), so its office admin's ledger is never empty.
        other = next(
            (
                p
                for p in latest_first
                if p.school.office_id != self.main_office_id
                and (today - p.moment.date()).days >= 1
                and id(p) not in self.chosen
            ),
            None,
        )
        if other is not None:
            self.chosen[id(other)] = "notice"

    def forced_fate(self, plan: VisitPlan, age: int) -> str | None:
        return self.chosen.get(id(plan))


def build_supervision(ctx) -> None:
    sim = Supervision(ctx)
    sim.make_inspector_accounts()
    users = ctx.users
    school_user = users.get("school")
    sim.school_users = {school_user.school_id: school_user} if school_user else {}
    inspector_user = users.get("inspector")
    inspector_schools = set()
    if inspector_user is not None:
        inspector_schools = {
            school_id
            for school_id, rows in sim.assignments.items()
            if any(r[1] is None and r[2] == inspector_user.inspector_id for r in rows)
        }
    school_id = school_user.school_id if school_user else None
    main, second = ctx.counties[0], ctx.counties[1]
    special = Special(
        inspector_schools=inspector_schools,
        school_id=school_id,
        always_visit=inspector_schools | ({school_id} if school_id else set()),
        main_office_id=main.office.pk,
    )
    sim.plan_county(main, MAIN_MONTHS, special)
    main_plans, sim.visit_plans = sim.visit_plans, []
    sim.plan_county(second, SECOND_MONTHS, special)
    sim.visit_plans = sorted(main_plans + sim.visit_plans, key=lambda p: (p.moment, p.school.code))
    sim.plan_findings(special)
    for plan in sim.visit_plans:
        sim.queue_visit(plan)
    schools = sorted(
        (s for s in main.schools if s.pk in inspector_schools and not sim.visited_with_host(s)),
        key=lambda s: s.code,
    )
    if inspector_user is not None and schools:
        # Two drafts, at two schools when the inspector has two, on the last school days
        # (before a holiday) the inspector was already responsible for the school.
        days = cal.school_days_before(sim.today, 20)
        for i in range(2):
            school = schools[i % len(schools)]
            theirs = [d for d in days if sim.inspector_on(school, d) == inspector_user.inspector_id]
            if theirs:
                sim.queue_draft(inspector_user, school, theirs[max(0, len(theirs) - 1 - i)], i == 0)
    first = min((p.moment.date() for p in sim.visit_plans), default=sim.today)
    sim.queue_teaching_point_rule(first)
    sim.queue_focus_points(months_from(first, sim.today))
    sim.queue_overdue_checks(first)
    sim.replay()
    visits_made = (
        Visit.objects.unscoped().filter(office__in=[c.office for c in ctx.counties]).count()
    )
    ctx.log(f"  supervision: {visits_made} visits")


def reset_supervision(scope) -> None:
    """Delete the demo's supervision data, dependants first (visits and findings protect
    the schools, inspectors and users)."""
    offices = scope.office_ids
    findings = Finding.objects.unscoped().filter(office__in=offices)
    # History rows are append-only too (their delete() raises); QuerySet deletes as below.
    AccountabilityCaseEvent.objects.filter(case__office__in=offices).delete()
    AccountabilityCase.objects.unscoped().filter(office__in=offices).delete()
    FollowUp.objects.filter(finding__in=findings).delete()
    evidence = RectificationEvidence.objects.filter(finding__in=findings)
    files = [(e.file, e.preview) for e in evidence]
    evidence.delete()
    Response.objects.filter(finding__in=findings).delete()
    Notice.objects.unscoped().filter(office__in=offices).delete()
    NoticeSequence.objects.filter(office__in=offices).delete()
    # Finding events are append-only (FindingEvent.delete raises); a QuerySet delete is
    # one SQL DELETE that never calls it, used here only for the demo's own rows.
    FindingEvent.objects.filter(finding__in=findings).delete()
    findings.delete()
    attachments = Attachment.objects.filter(visit__office__in=offices)
    files += [(a.file, a.preview) for a in attachments]
    attachments.delete()
    AreaCheck.objects.filter(visit__office__in=offices).delete()
    VisitEvent.objects.filter(visit__office__in=offices).delete()
    Visit.objects.unscoped().filter(office__in=offices).delete()
    Notification.objects.unscoped().filter(recipient__in=scope.user_ids).delete()
    FocusPoint.objects.unscoped().filter(office__in=offices).delete()
    SchoolTypeRule.objects.filter(office__in=offices).delete()

    def delete_files():
        for pair in files:
            for field_file in pair:
                if field_file:
                    field_file.storage.delete(field_file.name)

    if files:
        transaction.on_commit(delete_files)


def supervision_fingerprint(scope) -> dict:
    """The supervision data by natural keys (for `generator.fingerprint`)."""
    offices = scope.office_ids
    findings = Finding.objects.unscoped().filter(office__in=offices)
    return {
        "visits": sorted(
            Visit.objects.unscoped()
            .filter(office__in=offices)
            .values_list(
                "school__code",
                "visited_at",
                "submitted_at",
                "status",
                "methods",
                "minimums",
                "feedback",
                "inspector__phone",
                "created_by__username",
            ),
            key=str,
        ),
        "areas": sorted(
            AreaCheck.objects.filter(visit__office__in=offices).values_list(
                "visit__school__code", "visit__visited_at", "area", "status", "note"
            ),
            key=str,
        ),
        "findings": sorted(
            findings.values_list(
                "school__code",
                "found_on",
                "area",
                "description",
                "status",
                "severity",
                "escalated_to",
                "needs_other_department",
                "is_overdue",
                "urge_count",
                "deadline",
                "closed_at",
                "created_at",
            ),
            key=str,
        ),
        "events": sorted(
            FindingEvent.objects.filter(finding__in=findings).values_list(
                "finding__school__code", "finding__area", "at", "action", "to_status", "note"
            ),
            key=str,
        ),
        "notices": sorted(
            Notice.objects.unscoped()
            .filter(office__in=offices)
            .values_list("number", "school__code", "issued_at", "deadline"),
            key=str,
        ),
        "responses": sorted(
            Response.objects.filter(finding__in=findings).values_list(
                "finding__school__code", "submitted_at", "text"
            ),
            key=str,
        ),
        "follow_ups": sorted(
            FollowUp.objects.filter(finding__in=findings).values_list(
                "finding__school__code", "checked_at", "result", "note"
            ),
            key=str,
        ),
        "cases": sorted(
            AccountabilityCase.objects.unscoped()
            .filter(office__in=offices)
            .values_list("target_kind", "target_name", "measures", "status", "opened_at"),
            key=str,
        ),
        "focus_points": sorted(
            FocusPoint.objects.unscoped()
            .filter(office__in=offices)
            .values_list("office__region__code", "year", "month", "ordering", "title", "text"),
            key=str,
        ),
        "rules": sorted(
            SchoolTypeRule.objects.filter(office__in=offices).values_list(
                "office__region__code", "school_type", "items", "minimums", "with_host"
            ),
            key=str,
        ),
    }
