"""Satisfaction surveys (满意度调查, issue 14 §3).

- A **questionnaire** (问卷) is kept in revisions like a checklist: sections of questions of four
  types (single choice, multiple choice, a 1–5 scale, free text), for parents, students,
  teachers or the public. A survey runs the revision it opened with; editing a published
  questionnaire makes a new revision. Built-in questionnaires (office empty) ship as data
  (`dudao/surveys/builtin/*.json`); offices copy and edit them.
- A question may **count toward satisfaction**: a single choice or a scale, with the answers
  that count as satisfied (满意、比较满意; 4 and 5 on the scale) and the answers left out of the
  rate (不了解). How the rate is computed: `dudao.surveys.results`.
- A **survey** (调查) is one run of a questionnaire revision by an office, between two dates, at
  a set of schools. Each school has its own **link** (`SurveySchool`, a random token behind the
  public address `/p/surveys/<token>/` and the school's QR code).
- A **response** (答卷) is one anonymous submission through a school's link, with its
  **answers**. It stores no name, no address and no cookie value: only a keyed hash of the
  client's network address and the day, which caps the answers from one address a day
  (`dudao.surveys.answering`). Responses are never changed or deleted by any service.

Writes go through `dudao.surveys.questionnaire_services` and `dudao.surveys.services`; only
`dudao.surveys.workflow` assigns a status.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dudao.core.history import HistoryRecord
from dudao.core.models import ChoiceLabels
from dudao.core.revisions import RevisionedModel, revision_constraints
from dudao.core.scopes import ScopedManager

SCALE_VALUES = ("1", "2", "3", "4", "5")


class Audience(models.TextChoices):
    PARENTS = "parents", pgettext_lazy("audience", "Parents")  # 家长
    STUDENTS = "students", pgettext_lazy("audience", "Students")  # 学生
    TEACHERS = "teachers", pgettext_lazy("audience", "Teachers")  # 教师
    PUBLIC = "public", pgettext_lazy("audience", "The public")  # 社会公众


class QuestionType(models.TextChoices):
    SINGLE = "single", _("Single choice")  # 单选
    MULTIPLE = "multiple", _("Multiple choice")  # 多选
    SCALE = "scale", _("Scale of 1 to 5")  # 1–5 分
    TEXT = "text", _("Free text")  # 文字


# The types whose answers may count toward satisfaction (one answer per respondent).
COUNTING_TYPES = (QuestionType.SINGLE, QuestionType.SCALE)


class Questionnaire(RevisionedModel):
    """A questionnaire in one revision (dudao.core.revisions: key, revision, status,
    based_on…)."""

    # Empty: a built-in questionnaire, shipped with Dudao and read by every office.
    office = models.ForeignKey(
        "organisations.Office",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="questionnaires",
        verbose_name=_("supervision office"),
    )
    audience = models.CharField(
        _("audience"), max_length=10, choices=Audience.choices, default=Audience.PARENTS
    )
    # The introduction respondents read above the questions (卷首语).
    description = models.TextField(_("introduction"), blank=True)
    based_on = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
        verbose_name=pgettext_lazy("questionnaire", "based on"),
    )

    class Meta(RevisionedModel.Meta):
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        constraints = revision_constraints("questionnaire")


class Section(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="sections"
    )
    position = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=200)

    class Meta:
        ordering = ["questionnaire", "position"]
        verbose_name = _("questionnaire section")
        verbose_name_plural = _("questionnaire sections")
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "position"], name="survey_section_position_once"
            )
        ]

    def __str__(self):
        return self.title


class Question(ChoiceLabels, models.Model):
    """One question, with whether and how it counts toward satisfaction."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("order"))
    code = models.CharField(_("code"), max_length=20)  # "2.3", unique in its questionnaire
    text = models.TextField(_("question text"))
    type = models.CharField(_("type"), max_length=10, choices=QuestionType.choices)
    # The options of a choice, in order; for a scale, empty or the labels of 1 and of 5.
    options = models.JSONField(_("options"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=True)
    counts = models.BooleanField(_("counts toward satisfaction"), default=False)
    # The answers that count as satisfied: options of a choice, or "1"…"5" of a scale.
    satisfied = models.JSONField(_("satisfied answers"), default=list, blank=True)
    # Options left out of the rate (neither satisfied nor not): "不了解", "说不清".
    ignored = models.JSONField(_("answers left out of the rate"), default=list, blank=True)
    help_text = models.CharField(_("hint"), max_length=300, blank=True)

    class Meta:
        ordering = ["questionnaire", "position"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="question_code_once"),
            models.UniqueConstraint(
                fields=["questionnaire", "position"], name="question_position_once"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.text[:40]}"

    def satisfaction(self, choice: str) -> bool | None:
        """Whether one answer (an option, or "1"…"5") is satisfied: None when the question
        does not count, the answer is left out of the rate (不了解) or empty."""
        if not self.counts or self.type not in COUNTING_TYPES or not choice:
            return None
        if choice in self.ignored:
            return None
        return choice in self.satisfied

    def choices_for_answers(self) -> list[str]:
        """The values an answer may take: the options, or "1"…"5"."""
        if self.type == QuestionType.SCALE:
            return list(SCALE_VALUES)
        if self.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            return list(self.options)
        return []


class QuestionnaireEvent(HistoryRecord):
    """One line of a questionnaire revision's history (draft → published → retired)."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="events"
    )

    class Meta(HistoryRecord.Meta):
        verbose_name = _("questionnaire event")
        verbose_name_plural = _("questionnaire events")
        indexes = [models.Index(fields=["questionnaire", "at"])]


class SchoolRule(models.TextChoices):
    """Which schools a survey runs at."""

    ALL = "all", _("Every active school")
    ZONE = "zone", _("The schools of a zone")
    LIST = "list", _("Chosen schools")


class Survey(ChoiceLabels, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")  # being prepared; links not yet answered
        # answered through the schools' links between the dates
        OPEN = "open", pgettext_lazy("survey", "Open")
        CLOSED = "closed", pgettext_lazy("survey", "Closed")  # no more answers; results final

    office = models.ForeignKey(
        "organisations.Office",
        on_delete=models.PROTECT,
        related_name="surveys",
        verbose_name=_("supervision office"),
    )
    # The published questionnaire revision the survey runs, kept for its whole life.
    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.PROTECT,
        related_name="surveys",
        verbose_name=_("questionnaire"),
    )
    title = models.CharField(_("title"), max_length=200)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    school_rule = models.CharField(
        _("schools"), max_length=10, choices=SchoolRule.choices, default=SchoolRule.ALL
    )
    # SchoolType values that "all" and "zone" keep; empty: every type.
    school_types = models.JSONField(_("school types"), default=list, blank=True)
    zone = models.ForeignKey(
        "inspectors.Zone",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("zone"),
    )
    # Numbers are data (docs/rules.md): the office sets them per survey.
    min_answers = models.PositiveSmallIntegerField(
        _("answers needed before figures show"), default=30
    )
    pass_percent = models.PositiveSmallIntegerField(_("satisfaction needed (%)"), default=85)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(pgettext_lazy("survey", "closed at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    all_objects = models.Manager()  # Django's default manager (docs/architecture.md)
    objects = ScopedManager()  # refuses to run until a scope is chosen

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["-opens_on", "-pk"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        indexes = [models.Index(fields=["office", "status", "-opens_on"])]

    def __str__(self):
        return self.title

    def accepts_answers(self, today) -> bool:
        """Open, and today between the dates (both included)."""
        return self.status == self.Status.OPEN and self.opens_on <= today <= self.closes_on


class SurveyEvent(HistoryRecord):
    """One line of a survey's history (draft → open → closed)."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="events")

    class Meta(HistoryRecord.Meta):
        verbose_name = _("survey event")
        verbose_name_plural = _("survey events")
        indexes = [models.Index(fields=["survey", "at"])]


class SurveySchool(models.Model):
    """A survey's link at one school: the random token of its public address and QR code."""

    office = models.ForeignKey("organisations.Office", on_delete=models.PROTECT, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="links")
    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, related_name="survey_links"
    )
    token = models.CharField(_("token"), max_length=32, unique=True)
    position = models.PositiveIntegerField(_("order"), default=0)

    all_objects = models.Manager()  # Django's default manager (docs/architecture.md)
    objects = ScopedManager()  # refuses to run until a scope is chosen

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["survey", "position", "pk"]
        verbose_name = _("survey link")
        verbose_name_plural = _("survey links")
        constraints = [
            models.UniqueConstraint(fields=["survey", "school"], name="survey_school_once")
        ]

    def __str__(self):
        return f"{self.survey_id}:{self.school_id}"


class Response(models.Model):
    """One anonymous submission (答卷) through a school's link."""

    office = models.ForeignKey("organisations.Office", on_delete=models.PROTECT, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    link = models.ForeignKey(SurveySchool, on_delete=models.PROTECT, related_name="responses")
    submitted_at = models.DateTimeField(_("submitted at"))
    day = models.DateField(_("day"))  # the Beijing day of the submission
    # HMAC of the client's network and the day (answering.client_hash): the daily cap's key.
    client_hash = models.CharField(max_length=64, blank=True)

    all_objects = models.Manager()  # Django's default manager (docs/architecture.md)
    objects = ScopedManager()  # refuses to run until a scope is chosen

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["survey", "submitted_at", "pk"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [
            models.Index(fields=["survey", "school"]),
            models.Index(fields=["survey", "day", "client_hash"]),
        ]

    def __str__(self):
        return f"{self.survey_id}:{self.school_id}:{self.pk}"


class Answer(models.Model):
    """One answer of a response: one row per chosen option (several for a multiple choice),
    the value of a scale ("4"), or a free text. `satisfied` is the question's verdict on it
    (`Question.satisfaction`), fixed when it was given, since a published question never
    changes. `survey` and `school` repeat the response's for the results' aggregates."""

    office = models.ForeignKey("organisations.Office", on_delete=models.PROTECT, related_name="+")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    choice = models.CharField(_("chosen answer"), max_length=200, blank=True)
    text = models.TextField(_("text"), blank=True)
    satisfied = models.BooleanField(_("satisfied"), null=True)

    all_objects = models.Manager()  # Django's default manager (docs/architecture.md)
    objects = ScopedManager()  # refuses to run until a scope is chosen

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["response", "question", "pk"]
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        indexes = [
            models.Index(fields=["survey", "school", "question"]),
            models.Index(fields=["survey", "question", "choice"]),
        ]

    def __str__(self):
        return f"{self.question_id}: {self.choice or self.text[:20]}"
