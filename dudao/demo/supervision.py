"""Six months of routine supervision for the demo (`seed_demo`, step "supervision").

Every school of 清河县 gets about one submitted visit a month by its responsible inspector
(some months missed; the current month partly done), 临川县 a little; some visits find
problems, and the findings go through the whole rectification workflow: notices, the
schools' responses, follow-ups (accepted or rejected), automatic escalation after two
rejections, "needs another department", escalation to the city, on-the-spot fixes,
withdrawals, overdue ones, and one serious finding with accountability cases.

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
from dudao.visits import services as visits
from dudao.visits.models import (
    AreaCheck,
    Attachment,
    SixMinimum,
    Visit,
    VisitEvent,
    VisitMethod,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOLIDAY_MONTHS = (7, 8)  # summer holidays: no routine visits
MAIN_MONTHS = 6  # school months of history in the main county
SECOND_MONTHS = 2
SKIP_RATE = 0.1  # a month missed
# The inspector login's findings awaiting follow-up: the school responded a day after the
# visit, so a visit this old has its response (a weekend included).
AWAITING_MIN_AGE = 5
FINDING_RATE = 0.32  # visits that find a problem
# Findings recorded with their visit (the one-pass submit): those that never go into a
# notice, whose required action (整改要求, not asked by the visit form) no notice prints.
ONE_PASS_FATES = frozenset({"on_the_spot", "withdrawn", "overdue_open"})
NOTIFY_DAYS = datetime.timedelta(days=30)  # notifications for the last month's events only


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

FINE_NOTES = {
    1: ["校务公开栏内容及时更新，制度汇编齐全", "“三重一大”事项有会议记录", "值班记录完整"],
    2: ["收费公示到位，未发现违规收费", "招生按划片就近入学执行", "课后服务收费有家长确认"],
    3: ["开齐开足国家课程，课表与实际一致", "推门听课课堂秩序良好", "教学常规检查记录完整"],
    4: ["学生每天校内体育活动时间不少于1小时", "作业公示制度落实，书面作业总量合规"],
    5: ["师德承诺书签订齐全，未发现有偿补课", "校本研修记录完整", "新教师结对帮扶落实"],
    6: ["消防器材在有效期内，疏散通道畅通", "上下学时段护学岗到位", "安全隐患排查台账规范"],
    7: ["食堂证照齐全，食品留样规范", "陪餐记录完整，饮水设备定期消毒", "宿舍整洁通风"],
    8: ["校园文化氛围浓厚，学生文明有礼", "班风学风良好", "德育活动有计划有记录"],
}

# (problem, required action) by supervision item.
PROBLEMS = {
    1: [
        ("校务公开栏内容未及时更新，仍为上学期信息", "一周内更新校务公开内容，建立定期更新制度"),
        ("学校“三重一大”事项决策缺少会议记录", "补齐会议记录，规范集体决策程序"),
        ("学校安全值班记录有三天空缺", "落实领导带班和值班制度，补全记录"),
    ],
    2: [
        ("收费公示牌未公示课后服务收费标准", "按规定公示收费项目、标准及依据"),
        ("个别班级代收教辅材料费", "立即停止代收，清退已收费用并书面说明"),
    ],
    3: [
        ("课表每周体育课3节，实际被语文、数学占用1节", "严格执行课程计划，不得挤占体育课"),
        ("综合实践活动课程未按计划开设", "补开课程并提交课程实施记录"),
        ("部分教师无教案上课", "落实教学常规，教导处每周检查教案"),
    ],
    4: [
        ("三年级书面作业量超出规定时长", "落实作业公示和总量控制制度"),
        ("大课间活动时间不足30分钟", "调整作息时间，保证大课间活动时长"),
        ("学生到校时间过早，部分学生7:00前到校", "落实错峰到校，早到学生安排专人看护"),
    ],
    5: [
        ("教师继续教育学时登记不完整", "补齐登记，建立教师培训档案"),
        ("有家长反映一名教师组织学生参加校外有偿补课", "调查核实并按师德规范处理，报送处理结果"),
    ],
    6: [
        ("教学楼二楼消防通道堆放杂物", "立即清理通道，加强日常巡查"),
        ("部分灭火器已过有效期", "更换过期灭火器，建立消防器材台账"),
        ("校门口上下学时段无护学岗", "落实护学岗制度，安排教师和保安值守"),
        ("围墙局部破损，存在安全隐患", "限期修复围墙，修复前设置警示标志"),
    ],
    7: [
        ("食堂留样记录缺失两天", "补齐留样记录，落实专人负责"),
        ("饮水机滤芯超期未更换", "立即更换滤芯，建立饮水设备维护记录"),
        ("学生宿舍应急照明灯损坏", "更换应急照明灯，每月检查一次"),
        ("一名食堂从业人员健康证过期", "暂停其上岗，办理健康证后方可复岗"),
    ],
    8: [
        ("校园宣传栏内容陈旧", "更新宣传内容，突出育人主题"),
        ("个别班级课堂纪律松散", "加强班级管理，开展学风专项整治"),
    ],
}

SERIOUS = (
    7,
    "食堂发现过期面粉两袋（过期15天），已用于当日学生午餐加工",
    "立即封存并销毁过期食材，全面排查食品库存，追究相关人员责任",
)

DIFFICULT = [
    (6, "校门口道路无减速带和人行横道，上下学时段交通拥堵", "县公安局交通警察大队"),
    (6, "学校围墙外有废品收购站，堆放大量易燃物", "县住房和城乡建设局"),
    (7, "学校自备井饮用水水质检测不达标", "县水利局"),
]

RESPONSES = [
    "已召开专题会议研究整改，明确分管校长负责，现已整改完毕，附整改前后照片。",
    "学校高度重视，当天即组织整改，并建立长效检查机制，由值周行政每日检查。",
    "已按要求完成整改，相关制度已修订并在全校教职工会议上传达。",
    "已落实整改措施，责任人已作书面检查，整改情况已在校务公开栏公示。",
]
SECOND_RESPONSES = [
    "针对复查意见再次整改，已彻底完成，并安排专人每周检查。",
    "已按复查意见补充整改，相关记录已补齐，请再次复查。",
]
ACCEPT_NOTES = ["现场复查，整改到位。", "查看整改资料和现场，已整改完毕。", "复查合格，同意销号。"]
REJECT_NOTES = [
    "复查发现问题仍未彻底整改，请继续整改。",
    "整改资料不全，现场仍存在同类问题，请再次整改。",
]
FEEDBACK_GOOD = [
    "学校管理规范，校园整洁有序",
    "教学秩序良好，师生精神面貌积极",
    "安全工作责任落实，台账较为规范",
    "“双减”工作推进扎实，课后服务内容丰富",
    "食堂管理规范，陪餐制度落实",
]


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


def working_days(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """Monday to Friday from `start` to `end` inclusive."""
    days, day = [], start
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def add_working_days(day: datetime.date, n: int) -> datetime.date:
    while n > 0:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def school_months(today: datetime.date, n: int) -> list[tuple[int, int]]:
    """The last `n` months with school, oldest first, the current month included."""
    months, year, month = [], today.year, today.month
    while len(months) < n:
        if month not in HOLIDAY_MONTHS:
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

    def plan_county(self, county, n_months: int, special) -> None:
        months = school_months(self.today, n_months)
        closing = {s.pk for s in county.closing}
        schools = sorted(  # deterministic order
            (s for s in county.schools if s.is_active and s.pk not in closing),
            key=lambda s: s.code,
        )
        last_day = self.today - datetime.timedelta(days=1)
        for year, month in months:
            first = datetime.date(year, month, 1)
            end = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
            days = working_days(first, end)
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
                    past = [d for d in days if d <= last_day and d < self.today]
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
            areas = self.rng.sample(range(1, 9), n)
            for i, area in enumerate(areas):
                if forced == "awaiting_follow_up" or (i == 0 and forced):
                    fate = forced
                elif main and self.required and age > 100:
                    fate = self.required.pop(0)
                else:
                    fate = self.weighted_fate()
                fp = self.finding_plan(fate, area)
                if fate in ("school_notice", "awaiting_follow_up"):
                    # Not overdue yet, however long ago the visit was (after the holidays).
                    fp.deadline_days = max(fp.deadline_days, age + 14)
                plan.findings.append(fp)

    def weighted_fate(self) -> str:
        fates = list(FATE_WEIGHTS)
        return self.rng.choices(fates, weights=[FATE_WEIGHTS[f] for f in fates])[0]

    def finding_plan(self, fate: str, area: int) -> FindingPlan:
        rng = self.rng
        if fate == "serious":
            area, description, action = SERIOUS
            return FindingPlan(fate, area, description, action, Severity.SERIOUS, False, 7)
        if fate == "difficult":
            area, description, department = rng.choice(DIFFICULT)
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
        description, action = rng.choice(PROBLEMS[area])
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

    def queue_visit(self, plan: VisitPlan) -> None:
        rng = self.rng
        methods = [
            VisitMethod.CAMPUS_WALK,
            *rng.sample(
                [m for m in VisitMethod.values if m != VisitMethod.CAMPUS_WALK], rng.randint(1, 3)
            ),
        ]
        minimums = rng.sample(SixMinimum.values, rng.randint(1, 3))
        problem_areas = {f.area: f for f in plan.findings}
        not_checked = set(rng.sample(range(1, 9), rng.choice([0, 0, 1, 2])))
        areas = []
        for number in range(1, 9):
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
        good = "；".join(rng.sample(FEEDBACK_GOOD, 2))
        if plan.findings:
            problems = "；".join(f.description for f in plan.findings)
            feedback = (
                f"本次采取{words}等方式进行督导。{good}。发现问题：{problems}。请学校按要求整改。"
            )
        else:
            feedback = f"本次采取{words}等方式进行督导。{good}。未发现明显问题，请继续保持。"
        month = plan.moment.month
        summary = f"{month}月经常性督导：{plan.school.name}"
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
            for n in range(1, 6 if full else 3)
        ]
        fields = {
            "visited_at": moment,
            "methods": [VisitMethod.CAMPUS_WALK, VisitMethod.CLASS_VISIT],
            "minimums": [SixMinimum.CLASS_ATTENDED] if full else [],
            "feedback": "听课两节，课堂秩序良好；" if full else "",
            "summary": "（草稿，待补充）",
        }
        client_uuid = self.uuid()

        def save():
            visits.save_draft(actor, school, client_uuid, areas=areas, **fields)

        self.schedule(moment + datetime.timedelta(minutes=40), save)

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
            t = notice(
                self.later_day(moment, rng.randint(0, 2)), by=admin if fate == "serious" else None
            )
            if fate == "serious":
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
                        notes="食品安全问题，约谈学校主要负责人，并在全县督导通报中通报。",
                    )
                    case = rect.open_accountability_case(
                        admin,
                        office=county.office,
                        target_kind="individual",
                        target_name=f"{school.name}食堂管理员",
                        finding=f,
                        measures=["self_examination", "criticism_by_bulletin"],
                        notes="责令作出书面检查，通报批评。",
                    )
                    rect.close_accountability_case(admin, case, notes="已作书面检查，处理完毕。")

                step(t, open_cases)
                t = respond(self.later_day(t, 2), rng.choice(RESPONSES))
                follow_up(self.later_day(t, 2), True)
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
                            if respond_day.weekday() < 5
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
        self.queue.sort()
        with self.clock.running(notify_since=at(self.today, 0) - NOTIFY_DAYS):
            for planned in self.queue:
                self.clock.moment = planned.at
                planned.run()
        # Notifications older than a week have been read.
        week_ago = at(self.today, 0) - datetime.timedelta(days=7)
        Notification.objects.unscoped().filter(
            recipient__office__in=[c.office for c in self.ctx.counties],
            created_at__lt=week_ago,
            read_at__isnull=True,
        ).update(read_at=F("created_at") + datetime.timedelta(hours=20))


@dataclass
class Special:
    """What the demo logins must see on any day: the `inspector` login's schools have
    findings awaiting its follow-up; the `school` login's school a notice awaiting its
    response, not yet overdue. The most recent visits old enough for the story to have
    happened carry these fates, so the demo looks alive on the 1st of a month, after the
    holidays or on 1 January alike."""

    inspector_schools: set
    school_id: int | None
    always_visit: set
    awaiting: int = 2
    chosen: dict = field(default_factory=dict)  # id(plan) → fate

    def choose(self, plans: list, today: datetime.date) -> None:
        latest_first = sorted(plans, key=lambda p: p.moment, reverse=True)
        notice = next(
            (
                p
                for p in latest_first
                if p.school.pk == self.school_id and (today - p.moment.date()).days >= 1
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
            and id(p) not in self.chosen
        ][: self.awaiting]
        for p in awaiting:
            self.chosen[id(p)] = "awaiting_follow_up"

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
    special = Special(
        inspector_schools=inspector_schools,
        school_id=school_id,
        always_visit=inspector_schools | ({school_id} if school_id else set()),
    )
    main, second = ctx.counties[0], ctx.counties[1]
    sim.plan_county(main, MAIN_MONTHS, special)
    main_plans, sim.visit_plans = sim.visit_plans, []
    sim.plan_county(second, SECOND_MONTHS, special)
    sim.visit_plans = sorted(main_plans + sim.visit_plans, key=lambda p: (p.moment, p.school.code))
    sim.plan_findings(special)
    for plan in sim.visit_plans:
        sim.queue_visit(plan)
    if inspector_user is not None and inspector_schools:
        schools = sorted(
            (s for s in main.schools if s.pk in inspector_schools), key=lambda s: s.code
        )
        days = [
            d
            for d in working_days(sim.today - datetime.timedelta(days=10), sim.today)
            if d < sim.today
        ]
        for i in range(2):  # two drafts, at two schools when the inspector has two
            school = schools[i % len(schools)]
            sim.queue_draft(inspector_user, school, days[-1 - i], full=i == 0)
    first = min((p.moment.date() for p in sim.visit_plans), default=sim.today)
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
    }
