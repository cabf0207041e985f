"""Downloads: each view checks the role, then asks the exporter for the report built for
`request.user`. The report fetches what it is about through the user's scope (out of scope
answers 404) and every list in it through the same scope (`builders`). A PDF without a
Chinese font answers 503 naming the missing system package. The monthly reports' own words
(highlights, suggestions) are edited on their own page (`inspector_text`, `office_text`).
A ledger of more than settings.EXPORT_INLINE_ROWS rows is built in the background: the
download queues an `ExportJob` and sends the user to its page (`export_job`), which offers
the file when it is ready; only the user who asked sees the job (404 for anyone else)."""

import datetime
import io

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dudao.accounts import scoping
from dudao.accounts.models import Role
from dudao.core.dates import last_complete_month
from dudao.core.db_routers import reads_from_replica
from dudao.core.errors import DomainError, NotPermitted
from dudao.core.files import file_response
from dudao.core.forms import apply_domain_error
from dudao.core.lookups import LookupField
from dudao.core.paging import is_htmx
from dudao.core.permissions import office_admin_required, role_required
from dudao.core.system import MissingSystemPackage
from dudao.rectification.ledger import filtered_findings

from . import exporter, feedback, services
from .exporter import DOCX, PDF
from .models import ReportKind

LEDGER_ROLES = services.LEDGER_ROLES
INSPECTOR_REPORT_ROLES = LEDGER_ROLES
OFFICE_REPORT_ROLES = (Role.OFFICE_ADMIN, Role.VIEWER)


def _download(request, name, fmt, *args):
    """Report `name` built for the signed-in user (with `args`) and rendered to `fmt`."""
    if fmt not in exporter.REGISTRY[name].formats:
        raise Http404
    try:
        result = exporter.export(name, fmt, request.user, *args)
    except MissingSystemPackage as exc:
        return render(request, "reports/unavailable.html", {"message": str(exc)}, status=503)
    response = FileResponse(io.BytesIO(result.content), content_type=result.content_type)
    response["Content-Disposition"] = exporter.content_disposition(result.filename)
    return response


def _month(year, month):
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        raise Http404
    return year, month


@role_required(*LEDGER_ROLES)
def ledger_xlsx(request):
    """The filtered ledger at once up to settings.EXPORT_INLINE_ROWS rows (counted first, on
    the ids only); a larger one is queued (or the same pending job found again) and the user
    is sent to its page (303)."""
    # Inside the role check: it reads the primary (docs/scaling.md).
    with reads_from_replica():
        _form, findings = filtered_findings(request.user, request.GET)
        rows = findings.count()
        if rows <= settings.EXPORT_INLINE_ROWS:
            return _download(request, "ledger", exporter.XLSX, request.GET)
    try:
        job = services.request_export(request.user, "ledger", exporter.XLSX, request.GET, rows=rows)
    except NotPermitted as refused:  # the superuser: no background work on its behalf
        raise PermissionDenied(refused.message) from refused
    except DomainError as error:
        messages.error(request, str(error))
        return redirect(f"{reverse('rectification:ledger')}?{request.GET.urlencode()}")
    response = HttpResponseRedirect(reverse("reports:export_job", args=[job.pk]))
    response.status_code = 303  # See Other: the job's page, whatever the method was
    return response


def export_job(request, pk):
    """A background export's page: its status, refreshed every 2 s (htmx, else a meta
    refresh) until it is done, then the download. Its requester's only (404)."""
    job = scoping.get_export_job_for(request.user, pk)
    context = {"job": job, "again": _export_again_url(job)}
    template = "reports/_export_job.html" if is_htmx(request) else "reports/export_job.html"
    return render(request, template, context)


def export_job_file(request, pk):
    job = scoping.get_export_job_for(request.user, pk)
    if job.status != job.Status.DONE or not job.file:
        raise Http404
    return file_response(job.file, exporter.CONTENT_TYPES[job.format], job.filename)


def _export_again_url(job):
    """Where the same export is asked for again (a failed or expired job)."""
    if job.report != "ledger":
        return ""
    query = urlencode(job.params)
    return reverse("reports:ledger_xlsx") + (f"?{query}" if query else "")


def _notice(request, pk, fmt):
    return _download(request, "notice", fmt, pk)


def notice_docx(request, pk):
    return _notice(request, pk, DOCX)


def notice_pdf(request, pk):
    return _notice(request, pk, PDF)


@role_required(*INSPECTOR_REPORT_ROLES)
@reads_from_replica()
def inspector_monthly(request, inspector_id, year, month, fmt):
    year, month = _month(year, month)
    return _download(request, "inspector_monthly", fmt, inspector_id, year, month)


def _office_id(request):
    """The office whose summary is asked for: the admin's own; for a viewer or the superuser
    `?office=` (checked against the scope by the report), else the first of its offices."""
    user = request.user
    if user.role == Role.OFFICE_ADMIN and not user.is_superuser:
        if not user.office_id:
            raise PermissionDenied
        return user.office_id
    chosen = request.GET.get("office")
    if chosen:
        return chosen
    office_id = scoping.offices_for(user).order_by("name").values_list("pk", flat=True).first()
    if office_id is None:
        raise Http404
    return office_id


@role_required(*OFFICE_REPORT_ROLES)
@reads_from_replica()
def office_monthly(request, year, month, fmt):
    year, month = _month(year, month)
    return _download(request, "office_monthly", fmt, _office_id(request), year, month)


INSPECTORS_LISTED = 200  # a wider scope chooses its inspector by the search field


class InspectorChoiceForm(forms.Form):
    """Whose monthly reports the index offers, when the reader's inspectors are too many to
    list (`dudao.core.lookups`: the reader's own inspectors only)."""

    inspector = LookupField("inspector", label=gettext_lazy("Inspector"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspector"].set_scope(user)


class TemplateUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Word template (.docx)"))


def _picked_month(request):
    """The month of the picker (?month=YYYY-MM), else the last complete month."""
    raw = request.GET.get("month", "")
    try:
        year, month = (int(part) for part in raw.split("-"))
        datetime.date(year, month, 1)
    except ValueError:
        return last_complete_month()
    return year, month


def index(request):
    user = request.user
    year, month = _picked_month(request)
    context = {"year": year, "month": month, "month_value": f"{year:04d}-{month:02d}"}
    if user.is_superuser or user.role in LEDGER_ROLES:
        context["ledger"] = True
        inspectors = list(
            scoping.inspectors_for(user)
            .select_related("office")
            .order_by("office__name", "name")[: INSPECTORS_LISTED + 1]
        )
        if len(inspectors) > INSPECTORS_LISTED:
            # A city or a province has thousands: one is chosen by the search field.
            form = InspectorChoiceForm(request.GET or None, user=user)
            chosen = form.cleaned_data["inspector"] if form.is_bound and form.is_valid() else None
            inspectors = [chosen] if chosen else []
            context["inspector_form"] = form
            context["chosen_inspector"] = chosen
        context["inspectors"] = inspectors
    # Who edits a monthly report's own words (services.check_report_text_author): the office
    # admin every report of the office, an inspector or zone leader their own.
    if user.role == Role.OFFICE_ADMIN and user.office_id and not user.is_superuser:
        context["edit_inspector_texts"] = "all"
        context["edit_office_text"] = True
    elif user.role in (Role.INSPECTOR, Role.ZONE_LEADER) and user.inspector_id:
        context["edit_inspector_texts"] = user.inspector_id
    if user.is_superuser or user.role == Role.VIEWER:
        context["offices"] = scoping.offices_for(user).order_by("name")
    elif user.role == Role.OFFICE_ADMIN and user.office_id:
        context["offices"] = [user.office]
        custom = {t.kind: t for t in services.templates_for(user).select_related("uploaded_by")}
        context["templates"] = [
            {"kind": kind, "label": label, "custom": custom.get(kind)}
            for kind, label in ReportKind.choices
        ]
        context["upload_form"] = TemplateUploadForm()
    context["notices"] = (
        scoping.notices_for(user).select_related("school").order_by("-issued_at", "-pk")[:20]
    )
    return render(request, "reports/index.html", context)


def _kind(kind):
    if kind not in ReportKind.values:
        raise Http404
    return kind


@office_admin_required
@require_POST
def template_upload(request, kind):
    kind = _kind(kind)
    form = TemplateUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a .docx file to upload."))
        return redirect("reports:index")
    try:
        services.upload_template(request.user, kind, form.cleaned_data["file"])
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("The template of %(report)s was replaced.") % {"report": ReportKind(kind).label},
        )
    return redirect("reports:index")


@office_admin_required
def template_default(request, kind):
    kind = _kind(kind)
    with translation.override(exporter.DOCUMENT_LANGUAGE):
        name = _("%(report)s template") % {"report": ReportKind(kind).label}
    return FileResponse(
        exporter.default_template_path(kind).open("rb"),
        as_attachment=True,
        filename=exporter.safe_filename(name, DOCX),
        content_type=exporter.CONTENT_TYPES[DOCX],
    )


@office_admin_required
@require_POST
def template_reset(request, kind):
    kind = _kind(kind)
    try:
        reset = services.reset_template(request.user, kind)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        if reset:
            messages.success(
                request,
                _("The template of %(report)s is the default again.")
                % {"report": ReportKind(kind).label},
            )
    return redirect("reports:index")


# --- the visit's written feedback (书面反馈意见书), dudao/reports/feedback.py --------------


def visit_feedback_docx(request, pk):
    """Whoever may read the submitted visit (the school included: the letter is addressed to
    it); the report fetches the visit through the reader's scope (404 otherwise)."""
    return _download(request, feedback.KIND, DOCX, pk)


def visit_feedback_pdf(request, pk):
    return _download(request, feedback.KIND, PDF, pk)


# --- the monthly reports' own words: highlights and suggestions (docs/rules.md §14) ------


class ReportTextForm(forms.Form):
    """二、工作亮点 and 四、督导建议 of a monthly report, one paragraph a line. Emptied, a
    text goes back to the draft drawn from the records."""

    highlights = forms.CharField(
        label=gettext_lazy("Highlights"),
        required=False,
        max_length=services.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("One paragraph a line. Leave empty to use the draft."),
    )
    suggestions = forms.CharField(
        label=gettext_lazy("Supervision suggestions"),
        required=False,
        max_length=services.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("One paragraph a line. Leave empty to use the draft."),
    )
    # The version of the saved text the writer saw (0: none yet): a save over someone
    # else's newer text is refused (StaleObject). Required, so an empty POST changes nothing.
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


def _report_text(request, *, name, subject, office_id, inspector, year, month, action):
    """The editing page (or its htmx partial) of one report's own words: GET shows the saved
    text, else the draft the report would print; POST saves through the service."""
    try:
        services.check_report_text_author(request.user, office_id, inspector)
    except NotPermitted as exc:
        raise PermissionDenied from exc
    report = exporter.build(name, request.user, subject, year, month)
    text, drafts = report.figures["text"], report.figures["drafts"]
    form = ReportTextForm(
        request.POST or None,
        initial={
            "highlights": text["highlights"] or drafts["highlights"],
            "suggestions": text["suggestions"] or drafts["suggestions"],
            "version": text["version"] or 0,
        },
    )
    saved = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            row = services.save_report_text(
                request.user,
                office=office_id,
                inspector=inspector,
                year=year,
                month=month,
                highlights=data["highlights"],
                suggestions=data["suggestions"],
                expected_version=data["version"] or 0,
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            if not is_htmx(request):
                messages.success(request, _("The report's text was saved."))
                return redirect(f"{reverse('reports:index')}?month={year:04d}-{month:02d}")
            saved = True
            form = ReportTextForm(
                initial={
                    "highlights": data["highlights"] or drafts["highlights"],
                    "suggestions": data["suggestions"] or drafts["suggestions"],
                    "version": row.version,
                }
            )
    context = {
        "form": form,
        "title": report.title,
        "subtitle": report.subtitle,
        "action": action,
        "saved": saved,
        "edited": bool(text["version"]) or saved,
        "month_value": f"{year:04d}-{month:02d}",
        "target": f"report-text-{inspector.pk if inspector else 'office'}",
    }
    template = "reports/_report_text.html" if is_htmx(request) else "reports/report_text.html"
    return render(request, template, context)


@role_required(Role.OFFICE_ADMIN, Role.INSPECTOR, Role.ZONE_LEADER)
def inspector_text(request, inspector_id, year, month):
    """The inspector (themself) or the office admin edits the inspector's monthly report's
    highlights and suggestions; the inspector is fetched through the reader's scope (404)."""
    year, month = _month(year, month)
    inspector = scoping.get_inspector_for(request.user, inspector_id)
    return _report_text(
        request,
        name="inspector_monthly",
        subject=inspector,
        office_id=inspector.office_id,
        inspector=inspector,
        year=year,
        month=month,
        action=reverse("reports:inspector_text", args=[inspector.pk, year, month]),
    )


@office_admin_required
def office_text(request, year, month):
    """The office admin edits the office's monthly summary's highlights and suggestions."""
    year, month = _month(year, month)
    office = scoping.get_or_404(scoping.offices_for(request.user), pk=request.user.office_id)
    return _report_text(
        request,
        name="office_monthly",
        subject=office,
        office_id=office.pk,
        inspector=None,
        year=year,
        month=month,
        action=reverse("reports:office_text", args=[year, month]),
    )
