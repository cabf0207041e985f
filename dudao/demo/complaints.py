"""Complaints, tip-offs and enquiries for the demo county 清河县 (`seed_demo`, step
"complaints"; issue 14): about two months of reports from the public in every state of the
workflow, sent from the schools' public pages and the county's page.

- waiting to be triaged (one from yesterday, anonymous, with a photo; one left untouched
  past its deadline, so the nightly check flagged it overdue);
- assigned, and being investigated with a draft reply (the demo inspector's, so the
  `inspector` login has some in "my complaints"); one investigated past its deadline and
  urged;
- replied on time, replied late, closed;
- a "双减" tip-off confirmed and made a finding in the ledger (open, its deadline ahead), and
  an older complaint that went the whole way from the QR page to a reply, a closing and a
  finding in the ledger (its deadline since passed: the supervision step's nightly check
  flags it overdue);
- an enquiry and a suggestion the office answered itself;
- a tip-off about an off-campus tutoring company transferred (转办) to the county's market
  regulator;
- duplicates: the same text sent twice from one phone (merged by the platform at once) and
  another parent's report of the same matter (merged by the office).

Everything goes through the services (`dudao.complaints.services`, and
`dudao.rectification.services` for the findings) under the supervision step's simulated
clock (`supervision.Clock`), in the order of their moments, with the nightly check of
complaints replayed for every night of the history; nothing is dated at or after today's
midnight. The senders' addresses are documentation addresses (192.0.2.x), kept as hashes
like any other; the tracking codes come from the step's own generator, so the same seed
gives the same codes. Runs before the supervision step, like the campaigns step: the
findings raised here then go through its replay of the nightly check, and the step issues
no notice, so the supervision step's notices keep their numbers in issue order.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from dudao.accounts.models import Role, User
from dudao.complaints import services as complaints
from dudao.complaints.models import (
    Category,
    Complaint,
    ComplaintEvent,
    ComplaintPhoto,
    ComplaintRules,
)
from dudao.complaints.overdue import check_overdue_complaints
from dudao.inspectors.models import Assignment
from dudao.inspectors.queries import barred_pairs
from dudao.rectification.models import Severity
from dudao.schools.models import SchoolType

from .campaigns import evidence_jpeg
from .supervision import Clock, Supervision, at

DAY = datetime.timedelta(days=1)
NOTIFY_DAYS = datetime.timedelta(days=30)
NIGHTLY = (0, 15)  # the nightly check of complaints, a little after the findings'
FINDING_DAYS = datetime.timedelta(days=20)

# (key, days before today it was received, category, text, sender (name, phone) or None for
# anonymous, photos, fate). The fates are played by `ComplaintStory.fate`.
REPORTS = [
    (
        "new_anonymous",
        1,
        Category.COMPLAINT,
        "学校门口上下学时段车辆乱停，接送学生非常危险，希望督导室督促学校和交警协调。",
        None,
        1,
        "received",
    ),
    (
        "untouched",
        19,
        Category.COMPLAINT,
        "孩子所在班级的班主任多次在家长群里要求家长批改作业并签字打卡。",
        ("刘女士", "13979210001"),
        0,
        "received",
    ),
    (
        "assigned",
        3,
        Category.TIP_OFF,
        "有老师在校外有偿补课，地点在城关镇新华路一小区内，每周六上午。",
        None,
        0,
        "assigned",
    ),
    (
        "investigating",
        6,
        Category.DOUBLE_REDUCTION,
        "学校每天布置的书面作业明显超过规定时长，孩子经常写到晚上十点以后。",
        ("陈先生", "13979210002"),
        0,
        "investigating",
    ),
    (
        "investigating_late",
        24,
        Category.COMPLAINT,
        "食堂饭菜分量不足，部分学生反映吃不饱，学校未公示食堂收费标准。",
        ("赵女士", "13979210003"),
        1,
        "investigating_late",
    ),
    (
        "replied_on_time",
        40,
        Category.COMPLAINT,
        "学校课后服务收费没有公示，也没有征求家长意见。",
        ("王先生", "13979210004"),
        0,
        "replied_on_time",
    ),
    (
        "replied_late",
        52,
        Category.TIP_OFF,
        "学校以“特长班”名义按成绩分快慢班。",
        None,
        0,
        "replied_late",
    ),
    (
        "closed_finding",
        58,
        Category.COMPLAINT,
        "学校教学楼三楼楼梯扶手松动，已经有学生差点摔倒，请尽快处理。",
        ("孙女士", "13979210005"),
        1,
        "closed_finding",
    ),
    (
        "shuangjian_finding",
        12,
        Category.DOUBLE_REDUCTION,
        "学校要求学生周末统一到校参加“自愿”补习，不参加的要写说明。",
        None,
        0,
        "finding_open",
    ),
    (
        "enquiry",
        15,
        Category.ENQUIRY,
        "请问今年小学一年级新生入学的报名时间和需要准备的材料？",
        ("周先生", "13979210006"),
        0,
        "answered_by_office",
    ),
    (
        "suggestion",
        33,
        Category.SUGGESTION,
        "建议学校延长课后服务时间到下午六点，方便双职工家庭接孩子。",
        ("吴女士", "13979210007"),
        0,
        "answered_by_office",
    ),
    (
        "transferred",
        30,
        Category.DOUBLE_REDUCTION,
        "城关镇某培训机构在周末面向初中生开设数学、英语学科类培训，收费较高。",
        None,
        0,
        "transferred",
    ),
    (
        "same_phone_twice",
        40,
        Category.COMPLAINT,
        "学校课后服务收费没有公示，也没有征求家长意见。",
        ("王先生", "13979210004"),
        0,
        "platform_merge",
    ),
    (
        "another_parent",
        57,
        Category.COMPLAINT,
        "三楼楼梯扶手有松动，存在安全隐患。",
        ("郑先生", "13979210008"),
        0,
        "office_merge",
    ),
]
# Which reports share a school: the duplicates are about their original's school.
SAME_SCHOOL = {"same_phone_twice": "replied_on_time", "another_parent": "closed_finding"}
# Reports about the demo inspector's schools (their login's "my complaints").
DEMO_INSPECTOR_REPORTS = ("investigating", "investigating_late", "shuangjian_finding")
# The same phone sends twice: the same address as its original.
SAME_ADDRESS = {"same_phone_twice": "replied_on_time"}


def photo(rng: random.Random) -> SimpleUploadedFile:
    return SimpleUploadedFile("现场照片.jpg", evidence_jpeg(rng), content_type="image/jpeg")


class ComplaintStory:
    """Plans the reports and their handling, then replays them under the simulated clock."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.today = ctx.today
        self.rng = random.Random(f"complaints-{ctx.seed}")
        self.code_rng = random.Random(f"complaints-codes-{ctx.seed}")
        self.office = ctx.main.office
        self.admin = (
            User.objects.filter(office=self.office, role=Role.OFFICE_ADMIN).order_by("pk").first()
        )
        self.cutoff = at(self.today, 0, 0)
        self.queue: list[tuple[datetime.datetime, int, Callable]] = []
        self.made: dict[str, Complaint] = {}
        self.clock = Clock()

    # --- planning -------------------------------------------------------------------------

    def schedule(self, moment: datetime.datetime, run: Callable) -> None:
        if moment < self.cutoff:
            self.queue.append((moment, len(self.queue), run))

    def day(self, days_ago: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days_ago)

    def moment(self, days_ago: int, start: int = 8, end: int = 21) -> datetime.datetime:
        return at(
            self.day(days_ago), self.rng.randint(start, end - 1), self.rng.randrange(0, 60, 5)
        )

    def office_time(self, day: datetime.date, hour: int | None = None) -> datetime.datetime:
        return at(
            day, hour if hour is not None else self.rng.randint(9, 16), self.rng.randrange(0, 60, 5)
        )

    def responsible(self, school) -> tuple | None:
        """The school's current responsible inspector and their login, if both exist and the
        inspector need not recuse from the school."""
        row = (
            Assignment.objects.unscoped()
            .current(on=self.today)
            .filter(school=school)
            .select_related("inspector")
            .first()
        )
        if row is None or barred_pairs([(row.inspector_id, school.pk)]):
            return None
        user = User.objects.filter(inspector=row.inspector, is_active=True).order_by("pk").first()
        return (row.inspector, user) if user else None

    def choose_schools(self) -> dict[str, object]:
        """A school for each report: the demo inspector's schools for the reports that get
        investigated (so the `inspector` login has some in "my complaints"), other schools
        of the county with a responsible inspector for the rest."""
        schools = sorted(
            (
                s
                for s in self.ctx.main.schools
                if s.is_active
                and s.type not in (SchoolType.TEACHING_POINT, SchoolType.KINDERGARTEN)
            ),
            key=lambda s: s.code,
        )
        demo_inspector = self.ctx.users.get("inspector")
        current = Assignment.objects.unscoped().current(on=self.today)
        mine_ids = set(
            current.filter(inspector_id=getattr(demo_inspector, "inspector_id", None)).values_list(
                "school_id", flat=True
            )
        )
        mine = [s for s in schools if s.pk in mine_ids and self.responsible(s)]
        others = [s for s in schools if s.pk not in mine_ids and self.responsible(s)]
        self.rng.shuffle(others)
        chosen = {}
        for key, *_rest in REPORTS:
            if key in SAME_SCHOOL:
                continue
            pool = mine if key in DEMO_INSPECTOR_REPORTS and mine else others
            chosen[key] = pool.pop(0) if len(pool) > 1 else pool[0]
        for key, original in SAME_SCHOOL.items():
            chosen[key] = chosen[original]
        return chosen

    def plan(self) -> None:
        schools = self.choose_schools()
        addresses = {key: f"192.0.2.{n + 10}" for n, (key, *_rest) in enumerate(REPORTS)}
        addresses.update({k: addresses[v] for k, v in SAME_ADDRESS.items()})
        for key, days_ago, category, text, sender, photos, fate in REPORTS:
            school = schools[key]
            received = self.moment(days_ago)
            if key == "same_phone_twice":  # sent again twenty minutes later
                received = None
            self.plan_report(
                key, received, days_ago, school, category, text, sender, photos, addresses[key]
            )
            getattr(self, f"fate_{fate}")(key, days_ago, school)
        first = min((m for m, _n, _run in self.queue), default=self.cutoff).date()
        day = first + DAY
        while day <= self.today:
            self.schedule(
                at(day, *NIGHTLY)
                if day < self.today
                else self.cutoff - datetime.timedelta(minutes=1),
                lambda day=day: check_overdue_complaints(day, offices=[self.office.pk]),
            )
            day += DAY

    def plan_report(self, key, received, days_ago, school, category, text, sender, photos, address):
        if received is None:
            original = next(
                m for m, _n, run in self.queue if getattr(run, "key", "") == "replied_on_time"
            )
            received = original + datetime.timedelta(minutes=20)
        name, phone = sender or ("", "")
        files = [photo(self.rng) for _ in range(photos)]

        def send():
            self.made[key] = complaints.submit_complaint(
                office=self.office,
                school=school,
                category=category,
                text=text,
                name=name,
                phone=phone,
                anonymous=sender is None,
                photos=files,
                client_address=address,
                rng=self.code_rng,
            )

        send.key = key
        self.schedule(received, send)

    # --- the fates ------------------------------------------------------------------------

    def act(self, moment, run: Callable) -> None:
        """Schedule `run(complaint)` on the complaint as it stands then."""
        self.schedule(moment, run)

    def c(self, key) -> Complaint:
        return Complaint.objects.unscoped().get(pk=self.made[key].pk)

    def assign(self, key, day, school):
        who = self.responsible(school)

        def run():
            c = self.c(key)
            complaints.assign(self.admin, c, expected_version=c.version, inspector=who[0])

        self.act(self.office_time(day, 9), run)
        return who

    def start(self, key, day, who):
        def run():
            c = self.c(key)
            complaints.start_investigation(who[1], c, expected_version=c.version)

        self.act(self.office_time(day, 10), run)

    def reply(self, key, day, actor, text):
        def run():
            c = self.c(key)
            complaints.reply(actor, c, expected_version=c.version, text=text)

        self.act(self.office_time(day, 15), run)

    def close(self, key, day):
        def run():
            c = self.c(key)
            complaints.close(self.admin, c, expected_version=c.version)

        self.act(self.office_time(day, 16), run)

    def fate_received(self, key, days_ago, school):
        pass

    def fate_assigned(self, key, days_ago, school):
        self.assign(key, self.day(days_ago - 1), school)

    def fate_investigating(self, key, days_ago, school):
        who = self.assign(key, self.day(days_ago - 1), school)
        self.start(key, self.day(days_ago - 2), who)

        def draft():
            c = self.c(key)
            complaints.save_reply_draft(
                who[1],
                c,
                expected_version=c.version,
                text="经调阅作业布置记录并走访部分班级，已要求学校按规定控制书面作业总量，……",
            )

        self.act(self.office_time(self.day(days_ago - 3), 17), draft)

    def fate_investigating_late(self, key, days_ago, school):
        who = self.assign(key, self.day(days_ago - 2), school)
        self.start(key, self.day(days_ago - 5), who)

    def fate_replied_on_time(self, key, days_ago, school):
        who = self.assign(key, self.day(days_ago - 1), school)
        self.start(key, self.day(days_ago - 2), who)
        self.reply(
            key,
            self.day(days_ago - 9),
            who[1],
            "经核查，学校课后服务收费未按规定公示。督导室已责令学校在校务公开栏和家长群公示"
            "收费项目、标准和依据，并按自愿原则重新征求家长意见。感谢您的监督。",
        )
        self.close(key, self.day(days_ago - 10))

    def fate_replied_late(self, key, days_ago, school):
        who = self.assign(key, self.day(days_ago - 3), school)
        self.start(key, self.day(days_ago - 6), who)
        self.reply(
            key,
            self.day(days_ago - 20),
            who[1],
            "经核查，学校确有按考试成绩编排“特长班”的情况。督导室已责令学校立即改为均衡编班，"
            "并将持续跟踪。答复晚于期限，敬请谅解。",
        )

    def fate_closed_finding(self, key, days_ago, school):
        who = self.assign(key, self.day(days_ago - 1), school)
        self.start(key, self.day(days_ago - 1), who)

        def finding():
            c = self.c(key)
            complaints.raise_finding(
                self.admin,
                c,
                expected_version=c.version,
                school=school,
                area=6 if school.type != SchoolType.KINDERGARTEN else 10,
                description="教学楼三楼楼梯扶手松动，存在学生安全隐患。",
                severity=Severity.GENERAL,
                deadline=self.day(days_ago - 3) + FINDING_DAYS,
            )

        self.act(self.office_time(self.day(days_ago - 3), 11), finding)
        self.reply(
            key,
            self.day(days_ago - 4),
            who[1],
            "经现场核查，反映的问题属实。督导室已将该问题列入整改台账，要求学校限期加固楼梯扶手"
            "并全面排查校舍安全隐患。感谢您的反映。",
        )
        self.close(key, self.day(days_ago - 5))

    def fate_finding_open(self, key, days_ago, school):
        who = self.assign(key, self.day(days_ago - 1), school)
        self.start(key, self.day(days_ago - 2), who)

        def finding():
            c = self.c(key)
            complaints.raise_finding(
                self.admin,
                c,
                expected_version=c.version,
                school=school,
                area=4 if school.type != SchoolType.KINDERGARTEN else 11,
                description="学校以自愿名义组织学生周末到校集体补课，违反“双减”规定。",
                deadline=self.today + datetime.timedelta(days=10),
            )

        self.act(self.office_time(self.day(days_ago - 4), 11), finding)
        self.reply(
            key,
            self.day(days_ago - 5),
            who[1],
            "经核查，反映情况属实。督导室已将该问题列入整改台账，责令学校立即停止周末集体补课，"
            "并将跟踪整改落实情况。",
        )

    def fate_answered_by_office(self, key, days_ago, school):
        answers = {
            "enquiry": "您好：今年小学一年级新生报名时间为7月上旬，请关注县教育局官网发布的招生"
            "公告，需准备户口簿、房产证明或居住证等材料。",
            "suggestion": "感谢您的建议。督导室已转告学校，学校将结合家长需求研究调整课后"
            "服务时间。",
        }
        self.reply(key, self.day(days_ago - 1), self.admin, answers[key])
        self.close(key, self.day(days_ago - 2))

    def fate_transferred(self, key, days_ago, school):
        def run():
            c = self.c(key)
            complaints.transfer(
                self.admin,
                c,
                expected_version=c.version,
                department="清河县市场监督管理局",
                note="校外培训机构的收费和办学问题由县市场监管局和县教育局校外培训监管股处理。",
            )

        self.act(self.office_time(self.day(days_ago - 2), 10), run)

    def fate_platform_merge(self, key, days_ago, school):
        pass  # merged by the platform when it is received

    def fate_office_merge(self, key, days_ago, school):
        def run():
            c = self.c(key)
            complaints.merge(
                self.admin,
                c,
                expected_version=c.version,
                original=self.c("closed_finding"),
                note="同一楼梯扶手问题，另一位家长反映。",
            )

        self.act(self.office_time(self.day(days_ago - 1), 10), run)

    # --- replay ---------------------------------------------------------------------------

    def replay(self) -> None:
        self.queue.sort(key=lambda row: (row[0], row[1]))
        queue, self.queue = self.queue, []
        with self.clock.running(notify_since=self.cutoff - NOTIFY_DAYS):
            for moment, _n, run in queue:
                self.clock.moment = moment
                run()


def build_complaints(ctx) -> None:
    # The inspectors reply under their own logins (made here if the campaigns step has not).
    Supervision(ctx).make_inspector_accounts()
    story = ComplaintStory(ctx)
    story.plan()
    story.replay()
    counts = {}
    for status in (
        Complaint.objects.unscoped().filter(office=story.office).values_list("status", flat=True)
    ):
        counts[status] = counts.get(status, 0) + 1
    states = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    ctx.log(f"  complaints: {sum(counts.values())} ({states})")


def reset_complaints(scope) -> None:
    """Delete the demo offices' complaints (duplicates before their originals: they protect
    them), their photos and history rows, and the offices' complaint rules."""
    offices = scope.office_ids
    photos = ComplaintPhoto.objects.filter(complaint__office__in=offices)
    files = [(p.file, p.preview) for p in photos]
    photos.delete()
    ComplaintEvent.objects.filter(complaint__office__in=offices).delete()
    rows = Complaint.objects.unscoped().filter(office__in=offices)
    while rows.exists():
        leaves = rows.exclude(pk__in=rows.filter(duplicate_of__isnull=False).values("duplicate_of"))
        leaves.delete()
    ComplaintRules.objects.filter(office__in=offices).delete()

    def delete_files():
        for pair in files:
            for field_file in pair:
                if field_file:
                    field_file.storage.delete(field_file.name)

    if files:
        transaction.on_commit(delete_files)


def complaints_fingerprint(scope) -> dict:
    """The demo's complaints by natural keys (for `generator.fingerprint`)."""
    offices = scope.office_ids
    return {
        "complaints": sorted(
            Complaint.objects.unscoped()
            .filter(office__in=offices)
            .values_list(
                "tracking_code",
                "school__code",
                "category",
                "text",
                "anonymous",
                "status",
                "inspector__phone",
                "deadline",
                "is_overdue",
                "urge_count",
                "reply_text",
                "replied_at",
                "transferred_to",
                "duplicate_of__tracking_code",
                "finding__description",
                "received_at",
                "closed_at",
            ),
            key=str,
        ),
        "photos": sorted(
            ComplaintPhoto.objects.filter(complaint__office__in=offices).values_list(
                "complaint__tracking_code", "sha256"
            )
        ),
    }
