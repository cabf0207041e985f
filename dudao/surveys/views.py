"""Survey screens (满意度调查): the list, the form (new survey, a draft's edit), a survey's page
with its schools' links and QR sheets, open/close/delete, and the results with their XLSX.

Who: the office admin writes its own office's surveys; viewers (and the superuser) read every
survey of their offices; inspectors and zone leaders read the surveys at their schools and a
school user its own, once a survey is no longer a draft (their links and QR sheets while it
is open, its results once it is closed). Every object comes through the scope helpers
(`scoping.get_*_for`: another county's survey is not found); every write is a `services`
call."""

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dudao.accounts import scoping
from dudao.accounts.models import Role
from dudao.core import revisions
from dudao.core import workflow as engine
from dudao.core.errors import DomainError
from dudao.core.forms import apply_domain_error
from dudao.core.paging import is_htmx, paginate
from dudao.core.permissions import office_admin_required, role_required
from dudao.core.system import MissingSystemPackage
from dudao.reports import exporter

from . import qr, queries, results, services
from .forms import SurveyFilterForm, SurveyForm
from .models import Response, Survey, SurveySchool
from .workflow import SURVEY_WORKFLOW, SurveyAction, open_problems

READ_ROLES = (Role.OFFICE_ADMIN, Role.ZONE_LEADER, Role.INSPECTOR, Role.VIEWER, Role.SCHOOL)
Status = Survey.Status


def _is_admin_of(user, survey) -> bool:
    return (
        user.role == Role.OFFICE_ADMIN
        and bool(user.office_id)
        and survey.office_id == user.office_id
    )


def _back(survey):
    return redirect("surveys:detail", pk=survey.pk)


def _questionnaires(user):
    return queries.usable(scoping.questionnaires_for(user))


# ---- list and detail -----------------------------------------------------------------------------


@role_required(*READ_ROLES)
def survey_list(request):
    form = SurveyFilterForm(request.GET or None)
    qs = scoping.surveys_for(request.user).select_related("office", "questionnaire")
    if form.is_valid() and form.cleaned_data["status"]:
        qs = qs.filter(status=form.cleaned_data["status"])
    whole = results.reads_whole_office(request.user)
    page, query = paginate(request, qs.order_by("-opens_on", "-pk"))
    if whole:
        # The office's own count: every school's responses (others read their schools').
        # Counted for this page's surveys only: a province's responses are millions.
        counts = dict(
            scoping.surveys_for(request.user)
            .filter(pk__in=[survey.pk for survey in page])
            .annotate(n=Count("responses"))
            .values_list("pk", "n")
        )
        for survey in page:
            survey.response_count = counts.get(survey.pk, 0)
    context = {
        "page": page,
        "query": query,
        "form": form,
        "whole_office": whole,
        "is_admin": request.user.role == Role.OFFICE_ADMIN and bool(request.user.office_id),
    }
    template = "surveys/_table.html" if is_htmx(request) else "surveys/list.html"
    return render(request, template, context)


def _link_rows(user, survey):
    """The survey's links the user sees, with their schools and answer counts (two queries)."""
    links = list(
        scoping.survey_links_for(user)
        .filter(survey=survey)
        .select_related("school__zone")
        .order_by("position", "pk")
    )
    counts = dict(
        Response.objects.visible_to(user)
        .filter(survey=survey)
        .values("school_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("school_id", "n")
    )
    return [
        {"link": link, "url": qr.public_url(link), "responses": counts.get(link.school_id, 0)}
        for link in links
    ]


@role_required(*READ_ROLES)
def survey_detail(request, pk):
    survey = scoping.get_survey_for(request.user, pk)
    actions = engine.allowed_actions(SURVEY_WORKFLOW, survey, request.user)
    is_admin = _is_admin_of(request.user, survey)
    rows = _link_rows(request.user, survey)
    return render(
        request,
        "surveys/detail.html",
        {
            "survey": survey,
            "rows": rows,
            "total": sum(r["responses"] for r in rows),
            "today": timezone.localdate(),
            "accepting": survey.accepts_answers(timezone.localdate()),
            "events": [
                (event, SURVEY_WORKFLOW.action_label(event.action))
                for event in survey.events.order_by("at", "pk")
            ],
            "can_open": SurveyAction.OPEN in actions,
            "can_close": SurveyAction.CLOSE in actions,
            "problems": open_problems(survey) if is_admin and survey.status == Status.DRAFT else [],
            "is_admin": is_admin,
        },
    )


# ---- create, edit, open, close, delete -------------------------------------------------------


@office_admin_required
def survey_create(request):
    user = request.user
    form = SurveyForm(
        request.POST or None,
        questionnaires=_questionnaires(user),
        office_id=user.office_id,
        initial={"min_answers": 30, "pass_percent": 85},
    )
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.create_survey(
                user, **form.values(), request_key=form.cleaned_data["request_key"]
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(
                request, _("The survey is a draft: print its QR sheets, then open it.")
            )
            return _back(survey)
    return render(request, "surveys/form.html", {"form": form, "survey": None})


@office_admin_required
def survey_edit(request, pk):
    survey = scoping.get_survey_for(request.user, pk)
    if not _is_admin_of(request.user, survey):
        raise PermissionDenied
    if survey.status != Status.DRAFT:
        messages.error(request, _("Only a draft survey is edited."))
        return _back(survey)
    school_ids = list(
        SurveySchool.objects.unscoped().filter(survey=survey).values_list("school_id", flat=True)
    )
    usable = _questionnaires(request.user) | scoping.questionnaires_for(request.user).filter(
        pk=survey.questionnaire_id
    )
    form = SurveyForm(
        request.POST or None,
        questionnaires=usable,
        office_id=survey.office_id,
        initial=SurveyForm.initial_for(survey, school_ids),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_survey(
                request.user,
                survey,
                expected_version=form.cleaned_data["expected_version"],
                **form.values(),
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return _back(survey)
    return render(request, "surveys/form.html", {"form": form, "survey": survey})


def _transition(request, pk, service, done_message):
    survey = scoping.get_survey_for(request.user, pk)
    return revisions.run_transition(request, survey, service, done_message, _back(survey))


@office_admin_required
@require_POST
def survey_open(request, pk):
    return _transition(request, pk, services.open_survey, _("The survey is open."))


@office_admin_required
@require_POST
def survey_close(request, pk):
    return _transition(request, pk, services.close_survey, _("The survey is closed."))


@office_admin_required
@require_POST
def survey_delete(request, pk):
    survey = scoping.get_survey_for(request.user, pk)
    return revisions.confirm_delete(
        request, survey, services.delete_survey, back=_back(survey), done=redirect("surveys:list")
    )


# ---- links and QR sheets ---------------------------------------------------------------------


def _pdf(request, survey, links, name):
    try:
        content = qr.render_pdf(survey, links)
    except MissingSystemPackage as exc:
        return render(request, "surveys/unavailable.html", {"message": str(exc)}, status=503)
    return FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=qr.pdf_filename(name),
        content_type="application/pdf",
    )


@role_required(*READ_ROLES)
def link_qr(request, pk):
    """One school's QR sheet (the office's, its viewers', the school's own, its inspectors')."""
    link = scoping.get_survey_link_for(request.user, pk)
    return _pdf(request, link.survey, [link], f"{link.survey.title}-{link.school.name}")


@office_admin_required
def survey_qr(request, pk):
    """Every school's QR sheet, one page each (the office's)."""
    survey = scoping.get_survey_for(request.user, pk)
    links = list(
        scoping.survey_links_for(request.user)
        .filter(survey=survey)
        .select_related("school")
        .order_by("position", "pk")
    )
    if not links:
        raise Http404
    return _pdf(request, survey, links, survey.title)


@role_required(*READ_ROLES)
def survey_links_xlsx(request, pk):
    survey = scoping.get_survey_for(request.user, pk)
    return _download(exporter.export("survey_links", exporter.XLSX, request.user, survey.pk))


def _download(export):
    response = FileResponse(io.BytesIO(export.content), content_type=export.content_type)
    response["Content-Disposition"] = exporter.content_disposition(export.filename)
    return response


# ---- results ---------------------------------------------------------------------------------


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@role_required(*READ_ROLES)
def survey_results(request, pk):
    user = request.user
    survey = scoping.get_survey_for(user, pk)
    school_id = user.school_id if user.role == Role.SCHOOL else _int(request.GET.get("school"))
    zone_id = None if school_id else _int(request.GET.get("zone"))
    data = results.survey_results(user, survey, zone_id=zone_id, school_id=school_id)
    return render(
        request,
        "surveys/results.html",
        {
            "survey": survey,
            **data,
            "zone_id": zone_id,
            "school_id": school_id,
            "is_school": user.role == Role.SCHOOL,
        },
    )


@role_required(*READ_ROLES)
def survey_results_xlsx(request, pk):
    survey = scoping.get_survey_for(request.user, pk)
    return _download(exporter.export("survey_results", exporter.XLSX, request.user, survey.pk))
