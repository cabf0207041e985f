"""Read queries of surveys and questionnaires, always from a scope, and the one query other
apps call: the open surveys of a school for its public page."""

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from dudao.core import revisions

from .models import Questionnaire, Survey, SurveySchool

QStatus = Questionnaire.Status


def newest_revisions(queryset: QuerySet, *, status: str | None = None) -> QuerySet:
    """The newest revision of each line (a built-in's key, or an office's key) in `queryset`;
    with `status`, the newest of that status (dudao.core.revisions)."""
    return revisions.newest_revisions(queryset, status=status)


def usable(queryset: QuerySet) -> QuerySet:
    """What a new survey may run: the newest published revision of each line in `queryset` (a
    scope: the built-ins and the office's own), the office's own first, by title."""
    return newest_revisions(queryset, status=QStatus.PUBLISHED).order_by("-office_id", "title")


def revisions_of(queryset: QuerySet, questionnaire: Questionnaire) -> QuerySet:
    """Every revision of `questionnaire`'s line visible in `queryset`, newest first."""
    return revisions.revisions_of(queryset, questionnaire)


def open_surveys_for_school(school) -> list[tuple[str, str]]:
    """The surveys a school's public page links to: [(title, url)] of the surveys that take
    answers today at `school` (open, today between their dates), by closing day. The URL is
    the school's own answer page (`/p/surveys/<token>/`), relative to the site. One query.

    For `dudao.signboards.views.public_school_page` (no login): the public may see which
    surveys run at a school, so the query is unscoped on purpose."""
    today = timezone.localdate()
    links = (
        SurveySchool.objects.unscoped()
        .filter(
            school=school,
            survey__status=Survey.Status.OPEN,
            survey__opens_on__lte=today,
            survey__closes_on__gte=today,
        )
        .order_by("survey__closes_on", "survey__pk")
        .values_list("survey__title", "token")
    )
    return [(title, reverse("surveys_public:answer", args=[token])) for title, token in links]
