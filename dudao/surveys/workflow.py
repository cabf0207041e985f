"""The two workflows of the surveys app, through the engine (`dudao.core.workflow`), each step
with a history row and an audit row.

Questionnaire revisions: draft → published → retired.
- publish: the office admin of the questionnaire's office (its own draft) or the platform
  (SYSTEM, a built-in loaded from `dudao/surveys/builtin/`). The guard is the full check of
  `questionnaire_services.publish_problems`.
- retire: the same people; a retired revision stays readable for the surveys that ran it.

Surveys: draft → open → closed.
- open: the office admin of the survey's office. The guard (`open_problems`): the
  questionnaire is a published revision, the survey has at least one school, and its closing
  day is not before today. The public links answer from the opening day on.
- close: the office admin at any time, or the platform (the daily job `close_due_surveys`
  after the closing day). A closed survey takes no more answers; its results are final and
  the schools and their inspectors read them (`scoping.survey_answers_for`).
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dudao.core import guards
from dudao.core import workflow as engine
from dudao.core.errors import DomainError
from dudao.core.revisions import revision_workflow
from dudao.core.workflow import Rule, Step

from .models import Questionnaire, QuestionnaireEvent, Survey, SurveyEvent, SurveySchool

OFFICE, PLATFORM = "office_admin", "system"

# --- questionnaires ------------------------------------------------------------------------

QStatus = Questionnaire.Status


class QuestionnaireAction(models.TextChoices):
    PUBLISH = "publish", gettext_lazy("publish the questionnaire")
    RETIRE = "retire", gettext_lazy("retire the questionnaire")


def _guard_publish(questionnaire: Questionnaire, step: Step) -> None:
    from .questionnaire_services import require_publishable

    require_publishable(questionnaire)


# Draft → published → retired, by the office admin or the platform (dudao.core.revisions).
QUESTIONNAIRE_WORKFLOW = revision_workflow(
    Questionnaire,
    history_model=QuestionnaireEvent,
    history_fk="questionnaire",
    actions=QuestionnaireAction,
    guard=_guard_publish,
)

# --- surveys -------------------------------------------------------------------------------

SStatus = Survey.Status


class SurveyAction(models.TextChoices):
    OPEN = "open", gettext_lazy("open the survey")
    CLOSE = "close", gettext_lazy("close the survey")


SURVEY_TRANSITIONS: dict[tuple[str, str], str] = {
    (SStatus.DRAFT, SurveyAction.OPEN): SStatus.OPEN,
    (SStatus.OPEN, SurveyAction.CLOSE): SStatus.CLOSED,
}


def open_problems(survey: Survey, today=None) -> list[str]:
    """What keeps a draft survey from opening, in the office's words (empty: it may)."""
    today = today or timezone.localdate()
    problems = []
    if survey.questionnaire.status != QStatus.PUBLISHED:
        problems.append(_("The questionnaire is not a published revision."))
    if not SurveySchool.objects.unscoped().filter(survey=survey).exists():
        problems.append(_("The survey has no school."))
    if survey.closes_on < today:
        problems.append(_("The closing day has passed: choose a later one."))
    return problems


def survey_roles_of(actor, survey: Survey) -> set[str]:
    if guards.is_system(actor):
        return {PLATFORM}
    if guards.is_office_admin(actor, survey.office_id):  # the superuser rule included
        return {OFFICE}
    return set()


def _guard_open(survey: Survey, step: Step) -> None:
    problems = open_problems(survey)
    if problems:
        raise DomainError(" ".join(problems))


def _effect_open(survey: Survey, step: Step) -> None:
    survey.opened_at = timezone.now()


def _effect_close(survey: Survey, step: Step) -> None:
    survey.closed_at = timezone.now()


SURVEY_WORKFLOW = engine.Workflow(
    model=Survey,
    transitions=SURVEY_TRANSITIONS,
    rules={
        SurveyAction.OPEN: Rule(frozenset({OFFICE}), guard=_guard_open, effect=_effect_open),
        SurveyAction.CLOSE: Rule(frozenset({OFFICE, PLATFORM}), effect=_effect_close),
    },
    roles_of=survey_roles_of,
    history_model=SurveyEvent,
    history_fk="survey",
    actions=SurveyAction,
    select_related=("questionnaire",),
    messages=engine.Messages(
        stale=gettext_lazy("Someone else changed this survey; reload it and try again."),
        illegal=gettext_lazy("You cannot %(action)s: the survey is “%(status)s”."),
        not_permitted=gettext_lazy("Only the survey's office may %(action)s."),
    ),
)
