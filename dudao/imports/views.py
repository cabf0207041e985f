"""Excel import and export screens (office admins only). The work is in services.py."""

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dudao.accounts import scoping
from dudao.core.permissions import office_admin_required
from dudao.core.spreadsheets import XLSX_CONTENT_TYPE
from dudao.inspectors.queries import filtered_inspectors
from dudao.schools.queries import filtered_schools

from . import services
from .importers import IMPORTERS
from .models import ImportJob


def _kind(kind: str, listed=True) -> str:
    if kind not in (services.listed_kinds() if listed else services.KINDS):
        raise Http404
    return kind


def _job(request, pk) -> ImportJob:
    """A job of the user's own office; any other is "not found"."""
    return scoping.get_or_404(
        ImportJob.objects.visible_to(request.user)
        .filter(office_id=request.user.office_id)
        .select_related("created_by"),
        pk=pk,
    )


def _xlsx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@office_admin_required
def import_list(request):
    jobs = (
        ImportJob.objects.visible_to(request.user)
        .filter(office_id=request.user.office_id)
        .select_related("created_by")[:20]
    )
    cards = [{"kind": kind, "label": IMPORTERS[kind].label} for kind in services.listed_kinds()]
    context = {"jobs": jobs, "cards": cards, "max_mb": settings.IMPORT_MAX_BYTES // (1024 * 1024)}
    return render(request, "imports/list.html", context)


@office_admin_required
def template(request, kind):
    data = services.template_bytes(_kind(kind, listed=False), request.user.office)
    return _xlsx(data, services.filename(kind, "导入模板"))


@office_admin_required
@require_POST
def upload(request, kind):
    kind = _kind(kind)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose an Excel file to upload."))
        return redirect("imports:list")
    job = services.create_job(request.user, request.user.office, kind, upload)
    return redirect(job)


@office_admin_required
def job_detail(request, pk):
    job = services.live_progress(_job(request, pk))
    return render(request, "imports/job.html", {"job": job})


@office_admin_required
def job_progress(request, pk):
    job = services.live_progress(_job(request, pk))
    response = render(request, "imports/_progress.html", {"job": job})
    if not job.is_running:
        # htmx: the job has finished; reload the page to show the result.
        response["HX-Refresh"] = "true"
    return response


@office_admin_required
@require_POST
def confirm(request, pk):
    job = _job(request, pk)
    if not services.confirm_job(request.user, job):
        messages.info(request, _("This import was already confirmed; nothing more was done."))
    return redirect(job)


@office_admin_required
def export(request, kind):
    kind = _kind(kind)
    user = request.user
    if kind == "schools":
        _form, qs = filtered_schools(user, request.GET)
    elif kind == "inspectors":
        qs = filtered_inspectors(user, request.GET)
    else:  # the whole history, current and ended
        qs = scoping.assignments_for(user)
    data = services.export_bytes(kind, user.office, qs)
    return _xlsx(data, services.filename(kind, timezone.localdate().strftime("%Y%m%d")))
