"""The demo county's bulletins, notices and briefings (通报、通知、简报; issue 14 §4) for
`seed_demo` (step "bulletins"): over the last two months 清河县's office publishes, in this
order of dates,

- a 通知 of the "双减" special supervision to every school (清督发〔year〕N号),
- a 通报 of the latest campaign's results to every school (清督通), shown on the public page,
- a 通报 of last month's listed-supervision figures to the inspectors,
- a 通报 praising a zone's after-school services to that zone's schools, shown publicly,
- a 通报 criticising homework publicity at three chosen schools,
- a 简报 every two weeks (〔year〕第N期), shown publicly,

and keeps a 通知 of an inspectors' training as a draft. The recipients' accounts open some
documents over the following working days (most read the older ones, fewer the latest); the
office reminds those who have not read the 通知 a week after it, and a few read it then. The
demo's "school" login has read some and not the newest, so its list shows both.

Everything goes through the services under the simulated clock of the supervision step
(`supervision.Clock`): numbers follow the publication order, times and audit rows lie in the
past, nothing is dated at or after today's midnight. The step's own random generator (from
the demo's seed) leaves the other steps unchanged; it reads the accounts the earlier steps
made (the schools' accounts of the return, the inspectors' of the campaign), so it runs after
"campaigns and returns". `bulletins_fingerprint` gives its content by natural keys.

Wiring (in `generator.DemoBuilder.steps`, after the campaigns and before "summary"):
    Step("bulletins", bulletins_demo.build_step, bulletins_demo.reset_step),
and `"bulletins": bulletins_demo.bulletins_fingerprint(scope)` in `generator.fingerprint`.
"""

from __future__ import annotations

import datetime
import heapq
import itertools
import random
from collections.abc import Callable

from django.db import transaction

from dudao.accounts.models import Role, User
from dudao.bulletins import queries
from dudao.bulletins import services as bulletins
from dudao.bulletins.models import (
    Audience,
    Bulletin,
    BulletinAttachment,
    BulletinEvent,
    BulletinRead,
    BulletinRecipient,
    BulletinSequence,
    Kind,
)
from dudao.campaigns.models import Campaign
from dudao.schools.models import School

from . import school_calendar as cal
from .supervision import Clock, at

DAY = datetime.timedelta(days=1)
NOTIFY_DAYS = datetime.timedelta(days=30)  # notifications for the last month's events only
BRIEFING_EVERY = 14  # days between two briefings
BRIEFINGS = 4
CRITICISED = 3  # schools named in the criticism
LOGIN = "school"  # the demo's school login (generator.build_users)
RECENT = datetime.timedelta(days=10)  # that login has not yet opened what is this recent


def working_day_before(today: datetime.date, days: int) -> datetime.date:
    """The working day `days` before today, or the last one before it."""
    day = today - datetime.timedelta(days=days)
    while not cal.is_working_day(day):
        day -= DAY
    return day


def working_days_after(day: datetime.date, n: int) -> list[datetime.date]:
    days = []
    while len(days) < n:
        day += DAY
        if cal.is_working_day(day):
            days.append(day)
    return days


def month_before(day: datetime.date) -> tuple[int, int]:
    return (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)


# --------------------------------------------------------------------------- the texts


def notice_text(year: int) -> str:
    return (
        f"为深入贯彻落实“双减”工作要求，巩固{year}年“双减”工作成果，经研究，县教育督导室决定在全县"
        "中小学校开展“双减”工作专项督导。现将有关事项通知如下。\n"
        "一、督导内容\n"
        "作业总量和时长控制、作业公示制度落实、课后服务开展、校外培训治理、宣传引导等情况。\n"
        "二、督导方式\n"
        "采取“双随机、一公开”方式，随机抽取学校，随机选派督学，采取“四不两直”方式进校督导，"
        "督导结果向社会公开。\n"
        "三、工作要求\n"
        "各学校要对照督导内容认真开展自查，如实填报自查情况，主动整改发现的问题，"
        "于督导开始前将自查报告报送县教育督导室。"
    )


def results_text(campaign: Campaign | None, schools: int) -> str:
    if campaign is not None:
        opening = (
            f"按照工作安排，县教育督导室于{campaign.starts_on.month}月{campaign.starts_on.day}日至"
            f"{campaign.ends_on.month}月{campaign.ends_on.day}日开展了{campaign.title}，"
            "采取“双随机”方式抽取学校，组成督导组进校督查。现将督导情况通报如下。"
        )
    else:
        opening = "按照工作安排，县教育督导室开展了开学工作专项督导。现将督导情况通报如下。"
    return (
        f"{opening}\n"
        "一、基本情况\n"
        f"全县{schools}所学校高度重视开学工作，开学准备充分，校园安全隐患排查、食品安全、"
        "疫病防控等工作扎实有序，教学秩序总体良好。\n"
        "二、存在问题\n"
        "个别学校安全隐患排查台账不完整，部分学校灭火器等消防器材过期未更换，"
        "少数学校课程表中劳动课、综合实践活动课未开足课时。\n"
        "三、整改要求\n"
        "对督导发现的问题，相关学校要立即整改，于两周内将整改情况书面报送县教育督导室，"
        "县教育督导室将适时开展“回头看”。"
    )


def figures_text(year: int, month: int, inspectors: int, schools: int) -> str:
    return (
        f"{year}年{month}月，全县{inspectors}名责任督学按照挂牌督导工作要求，"
        f"对{schools}所学校开展经常性督导，现将有关情况通报如下。\n"
        "一、总体情况\n"
        "各责任督学能够按要求到校督导，督导内容覆盖校园安全、“双减”落实、课后服务等重点工作，"
        "督导记录填写规范，发现问题及时反馈。\n"
        "二、存在问题\n"
        "个别责任督学随访次数未达到每月要求，部分督导记录过于简单，整改跟踪不够及时。\n"
        "三、下一步要求\n"
        "各责任督学要严格落实随访制度，认真填写督导记录，对发现的问题跟踪督促整改到位。"
    )


def praise_text(zone: str, schools: list[str]) -> str:
    named = "、".join(schools) if schools else "各学校"
    return (
        f"{zone}各学校认真落实课后服务工作要求，服务时间、内容和质量不断提升。"
        f"其中，{named}课后服务内容丰富、管理规范、家长满意度高，成效明显。\n"
        "为树立典型、推广经验，县教育督导室决定对上述学校予以通报表扬。"
        "希望受表扬的学校珍惜荣誉，再接再厉；各学校要学习借鉴先进经验，进一步提升课后服务水平。"
    )


CRITICISM_TEXT = (
    "近期，县教育督导室在随访中发现，部分学校作业公示制度落实不到位，存在作业未按规定公示、"
    "作业量超出规定时长等问题。\n"
    "一、存在问题\n"
    "作业公示栏内容长期未更新，部分班级书面作业平均完成时间超过规定要求，"
    "学校对作业管理的检查指导不够。\n"
    "二、整改要求\n"
    "相关学校要立即整改，健全作业公示和检查制度，于一周内将整改情况书面报送县教育督导室。"
    "县教育督导室将组织责任督学进行复查，对整改不到位的将按规定予以约谈。"
)


def briefing_text(issue: int, day: datetime.date) -> str:
    topics = [
        ("开学工作专项督导有序推进", "各督导组按计划进校督查，共反馈问题清单，督促学校限期整改。"),
        ("“双减”半月报按时报送", "全县学校按时报送“双减”工作半月报，报送率稳步提高。"),
        ("责任督学随访全覆盖", "各责任督学深入学校开展随访，重点关注校园安全和课后服务。"),
        ("整改“回头看”取得实效", "对前期督导发现的问题开展复查，大部分问题已整改到位。"),
    ]
    first, second = topics[issue % len(topics)], topics[(issue + 1) % len(topics)]
    return (
        f"一、{first[0]}\n{first[1]}\n"
        f"二、{second[0]}\n{second[1]}\n"
        f"三、下阶段工作安排\n{day.month}月下旬，县教育督导室将继续做好经常性督导，"
        "加强督导结果运用，推动问题整改落实。"
    )


TRAINING_TEXT = (
    "为进一步提升责任督学业务能力，县教育督导室决定举办责任督学业务培训。\n"
    "一、培训对象\n全县责任督学。\n"
    "二、培训内容\n督导随访规范、问题整改跟踪、督导报告撰写等。\n"
    "三、有关要求\n请各责任督学合理安排工作，准时参加培训，不得无故缺席。"
)


# --------------------------------------------------------------------------- the story


class BulletinStory:
    """Runs the office's and the readers' actions under the simulated clock, in the order of
    their moments (as `campaigns.Story`)."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.today = ctx.today
        self.rng = random.Random(f"bulletins-{ctx.seed}")
        self.cutoff = at(self.today, 0, 0)  # nothing happens on or after today
        self.clock = Clock()
        self.queue: list[tuple[datetime.datetime, int, Callable]] = []
        self.counter = itertools.count()
        self.office = ctx.main.office
        self.admin = (
            User.objects.filter(office=self.office, role=Role.OFFICE_ADMIN).order_by("pk").first()
        )
        self.made: dict[str, Bulletin] = {}

    def schedule(self, moment: datetime.datetime, run: Callable) -> bool:
        """Run `run` at `moment` (dropped at or after today's midnight). An action may
        schedule later ones while the story is replayed (a publication, its readers)."""
        if moment >= self.cutoff:
            return False
        if self.clock.moment is not None and moment < self.clock.moment:
            moment = self.clock.moment
        heapq.heappush(self.queue, (moment, next(self.counter), run))
        return True

    def replay(self) -> None:
        with self.clock.running(notify_since=at(self.today, 0) - NOTIFY_DAYS):
            while self.queue:
                moment, _n, run = heapq.heappop(self.queue)
                self.clock.moment = moment
                run()

    def office_hours(self, day: datetime.date) -> datetime.datetime:
        return at(day, self.rng.randint(8, 17), self.rng.choice(range(0, 60, 5)))

    # -- the office's documents

    def publish(self, key: str, day: datetime.date, **fields) -> None:
        """Write the document in the morning of `day` and publish it in the afternoon; its
        readers open it on the following working days."""
        moment = at(day, 9, 30)
        share = fields.pop("share")

        def write():
            self.made[key] = bulletins.create_bulletin(self.admin, self.office, **fields)

        def publish():
            bulletin = bulletins.publish_bulletin(self.admin, self.made[key])
            self.made[key] = bulletin
            self.queue_reads(bulletin, day, share)

        if self.schedule(moment, write):
            self.schedule(at(day, 15, 0), publish)

    def queue_reads(self, bulletin: Bulletin, day: datetime.date, share: float) -> None:
        """Each recipient account opens it with probability `share` on the afternoon of its
        publication or one of the four working days after (before today)."""
        recipients = list(BulletinRecipient.objects.unscoped().filter(bulletin=bulletin))
        accounts = queries.accounts_of(recipients)
        days = [day, *working_days_after(day, 4)]
        recent = day >= self.today - RECENT
        for recipient in recipients:
            for user in accounts[recipient.pk]:
                drawn = self.rng.random()
                if user.username == LOGIN:
                    if recent:  # the demo's school login: the older read, the newest not
                        continue
                elif drawn >= share:
                    continue
                reading_day = self.rng.choice(days)
                if reading_day == day:  # the afternoon it is published
                    moment = at(day, self.rng.randint(15, 17), self.rng.choice(range(5, 60, 5)))
                else:
                    moment = self.office_hours(reading_day)
                self.schedule(moment, lambda user=user, pk=bulletin.pk: self.read(user, pk))

    def read(self, user: User, pk: int) -> None:
        bulletins.mark_read(user, Bulletin.objects.unscoped().select_related("office").get(pk=pk))

    def remind(self, key: str, day: datetime.date, share: float) -> None:
        """The office reminds the unread; a share of them opens it the next working day."""

        def run():
            bulletin = Bulletin.objects.unscoped().get(pk=self.made[key].pk)
            bulletins.remind_unread(self.admin, bulletin)
            unread = (
                BulletinRecipient.objects.unscoped()
                .filter(bulletin=bulletin)
                .exclude(pk__in=BulletinRead.objects.unscoped().values("recipient_id"))
            )
            accounts = queries.accounts_of(unread)
            next_day = working_days_after(day, 1)[0]
            for group in accounts.values():
                for user in group:
                    if self.rng.random() < share:
                        self.schedule(
                            self.office_hours(next_day),
                            lambda user=user, pk=bulletin.pk: self.read(user, pk),
                        )

        self.schedule(at(day, 10, 0), run)

    def build(self) -> None:
        today = self.today
        schools = School.objects.unscoped().filter(office=self.office, is_active=True)
        zone = self.ctx.main.zones[0]
        campaign = (
            Campaign.objects.unscoped()
            .filter(office=self.office, status=Campaign.Status.PUBLISHED)
            .order_by("-published_at")
            .first()
        )
        notice_day = working_day_before(today, 45)
        self.publish(
            "notice",
            notice_day,
            kind=Kind.NOTICE,
            topic="campaign",
            title=f"关于开展{notice_day.year}年“双减”工作专项督导的通知",
            body=notice_text(notice_day.year),
            share=0.55,
        )
        self.remind("notice", working_day_before(today, 38), share=0.6)
        results_day = working_day_before(today, 33)
        title = f"关于{campaign.title}情况的通报" if campaign else "关于开学工作专项督导情况的通报"
        self.publish(
            "results",
            results_day,
            kind=Kind.BULLETIN,
            topic="results",
            title=title,
            body=results_text(campaign, schools.count()),
            publish_on_public_page=True,
            share=0.75,
        )
        figures_day = working_day_before(today, 21)
        year, month = month_before(figures_day)
        self.publish(
            "figures",
            figures_day,
            kind=Kind.BULLETIN,
            topic="figures",
            title=f"关于{year}年{month}月责任督学挂牌督导工作情况的通报",
            body=figures_text(
                year,
                month,
                len(self.ctx.main.inspectors),
                schools.count(),
            ),
            audience=Audience.INSPECTORS,
            share=0.8,
        )
        praised = list(
            schools.filter(zone=zone).order_by("code").values_list("name", flat=True)[:3]
        )
        self.publish(
            "praise",
            working_day_before(today, 12),
            kind=Kind.BULLETIN,
            topic="praise",
            title=f"关于表扬{zone.name}课后服务工作先进学校的通报",
            body=praise_text(zone.name, praised),
            audience=Audience.ZONE,
            zone=zone,
            publish_on_public_page=True,
            share=0.6,
        )
        chosen = self.criticised(schools)
        self.publish(
            "criticism",
            working_day_before(today, 4),
            kind=Kind.BULLETIN,
            topic="criticism",
            title="关于部分学校作业公示制度落实不到位问题的通报",
            body=CRITICISM_TEXT,
            audience=Audience.SCHOOLS,
            schools=chosen,
            share=0.35,
        )
        for issue in range(BRIEFINGS):
            day = working_day_before(today, 2 + BRIEFING_EVERY * (BRIEFINGS - 1 - issue))
            self.publish(
                f"briefing-{issue}",
                day,
                kind=Kind.BRIEFING,
                topic="work",
                title=f"县教育督导工作简报（{day.month}月{day.day}日）",
                body=briefing_text(issue, day),
                publish_on_public_page=True,
                share=0.5 if issue < BRIEFINGS - 1 else 0.2,
            )
        draft_day = working_day_before(today, 1)
        self.schedule(
            at(draft_day, 16, 30),
            lambda: bulletins.create_bulletin(
                self.admin,
                self.office,
                kind=Kind.NOTICE,
                topic="training",
                title="关于举办责任督学业务培训的通知",
                body=TRAINING_TEXT,
                audience=Audience.INSPECTORS,
            ),
        )
        self.replay()

    def criticised(self, schools) -> list[int]:
        """Three schools with accounts (so they read it, or are reminded), the demo's school
        login's among them when it has one."""
        with_accounts = list(
            schools.filter(users__role=Role.SCHOOL, users__is_active=True)
            .order_by("code")
            .distinct()
            .values_list("pk", flat=True)
        )
        pool = with_accounts or list(schools.order_by("code").values_list("pk", flat=True))
        chosen = self.rng.sample(pool, min(CRITICISED, len(pool)))
        login = User.objects.filter(username=LOGIN, role=Role.SCHOOL).first()
        if login is not None and login.school_id in pool and login.school_id not in chosen:
            chosen[0] = login.school_id
        return sorted(chosen)


# --------------------------------------------------------------------------- the step


def build_step(ctx) -> None:
    BulletinStory(ctx).build()
    rows = Bulletin.objects.unscoped().filter(office=ctx.main.office)
    reads = BulletinRead.objects.unscoped().filter(office=ctx.main.office).count()
    ctx.log(
        f"  bulletins: {rows.filter(status=Bulletin.Status.PUBLISHED).count()} published, "
        f"{rows.filter(status=Bulletin.Status.DRAFT).count()} draft, {reads} read receipts"
    )


def reset_step(scope) -> None:
    """Delete the demo offices' documents, dependants first (history rows are append-only:
    QuerySet deletes, for the demo's own rows only)."""
    offices = scope.office_ids
    attachments = BulletinAttachment.objects.filter(bulletin__office__in=offices)
    files = [(a.file, a.preview) for a in attachments]
    attachments.delete()
    BulletinRead.objects.unscoped().filter(office__in=offices).delete()
    BulletinRecipient.objects.unscoped().filter(office__in=offices).delete()
    BulletinEvent.objects.filter(bulletin__office__in=offices).delete()
    Bulletin.objects.unscoped().filter(office__in=offices).delete()
    BulletinSequence.objects.filter(office__in=offices).delete()

    def delete_files():
        for pair in files:
            for field_file in pair:
                if field_file:
                    field_file.storage.delete(field_file.name)

    if files:
        transaction.on_commit(delete_files)


def bulletins_fingerprint(scope) -> dict:
    """The documents, recipients and receipts by natural keys (for `generator.fingerprint`)."""
    offices = scope.office_ids
    return {
        "bulletins": sorted(
            Bulletin.objects.unscoped()
            .filter(office__in=offices)
            .values_list(
                "kind",
                "topic",
                "title",
                "body",
                "audience",
                "zone__name",
                "status",
                "number",
                "publish_on_public_page",
                "published_at",
                "created_at",
            ),
            key=str,
        ),
        "recipients": sorted(
            BulletinRecipient.objects.unscoped()
            .filter(office__in=offices)
            .values_list(
                "bulletin__number",
                "school__code",
                "inspector__phone",
                "reminders_sent",
                "last_reminded_at",
            ),
            key=str,
        ),
        "reads": sorted(
            BulletinRead.objects.unscoped()
            .filter(office__in=offices)
            .values_list("bulletin__number", "user__username", "read_at"),
            key=str,
        ),
    }
