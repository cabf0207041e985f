"""The public answer pages of a survey (`/p/surveys/<token>/`, no login): what a parent opens
from a school's QR code. Light pages for a phone (one small stylesheet, no script). What keeps
them honest is `dudao.surveys.answering` (one answer per device where possible, a daily cap
per network, rate limits, a honeypot); the write is `services.submit_response`."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from dudao.audit import services as audit
from dudao.audit.middleware import client_ip
from dudao.core import ratelimit
from dudao.core.errors import DomainError
from dudao.core.forms import apply_domain_error

from . import answering, services
from .models import Question, Response, Survey, SurveySchool


def _private(response, status=None):
    """Public pages are never stored by a shared cache nor indexed."""
    if status is not None:
        response.status_code = status
    patch_cache_control(response, no_store=True)
    response["X-Robots-Tag"] = "noindex"
    return response


def _state(request, link, kind, status=200, **extra):
    """One of the pages that take no answer: "closed", "not_yet", "answered", "done",
    "too_many" (the rate limit), "cap" (the daily cap)."""
    response = render(
        request,
        "surveys/public_state.html",
        {"link": link, "survey": link.survey if link else None, "kind": kind, **extra},
    )
    if kind in ("too_many", "cap") and extra.get("seconds"):
        response["Retry-After"] = str(extra["seconds"])
    return _private(response, status)


def _link(token) -> SurveySchool:
    # Public (no login): a link of a survey that is no longer a draft, by its random token.
    link = (
        SurveySchool.objects.unscoped()
        .filter(token=token)
        .exclude(survey__status=Survey.Status.DRAFT)
        .select_related("survey__office", "survey__questionnaire", "school")
        .first()
    )
    if link is None:
        raise Http404(_("No such survey."))
    return link


def answer(request, token):
    """The questionnaire of one survey at one school, and its submission."""
    address = client_ip(request) or "unknown"
    wait = ratelimit.count("survey-page", address, settings.PUBLIC_PAGE_REQUEST_RATE)
    if request.method == "POST" and not wait:
        wait = ratelimit.count("survey-post", address, answering.post_rate())
    if wait:
        return _state(request, None, "too_many", status=429, seconds=wait)
    link = _link(token)
    survey = link.survey
    today = timezone.localdate()
    if not survey.accepts_answers(today):
        kind = (
            "not_yet"
            if survey.status == Survey.Status.OPEN and today < survey.opens_on
            else "closed"
        )
        return _state(request, link, kind)
    if answering.has_answered(request, link):
        return _state(request, link, "answered")
    questions = list(
        Question.objects.filter(questionnaire_id=survey.questionnaire_id)
        .select_related("section")
        .order_by("position")
    )
    stamp = answering.new_stamp(link)
    form = answering.AnswerForm(request.POST or None, questions=questions)
    age = answering.stamp_age(request.POST.get("stamp"), link) if request.method == "POST" else None
    if age is not None:
        stamp = request.POST.get("stamp")  # the time counts from the form's first showing
    if request.method == "POST" and form.is_valid():
        if age is None:
            form.add_error(None, _("The form had expired: check your answers and send it again."))
        elif form.cleaned_data.get(answering.HONEYPOT) or age < answering.min_seconds():
            # A robot: answered as if accepted, stored nowhere (answering's docstring).
            return redirect("surveys_public:done", token=link.token)
        else:
            digest = answering.client_hash(client_ip(request), survey.pk, today)
            if (
                digest
                and Response.objects.unscoped()
                .filter(survey=survey, day=today, client_hash=digest)
                .count()
                >= answering.daily_cap()
            ):
                return _state(request, link, "cap", status=429)
            try:
                with audit.without_origin():  # an anonymous answer keeps no address
                    services.submit_response(
                        link, form.answers(), client_hash=digest, questions=questions
                    )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                response = redirect("surveys_public:done", token=link.token)
                answering.remember_answer(response, request, link)
                return response
    sections = []
    for question, field in form.rows():
        if not sections or sections[-1]["section"].pk != question.section_id:
            sections.append({"section": question.section, "rows": []})
        sections[-1]["rows"].append((question, field))
    return _private(
        render(
            request,
            "surveys/public_answer.html",
            {
                "link": link,
                "survey": survey,
                "school": link.school,
                "questionnaire": survey.questionnaire,
                "form": form,
                "sections": sections,
                "stamp": stamp,
            },
        )
    )


def done(request, token):
    """The thanks after an answer."""
    address = client_ip(request) or "unknown"
    wait = ratelimit.count("survey-page", address, settings.PUBLIC_PAGE_REQUEST_RATE)
    if wait:
        return _state(request, None, "too_many", status=429, seconds=wait)
    return _state(request, _link(token), "done")
