"""A survey's results (满意度调查结果, issue 14 §3): per school, per zone and for the county, the
satisfaction rate against the 85 % rule, the answers per question, the free-text answers, and
the same as an XLSX report of the one exporter (`survey_results`).

**The satisfaction rate** (满意率; 社会认可度 in the balanced-development acceptance):

- A *counting question* is one marked `counts` (a single choice or a 1–5 scale). It is always
  required (`questionnaire_services`), so every response answers every counting question.
- A *counted answer* is an answer to a counting question that the question does not leave out
  of the rate (its `ignored` options, such as 不了解 or 没在学校吃饭). Its verdict (`satisfied`:
  one of the question's satisfied answers, e.g. 满意 and 比较满意, or 4 and 5 on the scale) was
  fixed when it was given (`Question.satisfaction`).
- The satisfaction rate of a group of responses (a school, a zone, the county) is

      satisfied counted answers ÷ counted answers

  over every counting question and every response of the group: a share of **answers**, not
  of respondents. With no counted answer there is no rate ("—"), never 0.
- Why answers: the 2017 办法 (教督〔2017〕6号) asks for a social recognition of at least 85 %
  without a formula; provincial practice takes, per question, the share of 满意 and 比较满意
  among its valid answers and averages over the questions (or over the respondents). As every
  respondent answers every counting question, the share of answers *is* that average when no
  answer is left out, and the mean of the respondents' own shares too; with left-out answers
  (不了解) each question weighs by its valid answers. A respondent is never "satisfied" or
  "not" as a whole: that would need a cut-off no document gives. *(unconfirmed)*
- **Passing** (达标): rate ≥ the survey's `pass_percent` (85 by default), compared exactly
  (satisfied × 100 ≥ pass_percent × counted). The rate is shown rounded *down* to one decimal,
  so a rate shown as 85.0 % always passes.
- **Minimum answers**: a group's figures (its rate, its answers per question and its free
  texts) show only when it has at least the survey's `min_answers` responses (30 by default);
  below it the page says "not enough answers". A zone's and the county's figures pool every
  response of their schools, those of schools below the minimum included (an acceptance counts
  every valid questionnaire), and show when the pooled responses reach the minimum.
- **Answers per question**: an option's answers ÷ the responses that answered the question
  (the shares of a multiple choice may add up to more than 100 %); a scale's mean.

Who reads what follows the scopes (`accounts.scoping`): the office and the viewers above it read
every school at any time; an inspector or zone leader their schools and a school its own, once
the survey is closed (before that they see how many answered). The county line is the
office's; for the others the total pools the schools they see that reach the minimum (a
school below it is left out of every figure they read, so none of its answers can be worked
out by difference).

Every figure is a fixed number of aggregate queries from the reader's scope, whatever the
number of schools and responses.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from dudao.accounts import scoping
from dudao.accounts.models import Role
from dudao.reports import exporter
from dudao.reports.exporter import XLSX, Report, Section, Table, long_date

from .models import Answer, Question, QuestionType, Response, Survey

NONE = "—"
TEXTS_SHOWN = 200  # free texts on the page (all of them in the XLSX)


def rate_percent(satisfied: int, counted: int) -> Decimal | None:
    """satisfied ÷ counted in per cent, rounded down to one decimal; None with nothing counted."""
    if not counted:
        return None
    return (Decimal(satisfied * 100) / Decimal(counted)).quantize(
        Decimal("0.1"), rounding=ROUND_DOWN
    )


def passes(satisfied: int, counted: int, pass_percent: int) -> bool | None:
    """The 85 % rule, exactly: satisfied × 100 ≥ pass_percent × counted."""
    if not counted:
        return None
    return satisfied * 100 >= pass_percent * counted


@dataclass
class Figure:
    """A group's figures: its responses, counted and satisfied answers, and whether they show."""

    responses: int = 0
    counted: int = 0
    satisfied: int = 0
    min_answers: int = 1
    pass_percent: int = 85

    def add(self, other: "Figure") -> None:
        self.responses += other.responses
        self.counted += other.counted
        self.satisfied += other.satisfied

    @property
    def shown(self) -> bool:
        return self.responses >= self.min_answers

    @property
    def rate(self) -> Decimal | None:
        return rate_percent(self.satisfied, self.counted) if self.shown else None

    @property
    def percent(self) -> str:
        rate = self.rate
        return NONE if rate is None else f"{rate}%"

    @property
    def passed(self) -> bool | None:
        return passes(self.satisfied, self.counted, self.pass_percent) if self.shown else None

    def verdict(self) -> str:
        """达标 / 未达标 / 答卷不足 (in the reader's language)."""
        if not self.shown:
            return _("Not enough answers")
        if self.passed is None:
            return NONE
        return _("Passes") if self.passed else _("Below the required rate")


@dataclass
class QuestionFigures:
    question: Question
    answered: int = 0
    options: list = field(default_factory=list)  # [(value, label, count, share %)]
    mean: Decimal | None = None
    counted: int = 0
    satisfied: int = 0

    @property
    def percent(self) -> str:
        rate = rate_percent(self.satisfied, self.counted)
        return NONE if rate is None else f"{rate}%"


def reads_whole_office(user) -> bool:
    return user.is_superuser or user.role in (Role.OFFICE_ADMIN, Role.VIEWER)


def _figure(survey: Survey, **values) -> Figure:
    return Figure(min_answers=survey.min_answers, pass_percent=survey.pass_percent, **values)


def school_figures(user, survey: Survey) -> list[dict]:
    """One row per school the reader sees: {"link", "school", "zone", "figure"} (three
    queries)."""
    links = list(
        scoping.survey_links_for(user)
        .filter(survey=survey)
        .select_related("school__zone")
        .order_by("position", "pk")
    )
    responses = dict(
        Response.objects.visible_to(user)
        .filter(survey=survey)
        .values("school_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("school_id", "n")
    )
    verdicts = {
        row["school_id"]: row
        for row in Answer.objects.visible_to(user)
        .filter(survey=survey, satisfied__isnull=False)
        .values("school_id")
        .annotate(counted=Count("pk"), happy=Count("pk", filter=Q(satisfied=True)))
        .order_by()
    }
    rows = []
    for link in links:
        counts = verdicts.get(link.school_id, {})
        rows.append(
            {
                "link": link,
                "school": link.school,
                "zone": link.school.zone,
                "figure": _figure(
                    survey,
                    responses=responses.get(link.school_id, 0),
                    counted=counts.get("counted", 0),
                    satisfied=counts.get("happy", 0),
                ),
            }
        )
    return rows


def zone_figures(survey: Survey, rows: list[dict]) -> list[dict]:
    """The schools' figures pooled by zone (schools in no zone last), in zone order."""
    zones: dict = {}
    for row in rows:
        zone = row["zone"]
        key = zone.pk if zone else None
        if key not in zones:
            zones[key] = {"zone": zone, "schools": 0, "figure": _figure(survey)}
        zones[key]["schools"] += 1
        zones[key]["figure"].add(row["figure"])
    return sorted(
        zones.values(), key=lambda z: (z["zone"] is None, z["zone"].name if z["zone"] else "")
    )


def total_figure(survey: Survey, rows: list[dict]) -> Figure:
    total = _figure(survey)
    for row in rows:
        total.add(row["figure"])
    return total


def question_figures(user, survey: Survey, school_ids: list[int]) -> list[dict]:
    """The questionnaire's sections with each question's figures over the responses of
    `school_ids` (in the reader's scope): [{"section", "questions": [QuestionFigures]}]."""
    sections = list(survey.questionnaire.sections.order_by("position"))
    questions = list(
        Question.objects.filter(questionnaire_id=survey.questionnaire_id).order_by("position")
    )
    answers = Answer.objects.visible_to(user).filter(survey=survey, school_id__in=school_ids)
    counts = defaultdict(dict)
    for row in (
        answers.exclude(choice="")
        .values("question_id", "choice")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[row["question_id"]][row["choice"]] = row["n"]
    answered = dict(
        answers.values("question_id")
        .annotate(n=Count("response_id", distinct=True))
        .order_by()
        .values_list("question_id", "n")
    )
    by_section = defaultdict(list)
    for question in questions:
        figures = QuestionFigures(question, answered=answered.get(question.pk, 0))
        given = counts.get(question.pk, {})
        if question.type != QuestionType.TEXT:
            values = question.choices_for_answers()
            for value in values:
                n = given.get(value, 0)
                share = rate_percent(n, figures.answered)
                figures.options.append((value, _option_label(question, value), n, share))
            if question.type == QuestionType.SCALE and figures.answered:
                total = sum(int(v) * given.get(v, 0) for v in values)
                scored = sum(given.get(v, 0) for v in values)
                if scored:
                    figures.mean = (Decimal(total) / Decimal(scored)).quantize(Decimal("0.01"))
            if question.counts:
                figures.counted = sum(n for v, n in given.items() if v not in question.ignored)
                figures.satisfied = sum(n for v, n in given.items() if v in question.satisfied)
        by_section[question.section_id].append(figures)
    return [{"section": s, "questions": by_section.get(s.pk, [])} for s in sections]


def _option_label(question: Question, value: str) -> str:
    """A scale's 1 and 5 carry its end labels ("1 很不满意")."""
    if question.type == QuestionType.SCALE and len(question.options) == 2:
        if value == "1":
            return f"1 {question.options[0]}"
        if value == "5":
            return f"5 {question.options[1]}"
    return value


def free_texts(user, survey: Survey, school_ids: list[int], limit: int | None = TEXTS_SHOWN):
    """The free-text answers of `school_ids`, newest first: (question code, school name, text,
    submitted at); at most `limit`."""
    qs = (
        Answer.objects.visible_to(user)
        .filter(survey=survey, school_id__in=school_ids, question__type=QuestionType.TEXT)
        .exclude(text="")
        .order_by("-response__submitted_at", "-pk")
        .values_list("question__code", "school__name", "text", "response__submitted_at")
    )
    return list(qs[:limit] if limit else qs)


def survey_results(user, survey: Survey, *, zone_id=None, school_id=None) -> dict:
    """Everything the results page shows (a fixed number of queries): the schools' rows, the
    zones, the total, and for the chosen group (the reader's schools, a zone or one school)
    its figure, its questions and its free texts when its figure shows.

    The office and the viewers pool every school. For the other readers (inspectors, zone
    leaders, schools) the schools below the minimum are left out of every pooled figure, so
    nothing of such a school can be worked out from what they read."""
    rows = school_figures(user, survey)
    whole = reads_whole_office(user)
    pool = rows if whole else [r for r in rows if r["figure"].shown]
    chosen_rows, chosen_name = pool, ""
    if school_id:
        chosen_rows = [r for r in rows if r["school"].pk == school_id]
        chosen_name = chosen_rows[0]["school"].name if chosen_rows else ""
    elif zone_id:
        chosen_rows = [r for r in pool if r["zone"] and r["zone"].pk == zone_id]
        chosen_name = chosen_rows[0]["zone"].name if chosen_rows else ""
    chosen = total_figure(survey, chosen_rows)
    ids = [r["school"].pk for r in chosen_rows]
    shown = chosen.shown and bool(ids)
    return {
        "rows": rows,
        "zones": zone_figures(survey, pool),
        "total": total_figure(survey, pool),
        "pool_ids": [r["school"].pk for r in pool],
        "whole_office": whole,
        "answers_readable": whole or survey.status == Survey.Status.CLOSED,
        "chosen": chosen,
        "chosen_name": chosen_name,
        "sections": question_figures(user, survey, ids) if shown else [],
        "texts": free_texts(user, survey, ids) if shown else [],
        "chart": chart_data(rows, survey),
    }


def chart_data(rows: list[dict], survey: Survey) -> dict:
    """The schools whose figures show, by rate (for the bar chart beside the table)."""
    shown = [r for r in rows if r["figure"].rate is not None]
    shown.sort(key=lambda r: (r["figure"].rate, r["school"].name))
    return {
        "pass": survey.pass_percent,
        "names": [r["school"].name for r in shown],
        "rates": [float(r["figure"].rate) for r in shown],
    }


# ---- the XLSX (the one exporter) ----------------------------------------------------------


def _school_question_rates(user, survey: Survey) -> dict:
    """{(school id, question id): (counted, satisfied)} (one query)."""
    return {
        (row["school_id"], row["question_id"]): (row["counted"], row["happy"])
        for row in Answer.objects.visible_to(user)
        .filter(survey=survey, satisfied__isnull=False)
        .values("school_id", "question_id")
        .annotate(counted=Count("pk"), happy=Count("pk", filter=Q(satisfied=True)))
        .order_by()
    }


@exporter.register("survey_results", formats=(XLSX,), for_user=True)
def survey_results_report(user, survey_id) -> Report:
    """The survey's results in one workbook: the summary (county and zones), the schools,
    the answers per question, the rates per school and counting question, the free texts."""
    survey = scoping.get_survey_for(user, survey_id)
    data = survey_results(user, survey)
    whole = data["whole_office"]
    total_name = _("County") if whole else _("Your schools")

    def line(name, schools, figure):
        return [
            name,
            schools,
            figure.responses,
            figure.counted if figure.shown else NONE,
            figure.satisfied if figure.shown else NONE,
            figure.percent,
            figure.verdict(),
        ]

    summary = Table(
        title=_("Summary"),
        columns=[
            _("Group"),
            _("Schools"),
            _("Responses"),
            _("Counted answers"),
            _("Satisfied answers"),
            _("Satisfaction rate"),
            _("Result"),
        ],
        rows=[line(total_name, len(data["rows"]), data["total"])]
        + [
            line(z["zone"].name if z["zone"] else _("No zone"), z["schools"], z["figure"])
            for z in data["zones"]
        ],
    )
    schools = Table(
        title=_("By school"),
        columns=[
            _("Code"),
            _("School"),
            _("Zone"),
            _("Responses"),
            _("Satisfaction rate"),
            _("Result"),
        ],
        rows=[
            [
                r["school"].code,
                r["school"].name,
                r["zone"].name if r["zone"] else "",
                r["figure"].responses,
                r["figure"].percent,
                r["figure"].verdict(),
            ]
            for r in data["rows"]
        ],
    )
    tables = [summary, schools]
    if data["total"].shown:
        ids = data["pool_ids"]
        sections = question_figures(user, survey, ids)
        tables.append(
            Table(
                title=_("Answers per question"),
                columns=[
                    _("Code"),
                    _("Question"),
                    _("Answer option"),
                    _("Answer count"),
                    _("Share"),
                    _("Satisfaction rate"),
                ],
                rows=[
                    [
                        f.question.code,
                        f.question.text,
                        label,
                        n,
                        f"{share}%" if share is not None else NONE,
                        f.percent if f.question.counts else "",
                    ]
                    for section in sections
                    for f in section["questions"]
                    for _v, label, n, share in f.options
                ],
            )
        )
        counting = [
            f.question for section in sections for f in section["questions"] if f.question.counts
        ]
        pairs = _school_question_rates(user, survey)
        shown_rows = [r for r in data["rows"] if r["figure"].shown]
        texts = free_texts(user, survey, ids, limit=None)

        def cell(school_id, question_id):
            counted, happy = pairs.get((school_id, question_id), (0, 0))
            rate = rate_percent(happy, counted)
            return NONE if rate is None else f"{rate}%"

        tables.append(
            Table(
                title=_("Rates per school and question"),
                columns=[_("School")] + [q.code for q in counting],
                rows=[
                    [r["school"].name] + [cell(r["school"].pk, q.pk) for q in counting]
                    for r in shown_rows
                ],
            )
        )
        tables.append(
            Table(
                title=_("Free-text answers"),
                columns=[_("Code"), _("School"), _("Free-text answer"), _("Submitted at")],
                rows=[[code, school, text, at.date()] for code, school, text, at in texts],
                widths=[8, 24, 80, 14],
            )
        )
    return Report(
        title=_("Results of %(survey)s") % {"survey": survey.title},
        filename=_("Results of %(survey)s") % {"survey": survey.title},
        sections=[Section(tables=tables)],
        office=survey.office.name,
        date=long_date(survey.closes_on),
        landscape=True,
        office_id=survey.office_id,
        figures={
            "responses": data["total"].responses,
            "rate": data["total"].rate,
            "passed": data["total"].passed,
            "schools": {r["school"].code: r["figure"].rate for r in data["rows"]},
        },
    )


@exporter.register("survey_links", formats=(XLSX,), for_user=True)
def survey_links_report(user, survey_id) -> Report:
    """The schools' links of a survey (to send by message or print), with their answers so
    far: the reader's schools only."""
    from .qr import public_url

    survey = scoping.get_survey_for(user, survey_id)
    rows = school_figures(user, survey)
    return Report(
        title=_("Links of %(survey)s") % {"survey": survey.title},
        filename=_("Links of %(survey)s") % {"survey": survey.title},
        sections=[
            Section(
                tables=[
                    Table(
                        title=_("Links"),
                        columns=[
                            _("Code"),
                            _("School"),
                            _("Zone"),
                            _("Survey link"),
                            _("Responses"),
                        ],
                        rows=[
                            [
                                r["school"].code,
                                r["school"].name,
                                r["zone"].name if r["zone"] else "",
                                public_url(r["link"]),
                                r["figure"].responses,
                            ]
                            for r in rows
                        ],
                        widths=[12, 28, 16, 60, 10],
                    )
                ]
            )
        ],
        office=survey.office.name,
        date=long_date(survey.opens_on),
        office_id=survey.office_id,
        figures={"links": len(rows)},
    )
