"""The visibility rules of the surveys' models (docs/architecture.md §2), written as they will
stand in `dudao/accounts/scoping.py` (the lead moves them there; until then `SurveysConfig.ready`
imports this module so the rules are registered).

- questionnaires: the built-in ones for everyone signed in, an office's own for the people of
  that office (a viewer: the offices below it);
- surveys, their school links and their responses: the office's for its admin, the offices'
  below a viewer; an inspector's or zone leader's schools' and a school's own once the survey
  is no longer a draft (a draft is the office's alone);
- answers (what respondents wrote and chose): the office and the viewers above it at any
  time; an inspector's or zone leader's schools' and a school's own only once the survey is
  closed. The results pages add the minimum number of answers (`dudao.surveys.results`).
"""

from django.db.models import Q

from dudao.accounts.models import Role
from dudao.accounts.scoping import get_or_404, inspector_school_ids, offices_for
from dudao.core.scopes import scope_rule

from .models import Answer, Questionnaire, Response, Survey, SurveySchool

# --- surveys (满意度调查), issue 14 §3 -----------------------------------------------------


@scope_rule(Questionnaire)
def questionnaires_for(user):
    """Questionnaires: the built-in ones (no office) for everyone signed in, and an office's
    own for the people of that office (a viewer: the offices below it)."""
    qs = Questionnaire.objects.unscoped()
    if user.is_superuser:
        return qs
    builtin = Q(office__isnull=True)
    if user.role == Role.VIEWER:
        return qs.filter(builtin | Q(office__in=offices_for(user)))
    if user.office_id:
        return qs.filter(builtin | Q(office_id=user.office_id))
    return qs.filter(builtin)


def _survey_schools(user) -> Q | None:
    """Rows at the schools an inspector, a zone leader or a school user may see (None for
    the other roles)."""
    if user.role in (Role.INSPECTOR, Role.ZONE_LEADER) and user.inspector_id:
        return Q(school_id__in=inspector_school_ids(user))
    if user.role == Role.SCHOOL and user.school_id:
        return Q(school_id=user.school_id)
    return None


@scope_rule(SurveySchool)
def survey_links_for(user):
    """A survey's link at a school: the office's; a viewer's offices'; an inspector's or zone
    leader's schools' and a school's own, once the survey is no longer a draft."""
    qs = SurveySchool.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role == Role.OFFICE_ADMIN:
        return qs.filter(office_id=user.office_id)
    if user.role == Role.VIEWER:
        return qs.filter(office__in=offices_for(user))
    schools = _survey_schools(user)
    if schools is not None:
        return qs.filter(schools).exclude(survey__status=Survey.Status.DRAFT)
    return qs.none()


@scope_rule(Survey)
def surveys_for(user):
    """Surveys: the office's; a viewer's offices'; those with a link the user may see
    (`survey_links_for`: an inspector's schools, a school's own, not drafts)."""
    qs = Survey.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role == Role.OFFICE_ADMIN:
        return qs.filter(office_id=user.office_id)
    if user.role == Role.VIEWER:
        return qs.filter(office__in=offices_for(user))
    if _survey_schools(user) is None:
        return qs.none()
    return qs.filter(pk__in=survey_links_for(user).values("survey_id"))


@scope_rule(Response)
def survey_responses_for(user):
    """Responses (答卷, anonymous): the office's; a viewer's offices'; an inspector's or zone
    leader's schools' and a school's own, once the survey is no longer a draft (how many
    answered; what they answered is `survey_answers_for`)."""
    qs = Response.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role == Role.OFFICE_ADMIN:
        return qs.filter(office_id=user.office_id)
    if user.role == Role.VIEWER:
        return qs.filter(office__in=offices_for(user))
    schools = _survey_schools(user)
    if schools is not None:
        return qs.filter(schools).exclude(survey__status=Survey.Status.DRAFT)
    return qs.none()


@scope_rule(Answer)
def survey_answers_for(user):
    """What respondents answered: the office's and a viewer's offices' at any time; an
    inspector's or zone leader's schools' and a school's own once the survey is closed."""
    qs = Answer.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role == Role.OFFICE_ADMIN:
        return qs.filter(office_id=user.office_id)
    if user.role == Role.VIEWER:
        return qs.filter(office__in=offices_for(user))
    schools = _survey_schools(user)
    if schools is not None:
        return qs.filter(schools, survey__status=Survey.Status.CLOSED)
    return qs.none()


def get_questionnaire_for(user, pk) -> Questionnaire:
    return get_or_404(questionnaires_for(user).select_related("office", "based_on"), pk=pk)


def get_survey_for(user, pk) -> Survey:
    return get_or_404(surveys_for(user).select_related("office", "questionnaire", "zone"), pk=pk)


def get_survey_link_for(user, pk) -> SurveySchool:
    return get_or_404(survey_links_for(user).select_related("survey__office", "school"), pk=pk)
