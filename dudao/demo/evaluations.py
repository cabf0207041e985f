"""Three evaluation rounds (督导评估、督政) for the demo county (`seed_demo`, step
"evaluations"; issue 13).

- **A finished round**: 清河县's office evaluates ten primary and junior schools on the built-in
  2021 compulsory-school quality framework (义务教育学校办学质量评价), in the spring of the
  latest year whose round is over before today: the schools self-assess (mostly A and B,
  some C) with a few evidence files and submit; three to five inspectors who need not recuse
  from any of them score as experts, a little stricter than the schools; the office reviews
  and publishes (weights expert 0.7, self 0.3; the default grades). The results spread over
  优秀, 良好 and 合格, and at least one school falls below 合格: its finding is in the
  rectification ledger.
- **A round in expert scoring**: the 1000-point school framework (学校综合督导评估) on six to
  eight schools, running now: the self-assessments are in, one expert has scored every
  school, a second (on the A1–A3 indicators) about half, the third (the `inspector` login
  when it need not recuse) has begun one school and has the rest to do.
- **A township round (目标管理考核)**: the township governments (government units, made here
  when no other step has made them) on the built-in township framework, for the last
  calendar year, published early in the next: the office self-assesses for each township (the
  rules: the office self-assesses for a government unit; read, not scored), two or three
  raters from above (上评: the city's viewer login and zone leaders) and two experts score
  (weights above 0.5, expert 0.5).

Everything goes through the services (`dudao.evaluations.round_services`) under the simulated
clock of the supervision step (`supervision.Clock`), so times, history and audit rows lie in
the past; nothing is dated at or after today's midnight (deadlines still to come aside). The
step runs before the supervision step, whose replay of the nightly check then covers the
finished round's findings too.

Determinism: the step's own random generator (from the demo's seed) leaves the other steps
unchanged; schools are chosen by their codes and inspectors by their phones, never by ids.
"""

from __future__ import annotations

import datetime
import io
import random
import time
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image, ImageDraw

from dudao.accounts import services as accounts
from dudao.accounts.models import Role, User
from dudao.evaluations import round_services as rounds
from dudao.evaluations import shipped
from dudao.evaluations.framework_services import spec_of
from dudao.evaluations.models import (
    Evidence,
    Framework,
    OwnIndicator,
    Rater,
    RaterGroup,
    Round,
    RoundEvent,
    RoundTarget,
    Score,
)
from dudao.inspectors.queries import barred_pairs
from dudao.organisations.models import GovernmentUnit
from dudao.schools.models import SchoolType

from . import school_calendar as cal
from .campaigns import RETURN_TYPES, Story
from .government_units import reset_government_units, seed_government_units
from .supervision import Supervision, add_working_days, at

DAY = datetime.timedelta(days=1)
Stage = Round.Stage

# ---- the finished round (2021 framework) ----------------------------------------------------
FINISHED_SCHOOLS = 10
FINISHED_TYPES = [SchoolType.PRIMARY, SchoolType.JUNIOR]
FINISHED_WEIGHTS = {"expert": "0.7", "self": "0.3"}
EXPERTS = (3, 5)
# The planned grade of each school (the last one fails), and the shares of the maximum the
# school and the experts give it on average (experts a little stricter).
BANDS = ["优秀", "良好", "合格", "良好", "优秀", "良好", "合格", "良好", "合格", "不合格"]
SHARES = {
    "优秀": (0.97, 0.95),
    "良好": (0.91, 0.85),
    "合格": (0.82, 0.70),
    "不合格": (0.70, 0.35),
}
# ---- the round in expert scoring (1000 points) ----------------------------------------------
SCORING_SCHOOLS = (6, 8)
SCORING_WEIGHTS = {"expert": "0.8", "self": "0.2"}
NARROW_CODES = ["A1", "A2", "A3"]  # the second expert's indicators
SCORING_BACK = 6  # expert scoring started this many working days before today
# ---- the township round ---------------------------------------------------------------------
TOWNSHIP_WEIGHTS = {"above": "0.5", "expert": "0.5"}

SELF_WEAK = [
    "相关制度已建立，但过程记录还不够完整，已列入下学期改进计划。",
    "受场地和师资条件限制，尚未完全达到要求。",
    "工作已部署，落实的深度和成效有待提高。",
]
EXPERT_WEAK = [
    "查阅资料，过程性记录不全，建议补充完善。",
    "实地查看与自评描述有差距，落实不到位。",
    "抽查两个班级，未按要求执行，需加强日常管理。",
    "佐证材料不足，未能体现工作成效。",
    "座谈中教师反映的问题尚未解决，需制定整改措施。",
]
EXPERT_GOOD = ["资料齐全，做法规范，有特色。", "工作扎实，成效明显。"]
SELF_SUMMARIES = [
    "学校对照评价指标逐项开展自评，召开专题会议研究，查找问题、分析原因。办学方向正确，"
    "课程开齐开足，教师队伍稳定；学生发展的过程评价和校本教研还需加强。",
    "我校成立自评工作小组，组织教师、家长代表参与，形成自评报告。党建引领、德育和"
    "安全管理基础较好，课后服务和作业管理有待进一步规范。",
    "学校认真开展自评，梳理佐证材料。近年来办学条件持续改善，但教师专业发展和特殊"
    "群体学生关爱方面仍有差距，已制定改进措施。",
]
UNIT_SUMMARIES = [
    "乡镇党委、政府高度重视教育工作，目标管理责任书各项任务基本完成；控辍保学、校园"
    "周边环境治理成效明显，社区教育有待加强。",
    "年度内专题研究教育工作多次，落实配套投入和奖教助学资金；学前教育和留守儿童关爱"
    "体系建设仍需加强。",
]


def working_day_from(day: datetime.date) -> datetime.date:
    while not cal.is_working_day(day):
        day += DAY
    return day


def working_days_before(day: datetime.date, n: int) -> datetime.date:
    """`n` working days before `day`."""
    while n > 0:
        day -= DAY
        if cal.is_working_day(day):
            n -= 1
    return day


def _stages(created: datetime.date, self_days: int, expert_days: int) -> dict:
    opened = add_working_days(created, 2)
    self_due = add_working_days(opened, self_days)
    scoring = add_working_days(self_due, 1)
    expert_due = add_working_days(scoring, expert_days)
    review = add_working_days(expert_due, 1)
    return {
        "created": created,
        "opened": opened,
        "self_due": self_due,
        "scoring": scoring,
        "expert_due": expert_due,
        "review": review,
        "review_due": add_working_days(review, 5),
        "published": add_working_days(review, 3),
    }


def finished_dates(today: datetime.date) -> dict:
    """The spring round of the latest year whose round was published before today (self-
    assessment from April, expert scoring into May, published in May or June)."""
    for year in (today.year, today.year - 1):
        dates = _stages(working_day_from(datetime.date(year, 4, 8)), 10, 12)
        if dates["published"] < today:
            return {"year": year, **dates}
    raise RuntimeError("no year found")  # pragma: no cover - last year's is always over


def scoring_dates(today: datetime.date) -> dict:
    """The round in expert scoring: scoring started SCORING_BACK working days before today
    and is due in eight working days."""
    scoring = working_days_before(today, SCORING_BACK)
    opened = working_days_before(scoring, 12)
    created = working_days_before(opened, 3)
    expert_due = add_working_days(today, 8)
    return {
        "year": created.year,
        "created": created,
        "opened": opened,
        "self_due": working_days_before(scoring, 1),
        "scoring": scoring,
        "expert_due": expert_due,
        "review_due": add_working_days(expert_due, 5),
    }


def township_dates(today: datetime.date) -> dict:
    """The township round of the last calendar year whose round was published before today
    (January to March of the following year)."""
    for year in (today.year - 1, today.year - 2):
        dates = _stages(working_day_from(datetime.date(year + 1, 1, 6)), 8, 10)
        if dates["published"] < today:
            return {"year": year, **dates}
    raise RuntimeError("no year found")  # pragma: no cover


def document_pdf(rng: random.Random, when: datetime.datetime) -> bytes:
    """A one-page placeholder document (deterministic: its dates are the upload's)."""
    image = Image.new("RGB", (420, 594), (252, 252, 248))
    draw = ImageDraw.Draw(image)
    draw.rectangle([150, 40, 270, 52], fill=(60, 60, 70))
    for i in range(rng.randint(14, 24)):
        y = 90 + i * 20
        draw.line([50, y, 50 + rng.randint(200, 320), y], fill=(110, 110, 120), width=3)
    draw.ellipse([290, 470, 370, 550], outline=(200, 40, 40), width=4)  # the seal
    stamp = when.timetuple()
    buffer = io.BytesIO()
    image.save(buffer, "PDF", resolution=72, creationDate=stamp, modDate=stamp)
    return buffer.getvalue()


def photo_png(rng: random.Random) -> bytes:
    """A small placeholder photo of a classroom wall or a notice board."""
    image = Image.new("RGB", (320, 240), rng.choice([(205, 214, 196), (214, 206, 190)]))
    draw = ImageDraw.Draw(image)
    for _ in range(rng.randint(2, 4)):
        left, top = rng.randint(10, 220), rng.randint(10, 150)
        colour = rng.choice([(240, 240, 236), (190, 60, 50), (70, 110, 170)])
        draw.rectangle([left, top, left + rng.randint(40, 90), top + rng.randint(30, 80)], colour)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def level_for(leaf, share: float) -> str:
    """The leaf's level nearest to `share` (A 1, B 0.8, C 0.6, D 0: A from 0.9 up)."""
    return min(leaf.levels, key=lambda level: (abs(float(level[1]) - share), -level[1]))[0]


def value_for(leaf, share: float, rng: random.Random, noise: float) -> str:
    """A rater's value for a leaf, around `share` of its maximum."""
    if leaf.method == "veto":
        return "yes"  # no serious incident anywhere in the demo county
    if leaf.method == "yesno":
        return "yes" if rng.random() < share + 0.12 else "no"
    drawn = min(1.0, max(0.0, rng.gauss(share, noise)))
    if leaf.method == "levels":
        return level_for(leaf, drawn)
    if leaf.method == "points":
        halves = round(drawn * float(leaf.max_score) * 2)
        return str(Decimal(halves) / 2)
    raise ValueError(f"The demo does not score {leaf.method} indicators.")


def is_weak(leaf, value: str) -> bool:
    """A value under 70 % of the maximum (a comment says why)."""
    if leaf.method == "levels":
        share = leaf.level_share(value)
        return share is not None and share < Decimal("0.7")
    if leaf.method == "points":
        return Decimal(value) < leaf.max_score * Decimal("0.7")
    return leaf.method == "yesno" and value == "no"


def builtin_framework(key: str) -> Framework:
    """The newest published revision of a built-in framework (loaded if missing)."""
    rows = Framework.objects.unscoped().filter(
        office__isnull=True, key=key, status=Framework.Status.PUBLISHED
    )
    if not rows.exists():
        shipped.ensure_builtin_frameworks()
    return rows.order_by("-revision").first()


class EvaluationStory(Story):
    """Plans the three rounds, then replays them under the simulated clock."""

    def __init__(self, ctx):
        super().__init__(ctx)
        self.rng = random.Random(f"evaluations-{ctx.seed}")
        self.made: dict[str, Round] = {}
        self.target_ids: dict[tuple, int] = {}
        self.numbers: set[int] = set()

    # ----------------------------------------------------------------- helpers

    def framework(self, key: str) -> tuple[Framework, object]:
        framework = builtin_framework(key)
        return framework, spec_of(framework)

    def schools_of(self, types) -> list:
        return sorted(
            (s for s in self.county.schools if s.is_active and s.type in types),
            key=lambda s: s.code,
        )

    def inspector_candidates(self, schools, roles=(Role.INSPECTOR, Role.ZONE_LEADER)) -> list:
        """Inspectors with a login who need not recuse from any of `schools` (回避), by phone."""
        users = sorted(
            User.objects.filter(
                inspector__office=self.office, is_active=True, role__in=roles
            ).select_related("inspector"),
            key=lambda u: u.inspector.phone,
        )
        barred = barred_pairs([(u.inspector_id, s.pk) for u in users for s in schools])
        return [u for u in users if not any((u.inspector_id, s.pk) in barred for s in schools)]

    def ensure_school_accounts(self, schools) -> None:
        """Schools self-assess under their own login (made for the 双减 return already)."""
        from .generator import PASSWORD, hash_once

        have = set(
            User.objects.filter(role=Role.SCHOOL, school__in=schools, is_active=True).values_list(
                "school_id", flat=True
            )
        )
        with hash_once(PASSWORD):
            for school in schools:
                if school.pk not in have:
                    accounts.create_user(
                        self.admin,
                        self.office,
                        password=PASSWORD,
                        username=f"xx{school.code}",
                        display_name=school.name,
                        role=Role.SCHOOL,
                        school=school,
                    )

    def number(self, year: int) -> str:
        """The round's document number (文号): the campaigns step's are 8 to 30."""
        number = self.rng.randint(31, 60)
        while number in self.numbers:
            number += 1
        self.numbers.add(number)
        return f"{self.office.document_prefix}〔{year}〕{number}号"

    def target(self, key: str, *, school=None, unit=None) -> int:
        """The id of the round's target (the services lock and read it themselves)."""
        return self.target_ids[(key, getattr(school, "pk", None), getattr(unit, "pk", None))]

    def queue_create(self, key: str, moment, *, schools=(), units=(), raters=(), **fields):
        """The office creates the round, adds its targets and raters (user, group,
        indicator codes)."""

        def create():
            if schools:
                self.ensure_school_accounts(schools)
            round_ = rounds.create_round(self.admin, self.office, **fields)
            rounds.add_targets(self.admin, round_, schools=schools, units=units)
            for pk, school_id, unit_id in (
                RoundTarget.objects.unscoped()
                .filter(round=round_)
                .values_list("pk", "school_id", "unit_id")
            ):
                self.target_ids[(key, school_id, unit_id)] = pk
            for user, group, codes in raters:
                rounds.add_rater(self.admin, round_, user=user, group=group, indicator_codes=codes)
            self.made[key] = round_

        self.schedule(moment, create)

    def queue_action(self, key: str, moment, action: str, note: str = "") -> None:
        def run():
            self.made[key] = rounds.take_action(self.admin, self.made[key], action, note=note)

        self.schedule(moment, run)

    def scores(self, spec, share, noise, weak_notes, good_notes=(), codes=None) -> dict:
        """One rater's values for the leaves (all, or `codes`), with a comment on the weak
        ones and now and then on a good one."""
        rng, values = self.rng, {}
        for leaf in spec.leaves:
            if codes is not None and leaf.code not in codes:
                continue
            value = value_for(leaf, share, rng, noise)
            comment = ""
            if is_weak(leaf, value):
                comment = rng.choice(weak_notes)
            elif good_notes and rng.random() < 0.08:
                comment = rng.choice(good_notes)
            values[leaf.code] = {"value": value, "comment": comment}
        return values

    def queue_self_assessment(
        self, key, moment, actor, values, *, school=None, unit=None, files=(), summary=""
    ) -> None:
        """Save the scores (in two sittings), attach the evidence, submit. `actor`: the
        office admin, or None for the school's own login (found when the round runs)."""
        codes = list(values)
        half = {c: values[c] for c in codes[: len(codes) // 2]}
        rest = {c: values[c] for c in codes[len(codes) // 2 :]}
        later = moment + datetime.timedelta(minutes=self.rng.randint(40, 150))

        def first():
            user = actor or self.school_user(school)
            target = self.target(key, school=school, unit=unit)
            rounds.save_scores(user, target, half, group="self")

        def second():
            user = actor or self.school_user(school)
            target = self.target(key, school=school, unit=unit)
            rounds.save_scores(user, target, rest, group="self")
            for code, name, data, content_type in files:
                upload = SimpleUploadedFile(name, data, content_type)
                rounds.add_evidence(user, target, code, upload)
            rounds.submit_self_assessment(user, target, summary=summary)

        self.schedule(moment, first)
        self.schedule(later, second)

    def queue_scores(self, key, moment, actor, values, group, *, school=None, unit=None):
        def run():
            target = self.target(key, school=school, unit=unit)
            rounds.save_scores(actor, target, values, group=group)

        self.schedule(moment, run)

    def evidence_files(self, spec, moment, n_pdf: int, n_png: int, areas=None) -> list:
        """(code, file name, bytes, content type) for a few leaves that expect evidence."""
        rng = self.rng
        leaves = [
            leaf
            for leaf in spec.leaves
            if leaf.evidence and (areas is None or self.root_of(spec, leaf.code) in areas)
        ]
        chosen = rng.sample(leaves, min(len(leaves), n_pdf + n_png))
        files = []
        for i, leaf in enumerate(chosen):
            first = leaf.evidence.split("、")[0].split("，")[0][:20]
            if i < n_pdf:
                files.append(
                    (leaf.code, f"{first}.pdf", document_pdf(rng, moment), "application/pdf")
                )
            else:
                files.append((leaf.code, f"{first}（照片）.png", photo_png(rng), "image/png"))
        return files

    @staticmethod
    def root_of(spec, code: str) -> str:
        while spec.get(code).parent:
            code = spec.get(code).parent
        return code

    def working_moment(self, first: datetime.date, last: datetime.date, start=9, end=17):
        """A moment in office hours on a working day from `first` to `last`."""
        days, day = [], first
        while day <= last:
            if cal.is_working_day(day):
                days.append(day)
            day += DAY
        return self.office_hours(self.rng.choice(days), start, end)

    # ----------------------------------------------------------------- the finished round

    def plan_finished(self) -> None:
        rng, dates = self.rng, finished_dates(self.today)
        framework, spec = self.framework(shipped.COMPULSORY_QUALITY)
        candidates = self.schools_of(FINISHED_TYPES)
        if len(candidates) < FINISHED_SCHOOLS:
            candidates += [s for s in self.schools_of(RETURN_TYPES) if s.type not in FINISHED_TYPES]
        schools = sorted(
            rng.sample(candidates, min(FINISHED_SCHOOLS, len(candidates))), key=lambda s: s.code
        )
        # The `school` login's school takes part when it fits (and passes).
        login = self.ctx.users.get("school")
        if login is not None and login.school_id and schools:
            own = next((s for s in candidates if s.pk == login.school_id), None)
            if own is not None and own not in schools:
                schools[0] = own
                schools.sort(key=lambda s: s.code)
        bands = [*BANDS[: max(0, len(schools) - 1)], "不合格"]
        rng.shuffle(bands)
        if login is not None:
            for i, school in enumerate(schools):
                if school.pk == login.school_id and bands[i] == "不合格":
                    j = (i + 1) % len(schools)
                    bands[i], bands[j] = bands[j], bands[i]
        self.finished_schools = list(zip(schools, bands, strict=True))
        experts = self.inspector_candidates(schools)
        experts = sorted(
            rng.sample(experts, min(len(experts), rng.randint(*EXPERTS))),
            key=lambda u: u.inspector.phone,
        )
        year = dates["year"]
        self.queue_create(
            "finished",
            at(dates["created"], 10, 0),
            schools=schools,
            raters=[(u, RaterGroup.EXPERT, ()) for u in experts],
            framework=framework,
            title=f"{year}年义务教育学校办学质量督导评估",
            year=year,
            legal_basis=self.number(year),
            description=(
                "依据《义务教育质量评价指南》，对部分小学、初中开展办学质量督导评估："
                "学校自评并上传佐证材料，专家组网上评分，结果经审核后公布。"
                "未达到合格等次的学校纳入整改台账。"
            ),
            self_due=dates["self_due"],
            expert_due=dates["expert_due"],
            review_due=dates["review_due"],
            weights=FINISHED_WEIGHTS,
        )
        self.queue_action("finished", at(dates["opened"], 9, 30), "open")
        for school, band in self.finished_schools:
            self_share = SHARES[band][0]
            moment = self.working_moment(
                add_working_days(dates["opened"], 1), dates["self_due"], 9, 15
            )
            values = self.scores(spec, self_share, 0.07, SELF_WEAK)
            files = self.evidence_files(spec, moment, 1, 1, areas={"A1", "A4"})
            self.queue_self_assessment(
                "finished",
                moment,
                None,
                values,
                school=school,
                files=files,
                summary=rng.choice(SELF_SUMMARIES),
            )
        self.queue_action("finished", at(dates["scoring"], 9, 0), "start_scoring")
        for expert in experts:
            strictness = rng.uniform(-0.03, 0.02)
            for school, band in self.finished_schools:
                moment = self.working_moment(dates["scoring"], dates["expert_due"])
                values = self.scores(
                    spec, SHARES[band][1] + strictness, 0.1, EXPERT_WEAK, EXPERT_GOOD
                )
                self.queue_scores("finished", moment, expert, values, "expert", school=school)
        self.queue_action("finished", at(dates["review"], 9, 0), "start_review")
        self.queue_action("finished", at(dates["published"], 10, 0), "publish")

    # ----------------------------------------------------------------- in expert scoring

    def plan_scoring(self) -> None:
        rng, dates = self.rng, scoring_dates(self.today)
        framework, spec = self.framework(shipped.SCHOOL_1000)
        done = {s.pk for s, _band in self.finished_schools}
        candidates = self.schools_of(RETURN_TYPES)
        fresh = [s for s in candidates if s.pk not in done]
        pool = fresh if len(fresh) >= SCORING_SCHOOLS[0] else candidates
        schools = sorted(
            rng.sample(pool, min(len(pool), rng.randint(*SCORING_SCHOOLS))), key=lambda s: s.code
        )
        experts = self.inspector_candidates(schools)
        login = self.ctx.users.get("inspector")
        last = next((u for u in experts if login is not None and u.pk == login.pk), None)
        others = [u for u in experts if u is not last]
        chosen = rng.sample(others, min(len(others), 3 if last is None else 2))
        if last is not None:
            chosen.append(last)
        self.scoring_experts = chosen
        raters = [
            (u, RaterGroup.EXPERT, NARROW_CODES if i == 1 else ()) for i, u in enumerate(chosen)
        ]
        year = dates["year"]
        self.queue_create(
            "scoring",
            at(dates["created"], 15, 0),
            schools=schools,
            raters=raters,
            framework=framework,
            title=f"{year}年学校综合督导评估",
            year=year,
            legal_basis=self.number(year),
            description=(
                "按学校综合督导评估细则（1000分制）开展评估：学校自评并上传佐证材料，"
                "专家组分工网上评分（第二位专家负责A1至A3）。"
            ),
            self_due=dates["self_due"],
            expert_due=dates["expert_due"],
            review_due=dates["review_due"],
            weights=SCORING_WEIGHTS,
        )
        self.queue_action("scoring", at(dates["opened"], 9, 30), "open")
        shares = {s.pk: rng.uniform(0.78, 0.95) for s in schools}
        for school in schools:
            moment = self.working_moment(
                add_working_days(dates["opened"], 1), dates["self_due"], 9, 15
            )
            values = self.scores(spec, shares[school.pk] + 0.04, 0.06, SELF_WEAK)
            files = self.evidence_files(spec, moment, 1, 0)
            self.queue_self_assessment(
                "scoring",
                moment,
                None,
                values,
                school=school,
                files=files,
                summary=rng.choice(SELF_SUMMARIES),
            )
        self.queue_action("scoring", at(dates["scoring"], 9, 0), "start_scoring")
        yesterday = self.today - DAY
        narrow = {leaf.code for code in NARROW_CODES for leaf in spec.walk(code) if leaf.is_leaf}
        first_area = {leaf.code for leaf in spec.walk(spec.roots[0].code) if leaf.is_leaf}
        # The first expert has scored every school, the second (A1–A3) about half, the last
        # has begun one school (its first A-level indicator) and has the rest to do.
        plans = [
            (schools, None),
            (schools[: len(schools) // 2], narrow),
            (schools[-1:], first_area),
        ]
        for expert, (scored, codes) in zip(chosen, plans, strict=False):
            for school in scored:
                moment = self.working_moment(dates["scoring"], yesterday)
                values = self.scores(
                    spec, shares[school.pk], 0.08, EXPERT_WEAK, EXPERT_GOOD, codes=codes
                )
                self.queue_scores("scoring", moment, expert, values, "expert", school=school)

    # ----------------------------------------------------------------- the township round

    def plan_township(self) -> None:
        rng, dates = self.rng, township_dates(self.today)
        units = list(
            GovernmentUnit.objects.unscoped()
            .filter(office=self.office, is_active=True, kind=GovernmentUnit.Kind.TOWNSHIP)
            .order_by("position", "name")
        )
        key, title = shipped.TOWNSHIP_TARGETS, "乡镇人民政府教育工作目标管理考核"
        if not units:  # no township in the registry: the county government's round instead
            units = list(
                GovernmentUnit.objects.unscoped()
                .filter(office=self.office, is_active=True)
                .exclude(kind=GovernmentUnit.Kind.TOWNSHIP)
                .order_by("kind", "position", "name")
            )
            key, title = shipped.COUNTY_GOVERNMENT, "县人民政府及部门履行教育职责评价"
        if not units:
            return
        framework, spec = self.framework(key)
        leaders = sorted(
            User.objects.filter(
                inspector__office=self.office, is_active=True, role=Role.ZONE_LEADER
            ).select_related("inspector"),
            key=lambda u: u.inspector.phone,
        )
        viewer = self.ctx.users.get("viewer")
        above = [viewer] if viewer is not None and viewer.is_active else []
        above += rng.sample(leaders, min(len(leaders), rng.choice([2, 3]) - len(above)))
        inspectors = sorted(
            User.objects.filter(
                inspector__office=self.office, is_active=True, role=Role.INSPECTOR
            ).select_related("inspector"),
            key=lambda u: u.inspector.phone,
        )
        experts = rng.sample(inspectors, min(len(inspectors), 2))
        year = dates["year"]
        self.queue_create(
            "township",
            at(dates["created"], 10, 30),
            units=units,
            raters=[(u, RaterGroup.ABOVE, ()) for u in above]
            + [(u, RaterGroup.EXPERT, ()) for u in experts],
            framework=framework,
            title=f"{year}年度{title}",
            year=year,
            legal_basis=self.number(year + 1),
            description=(
                "对各乡镇（街道）上年度教育工作目标管理责任书完成情况进行考核：督导室汇总"
                "乡镇自评材料，县考核组（上评）和督学（专家）分别评分，权重各占50%。"
            ),
            self_due=dates["self_due"],
            expert_due=dates["expert_due"],
            review_due=dates["review_due"],
            weights=TOWNSHIP_WEIGHTS,
        )
        self.queue_action("township", at(dates["opened"], 9, 30), "open")
        shares = {unit.pk: rng.uniform(0.72, 0.97) for unit in units}
        with_files = set(rng.sample([u.pk for u in units], min(2, len(units))))
        for unit in units:
            moment = self.working_moment(
                add_working_days(dates["opened"], 1), dates["self_due"], 9, 17
            )
            values = self.scores(spec, shares[unit.pk] + 0.03, 0.05, SELF_WEAK)
            files = self.evidence_files(spec, moment, 1, 0) if unit.pk in with_files else []
            self.queue_self_assessment(
                "township",
                moment,
                self.admin,  # the office self-assesses for a government unit
                values,
                unit=unit,
                files=files,
                summary=rng.choice(UNIT_SUMMARIES),
            )
        self.queue_action("township", at(dates["scoring"], 9, 0), "start_scoring")
        for group, raters in ((RaterGroup.ABOVE, above), (RaterGroup.EXPERT, experts)):
            for rater in raters:
                for unit in units:
                    moment = self.working_moment(dates["scoring"], dates["expert_due"])
                    values = self.scores(
                        spec, shares[unit.pk] + rng.uniform(-0.04, 0.02), 0.07, EXPERT_WEAK
                    )
                    self.queue_scores("township", moment, rater, values, group, unit=unit)
        self.queue_action("township", at(dates["review"], 9, 0), "start_review")
        self.queue_action("township", at(dates["published"], 10, 0), "publish")

    def build(self) -> dict[str, Round]:
        self.plan_finished()
        self.plan_scoring()
        self.plan_township()
        self.replay()
        return self.made


# --------------------------------------------------------------------------- the step


def build_evaluations(ctx) -> None:
    started = time.monotonic()
    office = ctx.main.office
    if not GovernmentUnit.objects.unscoped().filter(office=office).exists():
        seed_government_units(office)  # no government-units step ran before this one
    # The experts score under their own logins (made by the campaigns step already, if it ran).
    Supervision(ctx).make_inspector_accounts()
    made = EvaluationStory(ctx).build()
    summary = ", ".join(
        f"{r.title} ({r.stage}, {RoundTarget.objects.unscoped().filter(round=r).count()} targets)"
        for r in made.values()
    )
    ctx.log(f"  evaluations: {summary} in {time.monotonic() - started:.1f} s")


def reset_evaluations(scope) -> None:
    """Delete the demo offices' evaluation rounds, dependants first (history rows are
    append-only: QuerySet deletes, for the demo's own rows only), and the government units
    (which this step makes when no other step has)."""
    offices = scope.office_ids
    evidence = Evidence.objects.filter(target__office__in=offices)
    files = [(e.file, e.preview) for e in evidence]
    evidence.delete()
    Score.objects.filter(target__office__in=offices).delete()
    OwnIndicator.objects.filter(target__office__in=offices).delete()
    Rater.objects.filter(round__office__in=offices).delete()
    RoundTarget.objects.unscoped().filter(office__in=offices).delete()
    RoundEvent.objects.filter(round__office__in=offices).delete()
    Round.objects.unscoped().filter(office__in=offices).delete()
    reset_government_units(offices)

    def delete_files():
        for pair in files:
            for field_file in pair:
                if field_file:
                    field_file.storage.delete(field_file.name)

    if files:
        transaction.on_commit(delete_files)


def evaluations_fingerprint(scope) -> dict:
    """The rounds by natural keys (for `generator.fingerprint`)."""
    offices = scope.office_ids
    targets = RoundTarget.objects.unscoped().filter(office__in=offices)
    return {
        "rounds": sorted(
            Round.objects.unscoped()
            .filter(office__in=offices)
            .values_list(
                "title",
                "year",
                "legal_basis",
                "framework__key",
                "stage",
                "weights",
                "self_due",
                "expert_due",
                "review_due",
                "created_at",
                "published_at",
            ),
            key=str,
        ),
        "targets": sorted(
            targets.values_list(
                "round__title",
                "school__code",
                "unit__name",
                "self_submitted_at",
                "total",
                "grade",
                "passed",
            ),
            key=str,
        ),
        "raters": sorted(
            Rater.objects.filter(round__office__in=offices).values_list(
                "round__title", "user__username", "group", "indicator_codes"
            ),
            key=str,
        ),
        "scores": sorted(
            Score.objects.filter(target__in=targets).values_list(
                "target__round__title",
                "target__school__code",
                "target__unit__name",
                "rater__username",
                "group",
                "code",
                "value",
                "comment",
                "updated_at",
            ),
            key=str,
        ),
        "evidence": sorted(
            Evidence.objects.filter(target__in=targets).values_list(
                "target__round__title", "target__school__code", "code", "original_name", "sha256"
            ),
            key=str,
        ),
    }
