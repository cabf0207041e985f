"""Signboard PDFs (one school, a zone, the county) and the public page the boards' QR codes open.

Views stay thin: fetch-and-authorise through the scoping helpers (out of scope answers 404),
then hand the schools to `boards`. The superuser has no office, so it gets no boards: 404 for a
school or zone, 403 for the county.
"""

import io

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from dudao.accounts import scoping
from dudao.accounts.models import Role
from dudao.audit.middleware import client_ip
from dudao.core import ratelimit
from dudao.core.paging import is_htmx
from dudao.core.permissions import office_admin_required
from dudao.core.system import MissingSystemPackage
from dudao.schools.models import School
from dudao.surveys.queries import open_surveys_for_school

from . import boards, services
from .models import SignboardBatch

ZONE_BATCH_ROLES = (Role.OFFICE_ADMIN, Role.ZONE_LEADER)


def _pdf_response(request, schools, name: str, *, batch=False, zone=None):
    """Render the boards of `schools` to a PDF download, or a 503 page naming the missing
    system package when no Chinese font is installed. A batch larger than
    SIGNBOARD_INLINE_LIMIT is rendered by a background task instead: the user waits on a
    page that offers the file when it is ready."""
    try:
        boards.ensure_cjk_font()
    except MissingSystemPackage as exc:
        return render(request, "signboards/unavailable.html", {"message": str(exc)}, status=503)
    if batch and schools.count() > settings.SIGNBOARD_INLINE_LIMIT:
        job = services.request_batch(request.user, zone=zone, title=name)
        return redirect("signboards:batch", job.pk)
    pdf = boards.render_pdf(boards.build_boards(schools), title=name)
    return FileResponse(
        io.BytesIO(pdf),
        as_attachment=True,
        filename=boards.pdf_filename(name),
        content_type="application/pdf",
    )


def _no_superuser(user):
    if user.is_superuser:
        raise Http404


def school_signboard(request, pk):
    _no_superuser(request.user)
    school = scoping.get_school_for(request.user, pk)
    schools = boards.with_current_assignments(
        School.objects.visible_to(request.user).filter(pk=school.pk)
    )
    return _pdf_response(request, schools, school.name)


def zone_signboards(request, pk):
    user = request.user
    _no_superuser(user)
    if user.role not in ZONE_BATCH_ROLES:
        raise PermissionDenied
    zone = scoping.get_zone_for(user, pk)
    schools = boards.batch_schools(scoping.schools_for(user).filter(zone=zone))
    return _pdf_response(request, schools, zone.name, batch=True, zone=zone)


@office_admin_required
def county_signboards(request):
    office = request.user.office
    return _pdf_response(
        request, boards.batch_schools(scoping.schools_for(request.user)), office.name, batch=True
    )


def _get_batch_for(user, pk) -> SignboardBatch:
    """Office admins see their office's batches; a zone leader the batches they asked for."""
    if user.role not in (Role.OFFICE_ADMIN, Role.ZONE_LEADER):
        raise PermissionDenied
    return scoping.get_or_404(SignboardBatch.objects.visible_to(user), pk=pk)


def signboard_batch(request, pk):
    batch = _get_batch_for(request.user, pk)
    template = "signboards/_batch.html" if is_htmx(request) else "signboards/batch.html"
    return render(request, template, {"batch": batch})


def signboard_batch_file(request, pk):
    batch = _get_batch_for(request.user, pk)
    if batch.status != SignboardBatch.Status.DONE or not batch.file:
        raise Http404
    return FileResponse(
        batch.file.open("rb"),
        as_attachment=True,
        filename=boards.pdf_filename(batch.title),
        content_type="application/pdf",
    )


def public_school_page(request, code):
    """What a parent sees after scanning the board: the school, its responsible inspector and
    the office's contact. Nothing else about the school is shown. Rate limited per client
    address (PUBLIC_PAGE_RATE different codes, PUBLIC_PAGE_REQUEST_RATE requests a minute):
    the codes are sequential, so the page must not be a directory of every school."""
    wait = _public_page_wait(request, code)
    if wait:
        response = render(request, "signboards/too_many.html", {"seconds": wait}, status=429)
        response["Retry-After"] = str(wait)
        patch_cache_control(response, no_store=True)
        response["X-Robots-Tag"] = "noindex"
        return response
    school = boards.with_current_assignments(
        # Public (no login): any active school by the code printed on its board.
        School.objects.unscoped().filter(code=code, is_active=True).select_related("township")
    ).first()
    if school is None:
        raise Http404(_("No such school."))
    assignment = boards.current_assignment(school)
    inspector = assignment.inspector if assignment else None
    photo = (
        boards.photo_data_uri(inspector, size=boards.WEB_PHOTO_SIZE, quality=80)
        if inspector
        else None
    )
    response = render(
        request,
        "signboards/public_school.html",
        {
            "school": school,
            "office": school.office,
            "inspector": inspector,
            # The mobile only with the inspector's consent, else the office's number.
            "phone": inspector.public_phone(school.office) if inspector else "",
            "photo": photo,
            # The satisfaction surveys taking answers at the school today.
            "surveys": open_surveys_for_school(school),
        },
    )
    patch_cache_control(response, public=True, max_age=300)
    response["X-Robots-Tag"] = "noindex"
    return response


def _public_page_wait(request, code: str) -> int:
    address = client_ip(request) or "unknown"
    return ratelimit.count(
        "public-page", address, settings.PUBLIC_PAGE_REQUEST_RATE
    ) or ratelimit.count_distinct("public-page-codes", address, code, settings.PUBLIC_PAGE_RATE)
