"""A finished 开学 campaign and a "双减" return in progress for the demo county (`seed_demo`,
step "campaigns and returns"; issue 12).

- **The campaign** (专项督导): 清河县's office runs its 春季/秋季开学工作督查 of the latest term
  start (`term_starts`: the first school day of September, or after the winter holiday) whose
  campaign is over before today, with the built-in `kaixue` checklist. It draws 20 % of its
  schools at random (双随机, stratified by zone, with a recorded seed: the notice's number),
  with teams of two inspectors who are never the school's own; each team checks its school
  on a school day of the campaign (visit, answers, evidence photos, submission), mostly
  compliant, a few answers not, some of which become findings in the ledger. The office
  closes the campaign and publishes its results (一公开).
- **The return** (定期报送): the "双减"工作半月报 (built-in `shuangjian-banyue`) of the county's
  primary and secondary schools with compulsory grades, running since about two months
  before today. The schools get their accounts to report; most report on time, a few late,
  two never; the current period is partly reported; the platform's daily jobs (periods
  opened in the evening, reminders in the morning) run for every day of the history, and the
  office reminds the late schools of the last period.

Everything goes through the services under the simulated clock of the supervision step
(`supervision.Clock`), so times, events and audit rows lie in the past; nothing is dated at
or after today's midnight (the same data whatever the time of the build). The step runs
before the supervision step, whose replay of the nightly check (overdue flags) then covers
the campaign's findings too, and whose notices keep their numbers in issue order.

Determinism: the step's own random generator (from the demo's seed) leaves the other steps
unchanged. The draw chooses schools by their codes; its teams depend on the inspectors'
database ids (the service draws by id, as the published method says), so the fingerprint
leaves team membership and who answered out.
"""

from __future__ import annotations

import datetime
import io
import random
from collections.abc import Callable

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image, ImageDraw

from dudao.accounts import services as accounts
from dudao.accounts.models import Role, User
from dudao.campaigns import checks
from dudao.campaigns import services as campaigns
from dudao.campaigns.models import (
    Answer,
    AnswerEvidence,
    Campaign,
    CampaignEvent,
    CampaignTarget,
    CampaignTargetEvent,
    CampaignTeam,
    TeamMember,
)
from dudao.checklists import shipped
from dudao.checklists.models import AnswerType, ChecklistItem, ChecklistTemplate
from dudao.returns import schedule as return_schedule
from dudao.returns import services as returns
from dudao.returns.models import (
    PeriodicReturn,
    ReturnAnswer,
    ReturnEvent,
    ReturnPeriod,
    ReturnSubmission,
    Schedule,
    SubmissionEvent,
)
from dudao.schools.models import SchoolType

from . import school_calendar as cal
from .supervision import Clock, Supervision, add_working_days, at

DAY = datetime.timedelta(days=1)
CAMPAIGN_SCHOOL_DAYS = 10  # the campaign's checks take its first two school weeks
SAMPLE_PERCENT = 20
TEAM_SIZE = 2
NOTIFY_DAYS = datetime.timedelta(days=30)  # notifications for the last month's events only
FINDING_DEADLINE_DAYS = 30
RETURN_DAYS_BACK = 60  # the return runs since about two months before today
# The schools with compulsory grades that report the "双减" return; teaching points report
# through their host school, as they are visited with it.
RETURN_TYPES = [
    SchoolType.PRIMARY,
    SchoolType.JUNIOR,
    SchoolType.NINE_YEAR,
    SchoolType.TWELVE_YEAR,
    SchoolType.COMPLETE_SECONDARY,
]
NEVER_REPORT = 2  # schools that never report
OFTEN_LATE = 3  # schools that are often late

# Non-compliant answers a team may record (item code → value, note); findings come from
# those marked True.
PROBLEMS = {
    "1.2": (False, "作息时间表未在校内公布。", False),
    "1.3": ("93.5", "2名教师未按时到岗，无请假手续。", False),
    "1.4": ("93.8", "部分学生未按时返校，班主任正在逐一联系。", False),
    "2.1": (False, "未报到学生未建立登记台账。", True),
    "2.4": (False, "收费公示栏内容未按新学期标准更新。", False),
    "3.1": (False, "课程表中劳动课、综合实践活动课未开足课时。", True),
    "3.5": ("一般", "个别班级课堂纪律较差。", False),
    "4.1": (False, "开学前隐患排查记录不全，排查出的隐患未整改完毕。", True),
    "4.2": (False, "教学楼二楼走廊护栏松动，存在安全隐患。", True),
    "4.3": (False, "部分灭火器压力不足，已过检验期。", True),
    "4.4": (False, "外来人员和车辆登记记录不全。", False),
    "4.5": ("有校车但手续不全", "一辆接送车辆年检手续过期。", True),
    "5.1": (False, "1名食堂从业人员健康证已过期。", True),
    "5.2": ("一般", "部分教室通风不足，卫生间清洁不到位。", False),
    "5.3": (False, "因病缺勤追踪登记不完整。", False),
}
NOTES = [
    "听取学校开学工作汇报，查阅开学工作方案和相关台账，实地查看校园，随机走访师生。",
    "查阅资料、实地查看教室和食堂，抽查两个班级的教科书发放和学生到校情况。",
    "现场查看校门值守和校舍安全，听取汇报并与部分教师、家长座谈。",
]


def term_starts(today: datetime.date) -> list[datetime.date]:
    """The first school days of the terms (September; after the winter holiday) up to
    `today`, newest first."""
    starts = []
    for year in range(today.year, today.year - 3, -1):
        autumn = cal.school_days(datetime.date(year, 9, 1), datetime.date(year, 9, 30))[0]
        spring_from = cal.winter_holiday(year)[1] + DAY
        spring = cal.school_days(spring_from, spring_from + datetime.timedelta(days=30))[0]
        starts += [d for d in (autumn, spring) if d <= today]
    return sorted(starts, reverse=True)


def campaign_dates(today: datetime.date) -> dict:
    """The dates of the latest 开学 campaign that is over (published) before today."""
    for start in term_starts(today):
        days = cal.school_days(start, start + datetime.timedelta(days=40))
        ends_on = days[CAMPAIGN_SCHOOL_DAYS - 1]
        closed = add_working_days(ends_on, 1)
        published = add_working_days(closed, 3)
        if published < today:
            created = start - datetime.timedelta(days=14)
            while not cal.is_working_day(created):
                created -= DAY
            drawn = add_working_days(created, 3)
            return {
                "season": "秋季" if start.month >= 8 else "春季",
                "year": start.year,
                "created": created,
                "drawn": drawn,
                "starts_on": start,
                "ends_on": ends_on,
                "days": days[:CAMPAIGN_SCHOOL_DAYS],
                "closed": closed,
                "published": published,
            }
    raise RuntimeError("no term start found")  # pragma: no cover - three years back


def return_start(today: datetime.date) -> datetime.date:
    """The first day (the 1st or the 16th) of the half-month period about two months ago."""
    day = today - datetime.timedelta(days=RETURN_DAYS_BACK)
    return day.replace(day=16 if day.day >= 16 else 1)


def summary(problems) -> str:
    """The team's 督查意见 (the checklist's free-text item)."""
    found = [PROBLEMS[code][1] for code in sorted(problems)]
    if not found:
        return "开学准备工作扎实，秩序良好，未发现明显问题。"
    return "".join(found) + "已当场反馈，请学校限期整改。"


def evidence_jpeg(rng: random.Random) -> bytes:
    """A small placeholder photo of a document or a notice board (deterministic)."""
    image = Image.new("RGB", (320, 240), rng.choice([(214, 206, 190), (190, 200, 210)]))
    draw = ImageDraw.Draw(image)
    left, top = rng.randint(30, 60), rng.randint(15, 35)
    draw.rectangle([left, top, left + 220, top + 190], fill=(248, 248, 244))
    for i in range(rng.randint(6, 11)):
        y = top + 20 + i * 15
        draw.line([left + 15, y, left + 15 + rng.randint(90, 190), y], fill=(90, 90, 100), width=3)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


class Story:
    """Runs actions under the simulated clock, in the order of their moments."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.today = ctx.today
        self.rng = random.Random(f"campaigns-{ctx.seed}")
        self.cutoff = at(self.today, 0, 0)  # nothing happens on or after today
        self.clock = Clock()
        self.queue: list[tuple[datetime.datetime, int, Callable]] = []
        self.county = ctx.main
        self.office = self.county.office
        self.admin = (
            User.objects.filter(office=self.office, role=Role.OFFICE_ADMIN).order_by("pk").first()
        )
        self.school_users: dict[int, User] = {}
        self.inspector_users = {
            u.inspector_id: u
            for u in User.objects.filter(inspector__office=self.office, is_active=True)
        }

    def schedule(self, moment: datetime.datetime, run: Callable) -> bool:
        if moment >= self.cutoff:
            return False
        self.queue.append((moment, len(self.queue), run))
        return True

    def replay(self) -> None:
        self.queue.sort(key=lambda row: (row[0], row[1]))
        queue, self.queue = self.queue, []
        with self.clock.running(notify_since=at(self.today, 0) - NOTIFY_DAYS):
            for moment, _n, run in queue:
                self.clock.moment = moment
                run()

    def office_hours(self, day: datetime.date, start: int = 9, end: int = 17):
        return at(day, self.rng.randint(start, end - 1), self.rng.choice(range(0, 60, 5)))

    def school_user(self, school) -> User | None:
        """The school's account (kept once found: accounts are made before the reports)."""
        if school.pk not in self.school_users:
            user = User.objects.filter(role=Role.SCHOOL, school=school, is_active=True).first()
            if user is None:
                return None
            self.school_users[school.pk] = user
        return self.school_users[school.pk]


def builtin(key: str) -> ChecklistTemplate:
    """The newest published revision of a built-in checklist (loaded if missing)."""
    rows = ChecklistTemplate.objects.unscoped().filter(
        office__isnull=True, key=key, status=ChecklistTemplate.Status.PUBLISHED
    )
    if not rows.exists():
        shipped.ensure_builtin_checklists()
    return rows.order_by("-revision").first()


# --------------------------------------------------------------------------- the campaign


class CampaignStory(Story):
    def build(self) -> Campaign:
        dates = campaign_dates(self.today)
        self.dates = dates
        checklist = builtin(shipped.KAIXUE)
        office = self.office
        number = f"{office.document_prefix}〔{dates['year']}〕{self.rng.randint(8, 30)}号"
        made: dict = {}

        def create():
            made["campaign"] = campaigns.create_campaign(
                self.admin,
                office,
                title=f"{dates['year']}年{dates['season']}开学工作督查",
                theme="开学",
                legal_basis=number,
                starts_on=dates["starts_on"],
                ends_on=dates["ends_on"],
                checklist=checklist,
            )

        def draw():
            campaigns.draw_targets(
                self.admin,
                made["campaign"],
                seed=number,
                percent=SAMPLE_PERCENT,
                strata="zone",
                team_size=TEAM_SIZE,
                exclude_own=True,
            )

        def start():
            campaigns.start_campaign(self.admin, made["campaign"])

        self.schedule(at(dates["created"], 10, 30), create)
        self.schedule(at(dates["drawn"], 15, 0), draw)
        self.schedule(at(dates["starts_on"], 8, 0), start)
        self.replay()
        campaign = made["campaign"]
        items = list(ChecklistItem.objects.filter(template=checklist).order_by("position"))
        targets = list(
            CampaignTarget.objects.unscoped()
            .filter(campaign=campaign)
            .select_related("school", "campaign")
            .order_by("position")
        )
        plans = [self.plan_check(target, items, dates["days"]) for target in targets]
        self.choose_findings(plans)
        for plan in plans:
            self.queue_check(plan)
        self.schedule(
            at(dates["closed"], 16, 30), lambda: campaigns.close_campaign(self.admin, campaign)
        )
        self.schedule(
            at(dates["published"], 10, 0),
            lambda: campaigns.publish_campaign(self.admin, campaign),
        )
        self.replay()
        return campaign

    def plan_check(self, target, items, days) -> dict:
        rng, school = self.rng, target.school
        applicable = [item for item in items if item.applies_to(school.type)]
        codes = [i.code for i in applicable if i.code in PROBLEMS]
        n = rng.choices([0, 1, 2], weights=[55, 30, 15])[0]
        problems = set(rng.sample(codes, min(n, len(codes))))
        answers, evidence = {}, []
        for item in applicable:
            value, note = self.compliant_value(item, school), ""
            if item.code in problems:
                value, note, _raise = PROBLEMS[item.code]
            if item.answer_type == AnswerType.PHOTO:
                value = None
            elif item.answer_type == AnswerType.TEXT:
                value = summary(problems)
            if item.evidence_required or item.answer_type == AnswerType.PHOTO:
                evidence.append(item)
            answers[item] = (value, note)
        day = rng.choice(days)
        return {
            "target": target,
            "answers": answers,
            "evidence": evidence,
            "problems": problems,
            "raise": [],
            "moment": at(day, rng.randint(8, 14), rng.choice(range(0, 60, 5))),
            "notes": rng.choice(NOTES),
            "photos": [evidence_jpeg(rng) for _ in evidence],
            "minutes": [rng.randint(30, 50), rng.randint(60, 100), rng.randint(110, 160)],
        }

    def compliant_value(self, item, school):
        rng = self.rng
        if item.answer_type == AnswerType.YES_NO:
            return True
        if item.answer_type == AnswerType.NUMBER:
            if item.code == "2.2":
                return str(rng.choice([0, 0, 0, 1, 1, 2, 3]))
            return f"{rng.uniform(96, 100):.1f}"
        if item.answer_type == AnswerType.LEVEL:
            return rng.choice(["好", "好", "较好"])
        if item.answer_type == AnswerType.CHOICE:
            rural = school.location == "rural"
            return item.choices[1] if rural and rng.random() < 0.3 else item.choices[0]
        return None

    def choose_findings(self, plans) -> None:
        """Findings from the serious problems (at most one a school), at least two in all so
        the ledger shows the campaign's; none at kindergartens, whose findings belong on the
        kindergarten areas (docs/rules.md §4) while the checklist's items name the eight
        school items."""
        schools = [p for p in plans if p["target"].school.type != SchoolType.KINDERGARTEN]
        candidates = []
        for plan in schools:
            serious = sorted(c for c in plan["problems"] if PROBLEMS[c][2])
            if serious:
                candidates.append((plan, serious[0]))
        chosen = [pair for pair in candidates if self.rng.random() < 0.35]
        for pair in candidates:
            if len(chosen) < 2 and pair not in chosen:
                chosen.append(pair)
        for plan in schools:  # too few serious problems drawn: more checks find one
            if len(chosen) >= 2:
                break
            if any(pair[0] is plan for pair in chosen):
                continue
            item = next(i for i in plan["answers"] if i.code in PROBLEMS and PROBLEMS[i.code][2])
            plan["problems"].add(item.code)
            plan["answers"][item] = PROBLEMS[item.code][:2]
            for other in plan["answers"]:
                if other.answer_type == AnswerType.TEXT:
                    plan["answers"][other] = (summary(plan["problems"]), "")
            chosen.append((plan, item.code))
        for plan, code in chosen:
            plan["raise"].append(code)

    def checker(self, target) -> User:
        """The team's leader (or another member) with an account, else the office admin."""
        for member in TeamMember.objects.filter(team_id=target.team_id).order_by(
            "-is_leader", "pk"
        ):
            user = self.inspector_users.get(member.inspector_id)
            if user is not None:
                return user
        return self.admin

    def queue_check(self, plan) -> None:
        target, moment = plan["target"], plan["moment"]
        first, second, third = (moment + datetime.timedelta(minutes=m) for m in plan["minutes"])
        rows = {item.pk: {"value": v, "note": n} for item, (v, n) in plan["answers"].items()}
        keys = list(rows)
        half = {k: rows[k] for k in keys[: len(keys) // 2]}
        rest = {k: rows[k] for k in keys[len(keys) // 2 :]}
        actor: dict = {}

        def visit():
            actor["user"] = self.checker(target)
            checks.mark_visited(actor["user"], target, when=moment)

        def draft():
            checks.save_answers(actor["user"], target, half)

        def photos():
            for n, (item, data) in enumerate(zip(plan["evidence"], plan["photos"], strict=True)):
                upload = SimpleUploadedFile(f"IMG_{item.code}_{n}.jpg", data, "image/jpeg")
                checks.add_evidence(actor["user"], target, item, upload)

        def submit():
            checks.submit_target(actor["user"], target, rest, notes=plan["notes"])

        self.schedule(moment, visit)
        self.schedule(first, draft)
        self.schedule(second, photos)
        self.schedule(third, submit)
        for i, code in enumerate(plan["raise"]):
            self.queue_finding(target, code, third + datetime.timedelta(minutes=5 + i), actor)

    def queue_finding(self, target, code, moment, actor) -> None:
        """The team records a finding from the answer (in the ledger, to be rectified within
        FINDING_DEADLINE_DAYS). No notice follows here: notice numbers follow their issue
        dates (docs/rules.md), and this step runs before the supervision history that
        issues the county's notices; the nightly check of that history flags the finding
        overdue once its deadline passes, as it does the ledger's other open findings."""
        deadline = moment.date() + datetime.timedelta(days=FINDING_DEADLINE_DAYS)

        def raise_it():
            answer = Answer.objects.get(target=target, item__code=code)
            checks.raise_finding(actor["user"], answer, deadline=deadline)

        self.schedule(moment, raise_it)


# --------------------------------------------------------------------------- the return


class ReturnStory(Story):
    def build(self) -> PeriodicReturn:
        from .generator import PASSWORD, hash_once

        rng, office = self.rng, self.office
        starts_on = return_start(self.today)
        created = starts_on - datetime.timedelta(days=7)
        while not cal.is_working_day(created):
            created -= DAY
        activated = min(add_working_days(created, 2), starts_on - DAY)
        schools = sorted(
            (s for s in self.county.schools if s.is_active and s.type in RETURN_TYPES),
            key=lambda s: s.code,
        )
        checklist = builtin(shipped.SHUANGJIAN_RETURN)
        items = list(ChecklistItem.objects.filter(template=checklist).order_by("position"))
        made: dict = {}

        def accounts_and_return():
            with hash_once(PASSWORD):
                have = set(
                    User.objects.filter(role=Role.SCHOOL, school__in=schools).values_list(
                        "school_id", flat=True
                    )
                )
                for school in schools:
                    if school.pk in have:
                        continue
                    accounts.create_user(
                        self.admin,
                        office,
                        password=PASSWORD,
                        username=f"xx{school.code}",
                        display_name=school.name,
                        role=Role.SCHOOL,
                        school=school,
                    )
            made["return"] = returns.create_return(
                self.admin,
                office,
                title="“双减”工作半月报",
                checklist=checklist,
                schedule=Schedule.HALF_MONTHLY,
                starts_on=starts_on,
                remind_days_before=1,
                types=RETURN_TYPES,
            )

        # The daily jobs are global: their history is replayed only when no other office
        # runs a return (else the return opens its periods up to today when started).
        others = (
            PeriodicReturn.objects.unscoped()
            .filter(status=PeriodicReturn.Status.ACTIVE)
            .exclude(office__in=[c.office for c in self.ctx.counties])
            .exists()
        )

        def activate():
            today = self.today - DAY if others else None
            returns.activate_return(self.admin, made["return"], today=today)

        self.schedule(at(created, 10, 0), accounts_and_return)
        self.schedule(at(activated, 16, 0), activate)
        day = activated
        while not others and day < self.today:
            self.schedule(at(day, 22, 10), lambda day=day: returns.open_due_periods(day))
            if day > activated:
                self.schedule(at(day, 10, 30), lambda day=day: returns.send_reminders(day))
            day += DAY
        periods = return_schedule.periods(Schedule.HALF_MONTHLY, None, starts_on, self.today)
        # The `school` login reports on time and has the period open now still to do.
        login = self.ctx.users.get("school")
        login_code = login.school.code if login is not None and login.school_id else None
        codes = [s.code for s in schools if s.code != login_code]
        never = set(rng.sample(codes, NEVER_REPORT))
        late = set(rng.sample(sorted(set(codes) - never), OFTEN_LATE))
        profiles = {s.code: self.profile(s) for s in schools}
        for index, (opens_on, due_on) in enumerate(periods):
            for school in schools:
                if school.code in never or (school.code == login_code and due_on >= self.today):
                    continue
                self.queue_report(
                    school,
                    opens_on,
                    due_on,
                    items,
                    profiles[school.code],
                    index,
                    school.code in late,
                )
        past = [p for p in periods if p[1] < self.today - DAY]
        if past and not others:
            due = past[-1][1]

            def remind(due=due):
                period = ReturnPeriod.objects.unscoped().get(
                    periodic_return=made["return"], due_on=due
                )
                returns.remind_period(self.admin, period)

            self.schedule(at(due + DAY, 9, 15), remind)
        self.replay()
        return made["return"]

    def profile(self, school) -> dict:
        rng = self.rng
        students = (school.enrolment_primary or 0) + (school.enrolment_junior or 0)
        students = students or rng.randint(200, 900)
        return {
            "students": students,
            "share": rng.uniform(0.82, 0.97),
            "homework": rng.randint(42, 58),
            "junior_homework": rng.randint(65, 86),
            "sleep": rng.uniform(9.7, 10.2),
            "junior_sleep": rng.uniform(8.7, 9.3),
            "pe": rng.choice([3, 3, 4]),
        }

    def answers(self, items, school, profile, index) -> dict:
        rng = self.rng
        values = {}
        for item in items:
            if not item.applies_to(school.type):
                continue
            code = item.code
            if item.answer_type == AnswerType.YES_NO:
                value = rng.random() > 0.03
            elif item.answer_type == AnswerType.CHOICE:
                value = item.compliant[0] if rng.random() > 0.03 else item.choices[0]
            elif item.answer_type == AnswerType.TEXT:
                value = (
                    "" if rng.random() < 0.8 else "本期开展作业设计专题教研一次，家长满意度较高。"
                )
            elif code == "1.2":
                value = profile["homework"] - index + rng.randint(-4, 6)
            elif code == "1.3":
                value = profile["junior_homework"] - index + rng.randint(-5, 8)
            elif code == "2.1":
                value = 5 if rng.random() > 0.03 else 4
            elif code == "2.2":
                value = rng.choice([2, 2, 2, 2.5])
            elif code == "2.3":
                share = min(0.99, profile["share"] + 0.01 * index)
                value = round(profile["students"] * share)
            elif code == "2.4":
                value = round(100 * min(0.99, profile["share"] + 0.01 * index), 1)
            elif code == "2.5":
                value = max(3, round(profile["students"] / 14))
            elif code == "3.4":
                value = round(profile["sleep"] + rng.uniform(-0.2, 0.2), 1)
            elif code == "3.5":
                value = round(profile["junior_sleep"] + rng.uniform(-0.2, 0.2), 1)
            elif code == "3.6":
                value = profile["pe"]
            elif code == "3.7":
                value = 1 if rng.random() > 0.04 else 0.8
            elif code == "4.1":
                value = 0 if rng.random() > 0.02 else 1
            elif code == "4.2":
                value = rng.choice([0, 0, 0, 1])
            elif code in ("4.3", "4.4"):
                value = values.get("4.3", rng.choice([0, 0, 0, 1, 2]))
            else:
                value = 0
            values[code] = value
        return {item.pk: values[item.code] for item in items if item.code in values}

    def queue_report(self, school, opens_on, due_on, items, profile, index, often_late):
        rng = self.rng
        roll = rng.random()
        if (often_late and roll < 0.6) or (not often_late and roll < 0.05):
            day = due_on + datetime.timedelta(days=rng.randint(1, 4))
        elif not often_late and roll > 0.98:
            return  # missed this period
        elif rng.random() < 0.15:  # reports early, on the first days
            day = min(due_on, opens_on + datetime.timedelta(days=rng.randint(0, 2)))
        else:
            day = max(opens_on, due_on - datetime.timedelta(days=rng.choice([0, 0, 1, 1, 2, 3, 5])))
        moment = self.office_hours(day, 8, 18)
        answers = self.answers(items, school, profile, index)

        def submit():
            user = self.school_user(school)
            submission = ReturnSubmission.objects.unscoped().get(
                period__periodic_return__office=self.office,
                period__due_on=due_on,
                school=school,
            )
            returns.submit(user, submission, answers)

        if self.schedule(moment, submit) or day - DAY < opens_on:
            return
        # Not reported yet: some schools saved part of it the day before.
        if rng.random() < 0.25:
            draft_at = self.office_hours(day - DAY)
            half = dict(list(answers.items())[: len(answers) // 2])

            def draft():
                user = self.school_user(school)
                submission = ReturnSubmission.objects.unscoped().get(
                    period__periodic_return__office=self.office,
                    period__due_on=due_on,
                    school=school,
                )
                returns.save_draft(user, submission, half)

            self.schedule(draft_at, draft)


# --------------------------------------------------------------------------- the step


def build_campaigns(ctx) -> None:
    # The teams check under their own logins: the inspectors' accounts are made here, before
    # the supervision step (which finds them made and makes the others).
    Supervision(ctx).make_inspector_accounts()
    campaign = CampaignStory(ctx).build()
    periodic_return = ReturnStory(ctx).build()
    targets = CampaignTarget.objects.unscoped().filter(campaign=campaign).count()
    reported = ReturnSubmission.objects.unscoped().filter(
        period__periodic_return=periodic_return, status=ReturnSubmission.Status.SUBMITTED
    )
    ctx.log(f"  campaigns: {campaign.title}, {targets} schools; return: {reported.count()} reports")


def reset_campaigns(scope) -> None:
    """Delete the demo offices' campaigns and returns, dependants first (history rows are
    append-only: QuerySet deletes, for the demo's own rows only)."""
    offices = scope.office_ids
    evidence = AnswerEvidence.objects.filter(answer__target__office__in=offices)
    files = [(e.file, e.preview) for e in evidence]
    evidence.delete()
    Answer.objects.filter(target__office__in=offices).delete()
    CampaignTargetEvent.objects.filter(target__office__in=offices).delete()
    CampaignTarget.objects.unscoped().filter(office__in=offices).delete()
    TeamMember.objects.filter(team__campaign__office__in=offices).delete()
    CampaignTeam.objects.filter(campaign__office__in=offices).delete()
    CampaignEvent.objects.filter(campaign__office__in=offices).delete()
    Campaign.objects.unscoped().filter(office__in=offices).delete()
    SubmissionEvent.objects.filter(submission__office__in=offices).delete()
    ReturnAnswer.objects.filter(submission__office__in=offices).delete()
    ReturnSubmission.objects.unscoped().filter(office__in=offices).delete()
    ReturnPeriod.objects.unscoped().filter(office__in=offices).delete()
    ReturnEvent.objects.filter(periodic_return__office__in=offices).delete()
    PeriodicReturn.objects.unscoped().filter(office__in=offices).delete()

    def delete_files():
        for pair in files:
            for field_file in pair:
                if field_file:
                    field_file.storage.delete(field_file.name)

    if files:
        transaction.on_commit(delete_files)


def campaigns_fingerprint(scope) -> dict:
    """The campaigns and returns by natural keys (for `generator.fingerprint`); team
    membership and who answered are left out (see the module docstring)."""
    offices = scope.office_ids
    return {
        "campaigns": sorted(
            Campaign.objects.unscoped()
            .filter(office__in=offices)
            .values_list(
                "title",
                "legal_basis",
                "starts_on",
                "ends_on",
                "checklist__key",
                "status",
                "draw_seed",
                "target_params",
                "team_size",
                "exclude_own",
                "drawn_at",
                "closed_at",
                "published_at",
                "created_at",
            ),
            key=str,
        ),
        "targets": sorted(
            CampaignTarget.objects.unscoped()
            .filter(office__in=offices)
            .values_list("school__code", "position", "status", "visited_at", "submitted_at"),
            key=str,
        ),
        "answers": sorted(
            Answer.objects.filter(target__office__in=offices).values_list(
                "target__school__code",
                "item__code",
                "value",
                "compliant",
                "note",
                "answered_at",
                "finding__deadline",
            ),
            key=str,
        ),
        "evidence": sorted(
            AnswerEvidence.objects.filter(answer__target__office__in=offices).values_list(
                "answer__target__school__code", "answer__item__code", "sha256"
            ),
            key=str,
        ),
        "returns": sorted(
            PeriodicReturn.objects.unscoped()
            .filter(office__in=offices)
            .values_list("title", "starts_on", "status", "created_at"),
            key=str,
        ),
        "reports": sorted(
            ReturnSubmission.objects.unscoped()
            .filter(office__in=offices)
            .values_list(
                "period__due_on",
                "school__code",
                "status",
                "submitted_at",
                "is_late",
                "reminders_sent",
                "last_reminded_at",
            ),
            key=str,
        ),
        "return_answers": sorted(
            ReturnAnswer.objects.filter(submission__office__in=offices).values_list(
                "submission__period__due_on", "submission__school__code", "item__code", "value"
            ),
            key=str,
        ),
    }
