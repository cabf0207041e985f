"""Every write on surveys (满意度调查): the office's surveys and the public's answers
(docs/architecture.md §3).

Who: the office admin of the survey's office creates, edits (a draft), opens, closes and
deletes (a draft) its surveys; the platform (SYSTEM) closes the surveys whose closing day has
passed (`close_due_surveys`, a daily job). The superuser acts through none of them.

Schools. A survey runs at every active school of the office, at a zone's schools, or at
chosen schools; "every school" and "a zone" may keep only some school types (the
balanced-development survey: the compulsory-education schools). Each school gets a link
(`SurveySchool`) with a random token, made while the survey is a draft, so the QR sheets can
be printed before it opens; changing a draft's schools keeps the tokens of the schools it
keeps. The schools are fixed once the survey opens.

Answers (`submit_response`) are the public's one write: anonymous by design, so it takes no
actor and calls no guard; what protects it is the survey's state (open, today between its
dates), the answers' checks (`clean_answers`) and, in the view, the rate limits, the
honeypot and the one-answer-per-device cookie (`dudao.surveys.answering`). A response is
not audited: an audit row keeps the client's address and browser (`dudao.audit.middleware`),
which the survey promises not to store. Responses are never changed or deleted.
"""

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.audit import services as audit
from dudao.core import guards, idempotency
from dudao.core import workflow as engine
from dudao.core.errors import DomainError, StaleObject
from dudao.core.guards import SYSTEM
from dudao.inspectors.models import Zone
from dudao.schools.models import School, SchoolType

from .models import (
    Answer,
    Question,
    Questionnaire,
    QuestionType,
    Response,
    SchoolRule,
    Survey,
    SurveySchool,
)
from .workflow import SURVEY_WORKFLOW, SurveyAction

Status = Survey.Status
TEXT_ANSWER_MAX = 1000
MIN_ANSWERS_MAX = 1000
MAX_DAYS = 366


# ---- validators ---------------------------------------------------------------------------------


def rule_schools(office_id, rule, *, school_types=(), zone=None, schools=()) -> list[School]:
    """The active schools of office `office_id` a rule chooses, by code."""
    qs = School.objects.unscoped().filter(office_id=office_id, is_active=True)
    if rule == SchoolRule.ALL:
        pass
    elif rule == SchoolRule.ZONE:
        if zone is None:
            raise DomainError(_("Choose the zone."), field="zone")
        zone_id = zone.pk if isinstance(zone, Zone) else zone
        if not Zone.objects.unscoped().filter(pk=zone_id, office_id=office_id).exists():
            raise DomainError(_("Choose a zone of your office."), field="zone")
        qs = qs.filter(zone_id=zone_id)
    elif rule == SchoolRule.LIST:
        ids = [s.pk if isinstance(s, School) else s for s in schools or ()]
        if not ids:
            raise DomainError(_("Choose the schools."), field="schools")
        qs = qs.filter(pk__in=ids)
        if qs.count() != len(set(ids)):
            raise DomainError(_("Choose active schools of your office."), field="schools")
        school_types = ()
    else:
        raise DomainError(_("Choose which schools take part."), field="school_rule")
    unknown = [t for t in school_types or () if t not in SchoolType.values]
    if unknown:
        raise DomainError(_("Unknown school types."), field="school_types")
    if school_types:
        qs = qs.filter(type__in=list(school_types))
    found = list(qs.order_by("code", "pk"))
    if not found:
        raise DomainError(_("These choices take no school."), field="school_rule")
    return found


def _check_survey(
    actor_office_id, *, questionnaire, title, opens_on, closes_on, min_answers, pass_percent
) -> None:
    if not title:
        raise DomainError(_("Give the survey a title."), field="title")
    if questionnaire is None:
        raise DomainError(_("Choose the questionnaire."), field="questionnaire")
    if questionnaire.office_id not in (None, actor_office_id):
        raise DomainError(_("Choose a questionnaire of your office."), field="questionnaire")
    if questionnaire.status != Questionnaire.Status.PUBLISHED:
        raise DomainError(_("Choose a published questionnaire."), field="questionnaire")
    if not opens_on or not closes_on:
        raise DomainError(_("Give the opening and closing days."), field="closes_on")
    if closes_on < opens_on:
        raise DomainError(_("The survey closes before it opens."), field="closes_on")
    if (closes_on - opens_on).days >= MAX_DAYS:
        raise DomainError(_("A survey runs for a year at most."), field="closes_on")
    if not 1 <= int(min_answers) <= MIN_ANSWERS_MAX:
        raise DomainError(
            _("Between 1 and %(max)s answers.") % {"max": MIN_ANSWERS_MAX}, field="min_answers"
        )
    if not 1 <= int(pass_percent) <= 100:
        raise DomainError(_("A percentage between 1 and 100."), field="pass_percent")


def new_token() -> str:
    """A link's token: 96 random bits, URL-safe (16 characters)."""
    return secrets.token_urlsafe(12)


def _sync_links(survey: Survey, schools: list[School]) -> tuple[list[str], list[str]]:
    """The draft's links become those of `schools` (in their order); the tokens of kept
    schools stay. Returns the school codes before and after."""
    links = {
        link.school_id: link
        for link in SurveySchool.objects.unscoped().filter(survey=survey).select_related("school")
    }
    before = sorted(link.school.code for link in links.values())
    wanted = {school.pk for school in schools}
    SurveySchool.objects.unscoped().filter(survey=survey).exclude(school_id__in=wanted).delete()
    new, kept = [], []
    for position, school in enumerate(schools, start=1):
        link = links.get(school.pk)
        if link is None:
            new.append(
                SurveySchool(
                    office_id=survey.office_id,
                    survey=survey,
                    school=school,
                    token=new_token(),
                    position=position,
                )
            )
        elif link.position != position:
            link.position = position
            kept.append(link)
    if kept:
        SurveySchool.objects.unscoped().bulk_update(kept, ["position"])
    SurveySchool.objects.unscoped().bulk_create(new)
    return before, [school.code for school in schools]


def _lock(survey, expected_version=None) -> Survey:
    pk = survey.pk if isinstance(survey, Survey) else survey
    survey = (
        Survey.objects.unscoped().select_for_update().select_related("questionnaire").get(pk=pk)
    )
    if expected_version not in (None, "") and int(expected_version) != survey.version:
        raise StaleObject(_("Someone else changed this survey; reload it and try again."))
    return survey


# ---- surveys ------------------------------------------------------------------------------------


@transaction.atomic
def create_survey(
    actor,
    *,
    questionnaire,
    title,
    opens_on,
    closes_on,
    school_rule=SchoolRule.ALL,
    school_types=(),
    zone=None,
    schools=(),
    min_answers=30,
    pass_percent=85,
    request_key=None,
) -> Survey:
    """A draft survey of the actor's office with a link per school. With the form's one-time
    `request_key`, a second submission returns the first survey (dudao.core.idempotency)."""
    guards.require_person(actor)
    guards.require_office_admin(actor, actor.office_id)
    title = (title or "").strip()
    _check_survey(
        actor.office_id,
        questionnaire=questionnaire,
        title=title,
        opens_on=opens_on,
        closes_on=closes_on,
        min_answers=min_answers,
        pass_percent=pass_percent,
    )
    chosen = rule_schools(
        actor.office_id, school_rule, school_types=school_types, zone=zone, schools=schools
    )

    def create():
        survey = Survey.objects.unscoped().create(
            office_id=actor.office_id,
            questionnaire=questionnaire,
            title=title,
            opens_on=opens_on,
            closes_on=closes_on,
            school_rule=school_rule,
            school_types=list(school_types) if school_rule != SchoolRule.LIST else [],
            zone=zone if school_rule == SchoolRule.ZONE else None,
            min_answers=int(min_answers),
            pass_percent=int(pass_percent),
            created_by=actor,
        )
        _sync_links(survey, chosen)
        audit.record_create(actor, survey)
        return survey

    return idempotency.once(
        actor,
        request_key,
        "surveys.create_survey",
        create,
        lambda pk: Survey.objects.unscoped().get(pk=pk),
    )


@transaction.atomic
def update_survey(
    actor,
    survey,
    *,
    expected_version,
    questionnaire,
    title,
    opens_on,
    closes_on,
    school_rule=SchoolRule.ALL,
    school_types=(),
    zone=None,
    schools=(),
    min_answers=30,
    pass_percent=85,
) -> Survey:
    """A draft survey's fields and schools."""
    survey = _lock(survey, expected_version)
    guards.require_office_admin(actor, survey.office_id)
    if survey.status != Status.DRAFT:
        raise DomainError(_("Only a draft survey is edited."))
    title = (title or "").strip()
    _check_survey(
        survey.office_id,
        questionnaire=questionnaire,
        title=title,
        opens_on=opens_on,
        closes_on=closes_on,
        min_answers=min_answers,
        pass_percent=pass_percent,
    )
    chosen = rule_schools(
        survey.office_id, school_rule, school_types=school_types, zone=zone, schools=schools
    )
    before = audit.snapshot(survey)
    survey.questionnaire = questionnaire
    survey.title, survey.opens_on, survey.closes_on = title, opens_on, closes_on
    survey.school_rule = school_rule
    survey.school_types = list(school_types) if school_rule != SchoolRule.LIST else []
    survey.zone = zone if school_rule == SchoolRule.ZONE else None
    survey.min_answers, survey.pass_percent = int(min_answers), int(pass_percent)
    old_codes, new_codes = _sync_links(survey, chosen)
    changes = audit.diff(before, audit.snapshot(survey))
    if old_codes != sorted(new_codes):
        changes["schools"] = [old_codes, sorted(new_codes)]
    if changes:
        survey.version += 1
        survey.save()
        audit.record(actor, audit.Action.UPDATE, survey, changes)
    return survey


@transaction.atomic
def delete_survey(actor, survey) -> None:
    """Discard a draft survey with its links (a draft has no answers)."""
    survey = _lock(survey)
    guards.require_office_admin(actor, survey.office_id)
    if survey.status != Status.DRAFT:
        raise DomainError(_("Only a draft survey is deleted."))
    audit.record_delete(actor, survey)
    SurveySchool.objects.unscoped().filter(survey=survey).delete()
    survey.delete()


def open_survey(actor, survey, *, expected_version=None) -> Survey:
    """Draft → open (`workflow.open_problems`); the links answer from the opening day on."""
    return engine.transition(
        SURVEY_WORKFLOW, survey, SurveyAction.OPEN, actor, expected_version=expected_version
    )


def close_survey(actor, survey, *, expected_version=None, note="") -> Survey:
    """Open → closed: no more answers; the results are final."""
    return engine.transition(
        SURVEY_WORKFLOW,
        survey,
        SurveyAction.CLOSE,
        actor,
        expected_version=expected_version,
        note=note,
    )


def close_due_surveys(today=None) -> list[Survey]:
    """Close, as the platform, every open survey whose closing day is before `today` (the
    daily job; idempotent: a closed survey is not open any more)."""
    today = today or timezone.localdate()
    closed = []
    due = Survey.objects.unscoped().filter(status=Status.OPEN, closes_on__lt=today).order_by("pk")
    for pk in list(due.values_list("pk", flat=True)):
        closed.append(close_survey(SYSTEM, pk, note=_("Closed after its closing day.")))
    return closed


# ---- answers ----------------------------------------------------------------------------------


def clean_answers(questions: list[Question], values: dict) -> list[tuple[Question, list[str], str]]:
    """The answers of one response, checked: `values` maps a question's pk to a text (a
    single choice, a scale "1"–"5", a free text) or a list of texts (a multiple choice).
    Returns [(question, chosen values, free text)] for the answered questions; DomainError
    (field "q<pk>") for a missing required answer or a value the question does not offer."""
    cleaned = []
    for question in questions:
        raw = values.get(question.pk)
        field = f"q{question.pk}"
        if question.type == QuestionType.TEXT:
            text = str(raw or "").replace("\x00", "").strip()
            if len(text) > TEXT_ANSWER_MAX:
                raise DomainError(
                    _("At most %(count)s characters.") % {"count": TEXT_ANSWER_MAX}, field=field
                )
            if text:
                cleaned.append((question, [], text))
            elif question.required:
                raise DomainError(_("Please answer this question."), field=field)
            continue
        if question.type == QuestionType.MULTIPLE:
            chosen = (
                [str(v) for v in (raw or [])]
                if isinstance(raw, (list, tuple))
                else ([str(raw)] if raw not in (None, "") else [])
            )
        else:
            chosen = [str(raw)] if raw not in (None, "") else []
        allowed = question.choices_for_answers()
        if any(value not in allowed for value in chosen) or len(set(chosen)) != len(chosen):
            raise DomainError(_("Choose among the answers offered."), field=field)
        if not chosen:
            if question.required:
                raise DomainError(_("Please answer this question."), field=field)
            continue
        cleaned.append((question, sorted(chosen, key=allowed.index), ""))
    return cleaned


@transaction.atomic
def submit_response(
    link: SurveySchool, values: dict, *, client_hash="", questions=None
) -> Response:
    """One anonymous response through a school's link (see the module docstring). Refused
    (DomainError) when the survey takes no answers today or an answer is wrong."""
    survey = (
        Survey.objects.unscoped()
        .only("status", "opens_on", "closes_on", "questionnaire_id")
        .get(pk=link.survey_id)
    )
    now = timezone.now()
    today = timezone.localdate(now)
    if not survey.accepts_answers(today):
        raise DomainError(_("This survey takes no answers now."))
    if questions is None:
        questions = list(
            Question.objects.filter(questionnaire_id=survey.questionnaire_id).order_by("position")
        )
    cleaned = clean_answers(questions, values)
    response = Response.objects.unscoped().create(
        office_id=link.office_id,
        survey_id=survey.pk,
        school_id=link.school_id,
        link_id=link.pk,
        submitted_at=now,
        day=today,
        client_hash=client_hash[:64],
    )
    rows = []
    for question, chosen, text in cleaned:
        common = {
            "office_id": link.office_id,
            "response_id": response.pk,
            "survey_id": survey.pk,
            "school_id": link.school_id,
            "question_id": question.pk,
        }
        if text:
            rows.append(Answer(**common, text=text))
        for choice in chosen:
            rows.append(Answer(**common, choice=choice, satisfied=question.satisfaction(choice)))
    Answer.objects.unscoped().bulk_create(rows)
    return response
