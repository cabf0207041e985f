"""Satisfaction surveys for the demo county (`seed_demo`, issue 14 §3).

- **A closed balanced-development survey** (县域义务教育优质均衡发展社会认可度调查, the built-in
  parents' questionnaire) at the county's schools with compulsory grades: made about two
  months before today, open for three weeks, closed by the office the working day after its
  closing day. Most schools have 30 to 38 answers (the survey's minimum is 30); a few have
  fewer, so their figures read "not enough answers" (never the school of the demo's school
  login, which reads its own figures). Each school has its own level of
  satisfaction (most between 86 % and 97 %, two below 85 %), so the county passes the 85 %
  rule and a few schools do not; some parents write a comment.
- **An open “双减” survey** (the built-in “双减” parents' questionnaire) at the primary and
  junior schools, opened a week before today and closing two weeks after it, with the answers
  of the days so far at about half of the schools.

Every write goes through the services under the simulated clock of the supervision step
(`supervision.Clock`), so times and history lie in the past; nothing is dated at or after
today's midnight (the same data whatever the time of the build). Answers come through
`services.submit_response`, as the public's do, each with the keyed hash of a made-up
address of the school's network (as `answering.client_hash` makes it).

Determinism: the step's own random generator (from the demo's seed) leaves the other steps
unchanged; the fingerprint reads the surveys by natural keys (school codes, question codes).
"""

from __future__ import annotations

import datetime
import random
from collections import Counter

from django.db.models import Count

from dudao.accounts.models import Role, User
from dudao.schools.models import School, SchoolType
from dudao.surveys import answering, services, shipped
from dudao.surveys.models import (
    Answer,
    Question,
    Questionnaire,
    QuestionnaireEvent,
    QuestionType,
    Response,
    SchoolRule,
    Section,
    Survey,
    SurveyEvent,
    SurveySchool,
)

from .supervision import Clock, add_working_days, at

DAY = datetime.timedelta(days=1)
MIN_ANSWERS = 30
NOT_ENOUGH = 3  # schools with fewer answers than the minimum
BELOW_RATE = 2  # schools below the 85 % rule
COMPULSORY = [
    SchoolType.PRIMARY,
    SchoolType.JUNIOR,
    SchoolType.NINE_YEAR,
    SchoolType.TWELVE_YEAR,
    SchoolType.COMPLETE_SECONDARY,
]
SHUANGJIAN_TYPES = [SchoolType.PRIMARY, SchoolType.JUNIOR, SchoolType.NINE_YEAR]
COMMENTS = [
    "希望学校增加体育活动时间，孩子放学后更有精神了。",
    "课后服务很好，解决了我们双职工家庭接孩子的难题。",
    "学校食堂饭菜品种可以再丰富一些。",
    "老师很负责，经常和家长沟通孩子的情况，非常感谢。",
    "希望学校门口上下学时段加强交通疏导。",
    "教室里的多媒体设备有些老旧，建议更新。",
    "希望多开展一些阅读和科学实践活动。",
    "作业量比以前少了，孩子睡眠时间有保证。",
    "乡村学校的音乐、美术老师还是不够，希望多配一些。",
    "建议学校图书室周末也能开放。",
]
SHUANGJIAN_COMMENTS = [
    "作业基本能在学校完成，孩子轻松多了。",
    "课后服务时间希望能再延长半小时。",
    "小区附近还有机构在偷偷补课，希望加强检查。",
    "兴趣社团很受孩子欢迎，希望项目再多一些。",
]


def dates(today: datetime.date) -> dict:
    """The closed survey's and the open survey's days, from today."""
    created = today - datetime.timedelta(days=60)
    opens = created + datetime.timedelta(days=3)
    closes = opens + datetime.timedelta(days=20)
    return {
        "created": created,
        "opens": opens,
        "closes": closes,
        "closed": add_working_days(closes, 1),
        "open_created": today - datetime.timedelta(days=9),
        "open_opens": today - datetime.timedelta(days=7),
        "open_closes": today + datetime.timedelta(days=14),
    }


def builtin(key: str) -> Questionnaire:
    """The newest published revision of a built-in questionnaire (loaded if missing)."""
    rows = Questionnaire.objects.unscoped().filter(
        office__isnull=True, key=key, status=Questionnaire.Status.PUBLISHED
    )
    if not rows.exists():
        shipped.ensure_builtin_questionnaires()
    return rows.order_by("-revision").first()


class SurveyStory:
    def __init__(self, ctx):
        self.ctx = ctx
        self.today = ctx.today
        self.rng = random.Random(f"surveys-{ctx.seed}")
        self.clock = Clock()
        self.office = ctx.main.office
        self.admin = (
            User.objects.filter(office=self.office, role=Role.OFFICE_ADMIN).order_by("pk").first()
        )
        self.cutoff = at(self.today, 0, 0)  # nothing happens on or after today
        self.queue: list = []

    def schedule(self, moment: datetime.datetime, run) -> bool:
        if moment >= self.cutoff:
            return False
        self.queue.append((moment, len(self.queue), run))
        return True

    def replay(self) -> None:
        """Run the scheduled actions in the order of their moments, under the clock."""
        self.queue.sort(key=lambda row: (row[0], row[1]))
        queue, self.queue = self.queue, []
        with self.clock.running(notify_since=self.cutoff):
            for moment, _n, run in queue:
                self.clock.moment = moment
                run()

    def schools(self, types) -> list[School]:
        return list(
            School.objects.unscoped()
            .filter(office=self.office, is_active=True, type__in=types)
            .order_by("code")
        )

    def network(self, school: School, n: int) -> str:
        """A made-up address of the school's parents' networks (a few per school)."""
        return f"10.{school.pk % 200}.{n % 7}.{(school.pk * 13 + n) % 250 + 1}"

    # ---- answering -------------------------------------------------------------------------

    def answers(self, questions, satisfaction: float, comments) -> dict:
        rng, values = self.rng, {}
        for question in questions:
            if question.type == QuestionType.TEXT:
                if rng.random() < 0.15:
                    values[question.pk] = rng.choice(comments)
                continue
            if question.type == QuestionType.MULTIPLE:
                if rng.random() < 0.6:
                    values[question.pk] = rng.sample(question.options, rng.randint(1, 2))
                continue
            if question.type == QuestionType.SCALE:
                happy = rng.random() < satisfaction
                values[question.pk] = rng.choice(["4", "5", "5"] if happy else ["1", "2", "3"])
                continue
            if not question.counts:
                values[question.pk] = rng.choice(question.options)
                continue
            if question.ignored and rng.random() < 0.04:
                values[question.pk] = rng.choice(question.ignored)
                continue
            happy = rng.random() < satisfaction
            pool = [o for o in question.options if o not in question.ignored]
            satisfied = [o for o in pool if o in question.satisfied]
            others = [o for o in pool if o not in question.satisfied]
            if happy:
                values[question.pk] = satisfied[0] if rng.random() < 0.65 else satisfied[-1]
            else:
                values[question.pk] = rng.choice(others)
        return values

    def respond(self, survey, link, questions, count, satisfaction, days, comments) -> None:
        moments = sorted(
            at(self.rng.choice(days), self.rng.randint(7, 21), self.rng.randint(0, 59))
            for _ in range(count)
        )
        for n, moment in enumerate(moments):
            values = self.answers(questions, satisfaction, comments)
            digest = answering.client_hash(self.network(link.school, n), survey.pk, moment.date())
            self.schedule(
                moment,
                lambda values=values, digest=digest: services.submit_response(
                    link, values, client_hash=digest, questions=questions
                ),
            )

    def questions(self, questionnaire) -> list[Question]:
        return list(Question.objects.filter(questionnaire=questionnaire).order_by("position"))

    def links(self, survey) -> list[SurveySchool]:
        return list(
            SurveySchool.objects.unscoped()
            .filter(survey=survey)
            .select_related("school", "survey")
            .order_by("position")
        )

    # ---- the surveys ---------------------------------------------------------------------------

    def closed_survey(self) -> Survey:
        d = dates(self.today)
        questionnaire = builtin(shipped.YOUZHI_PARENTS)
        made: dict = {}

        def create():
            made["survey"] = services.create_survey(
                self.admin,
                questionnaire=questionnaire,
                title=f"{d['opens'].year}年县域义务教育优质均衡发展社会认可度调查（家长卷）",
                opens_on=d["opens"],
                closes_on=d["closes"],
                school_rule=SchoolRule.ALL,
                school_types=COMPULSORY,
                min_answers=MIN_ANSWERS,
                pass_percent=85,
            )

        self.schedule(at(d["created"], 10, 0), create)
        self.schedule(
            at(d["opens"], 8, 30), lambda: services.open_survey(self.admin, made["survey"])
        )
        self.replay()
        survey = made["survey"]
        questions = self.questions(questionnaire)
        links = self.links(survey)
        codes = [link.school.code for link in links]
        # The demo's school login reads its figures: its school has enough answers.
        login = User.objects.filter(username="school", school__office=self.office).first()
        spare = [c for c in codes if not login or c != login.school.code]
        few = set(self.rng.sample(spare, min(NOT_ENOUGH, len(spare))))
        rest = [c for c in codes if c not in few]
        low = set(self.rng.sample(rest, min(BELOW_RATE, len(rest))))
        days = [d["opens"] + DAY * i for i in range((d["closes"] - d["opens"]).days + 1)]
        for link in links:
            code = link.school.code
            count = self.rng.randint(8, 24) if code in few else self.rng.randint(30, 38)
            level = self.rng.uniform(0.62, 0.74) if code in low else self.rng.uniform(0.86, 0.97)
            self.respond(survey, link, questions, count, level, days, COMMENTS)
        self.schedule(at(d["closed"], 9, 0), lambda: services.close_survey(self.admin, survey))
        self.replay()
        survey.refresh_from_db()
        return survey

    def open_survey(self) -> Survey:
        d = dates(self.today)
        questionnaire = builtin(shipped.SHUANGJIAN_PARENTS)
        made: dict = {}

        def create():
            made["survey"] = services.create_survey(
                self.admin,
                questionnaire=questionnaire,
                title=f"{d['open_opens'].year}年“双减”工作满意度调查（家长卷）",
                opens_on=d["open_opens"],
                closes_on=d["open_closes"],
                school_rule=SchoolRule.ALL,
                school_types=SHUANGJIAN_TYPES,
                min_answers=MIN_ANSWERS,
                pass_percent=85,
            )

        self.schedule(at(d["open_created"], 15, 0), create)
        self.schedule(
            at(d["open_opens"], 8, 30), lambda: services.open_survey(self.admin, made["survey"])
        )
        self.replay()
        survey = made["survey"]
        questions = self.questions(questionnaire)
        days = [d["open_opens"] + DAY * i for i in range((self.today - d["open_opens"]).days)]
        for link in self.links(survey):
            if self.rng.random() < 0.5:
                count = self.rng.randint(3, 20)
                level = self.rng.uniform(0.8, 0.96)
                self.respond(survey, link, questions, count, level, days, SHUANGJIAN_COMMENTS)
        self.replay()
        return survey


def build_surveys(ctx) -> None:
    story = SurveyStory(ctx)
    closed = story.closed_survey()
    story.open_survey()
    responses = Response.objects.unscoped().filter(survey=closed).count()
    ctx.log(f"  surveys: {closed.title}, {responses} responses")


def reset_surveys(scope) -> None:
    """Delete the demo offices' surveys and questionnaires, dependants first (history rows
    are append-only: QuerySet deletes, for the demo's own rows only)."""
    offices = scope.office_ids
    Answer.objects.unscoped().filter(office__in=offices).delete()
    Response.objects.unscoped().filter(office__in=offices).delete()
    SurveySchool.objects.unscoped().filter(office__in=offices).delete()
    SurveyEvent.objects.filter(survey__office__in=offices).delete()
    Survey.objects.unscoped().filter(office__in=offices).delete()
    own = Questionnaire.objects.unscoped().filter(office__in=offices)
    QuestionnaireEvent.objects.filter(questionnaire__in=own).delete()
    Question.objects.filter(questionnaire__in=own).delete()
    Section.objects.filter(questionnaire__in=own).delete()
    own.delete()


def surveys_fingerprint(scope) -> dict:
    """The surveys by natural keys (for `generator.fingerprint`)."""
    offices = scope.office_ids
    answers = Counter()
    for row in (
        Answer.objects.unscoped()
        .filter(office__in=offices)
        .values("survey__title", "school__code", "question__code", "choice", "text")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        answers[
            "|".join(
                str(row[k])
                for k in ("survey__title", "school__code", "question__code", "choice", "text")
            )
        ] += row["n"]
    return {
        "surveys": sorted(
            Survey.objects.unscoped()
            .filter(office__in=offices)
            .values_list(
                "title",
                "questionnaire__key",
                "status",
                "opens_on",
                "closes_on",
                "min_answers",
                "opened_at",
                "closed_at",
            ),
            key=str,
        ),
        "responses": sorted(
            Response.objects.unscoped()
            .filter(office__in=offices)
            .values_list("survey__title", "school__code", "submitted_at"),
            key=str,
        ),
        "answers": sorted(answers.items()),
    }
