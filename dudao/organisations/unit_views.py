"""The government units' registry pages (督政对象, mounted at /registry/units/): the list for
the office's people and the viewers above it; create, edit, deactivate, delete and the Excel
import for the office admin. The writes are `services.*_unit`."""

from urllib.parse import quote

from django.contrib import messages
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dudao.accounts import scoping
from dudao.accounts.models import Role
from dudao.core.errors import DomainError
from dudao.core.forms import apply_domain_error
from dudao.core.paging import is_htmx, paginate
from dudao.core.permissions import office_admin_required, role_required
from dudao.core.spreadsheets import XLSX_CONTENT_TYPE

from . import services
from .unit_forms import UnitFilterForm, UnitForm, UnitImportForm

LIST_ROLES = (Role.OFFICE_ADMIN, Role.ZONE_LEADER, Role.INSPECTOR, Role.VIEWER)


def filtered_units(user, params):
    """The user's units filtered by the list's query parameters (the page and the export)."""
    form = UnitFilterForm(params or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = scoping.government_units_for(user).select_related("parent", "region", "office")
    q = (data.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(contact__icontains=q))
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    active = data.get("active") or "yes"
    if active != "all":
        qs = qs.filter(is_active=(active == "yes"))
    return form, qs.order_by("office__region__code", "kind", "position", "name", "pk")


@role_required(*LIST_ROLES)
def unit_list(request):
    form, qs = filtered_units(request.user, request.GET)
    page, query = paginate(request, qs)
    context = {
        "form": form,
        "page": page,
        "query": query,
        "can_manage": request.user.role == Role.OFFICE_ADMIN and bool(request.user.office_id),
        "many_offices": request.user.role == Role.VIEWER or request.user.is_superuser,
    }
    template = (
        "organisations/units/_table.html" if is_htmx(request) else "organisations/units/list.html"
    )
    return render(request, template, context)


@office_admin_required
def unit_create(request):
    office = request.user.office
    form = UnitForm(request.POST or None, office=office)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "expected_version"}
        try:
            unit = services.create_unit(request.user, office, **data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Unit %(name)s created.") % {"name": unit.name})
            return redirect("units:list")
    return render(request, "organisations/units/form.html", {"form": form})


@office_admin_required
def unit_edit(request, pk):
    unit = scoping.get_government_unit_for(request.user, pk)
    # As stored: the form's validation writes the posted values onto `unit`.
    shown = {"name": unit.name, "is_active": unit.is_active, "version": services.unit_version(unit)}
    form = UnitForm(request.POST or None, instance=unit, office=unit.office)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("expected_version", None)
        try:
            unit = services.update_unit(request.user, unit, expected_version=version, **data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Unit saved."))
            return redirect("units:list")
    context = {"form": form, "unit": unit, "shown": shown}
    return render(request, "organisations/units/form.html", context)


def _act(request, pk, service, done):
    unit = scoping.get_government_unit_for(request.user, pk)
    try:
        service(request.user, unit, expected_version=request.POST.get("version") or None)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("units:edit", pk=unit.pk)
    messages.success(request, done % {"name": unit.name})
    return redirect("units:list")


@office_admin_required
@require_POST
def unit_deactivate(request, pk):
    return _act(request, pk, services.deactivate_unit, _("%(name)s is now inactive."))


@office_admin_required
@require_POST
def unit_reactivate(request, pk):
    return _act(request, pk, services.reactivate_unit, _("%(name)s is active again."))


@office_admin_required
@require_POST
def unit_delete(request, pk):
    unit = scoping.get_government_unit_for(request.user, pk)
    try:
        services.delete_unit(request.user, unit)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("units:edit", pk=unit.pk)
    messages.success(request, _("Unit %(name)s deleted.") % {"name": unit.name})
    return redirect("units:list")


# ---- Excel (the imports pipeline, kind services.IMPORT_KIND) ---------------------------------


def _xlsx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@office_admin_required
def unit_import(request):
    """Upload a file of units: checked first (every problem with its row), then a preview to
    confirm on the import's own page; all rows are written or none."""
    from dudao.imports import services as imports

    form = (
        UnitImportForm(request.POST, request.FILES)
        if request.method == "POST"
        else UnitImportForm()
    )
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.create_job(
                request.user, request.user.office, services.IMPORT_KIND, form.cleaned_data["file"]
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            return redirect(job)
    return render(request, "organisations/units/import.html", {"form": form})


@office_admin_required
def unit_template(request):
    from dudao.imports import services as imports

    data = imports.template_bytes(services.IMPORT_KIND, request.user.office)
    return _xlsx(data, imports.filename(services.IMPORT_KIND, "导入模板"))


@office_admin_required
def unit_export(request):
    """The office's units as listed (same filters), in the template's layout: an export
    imports again unchanged."""
    from dudao.imports import services as imports

    _form, qs = filtered_units(request.user, request.GET)
    qs = qs.filter(office_id=request.user.office_id)
    data = imports.export_bytes(services.IMPORT_KIND, request.user.office, qs)
    stamp = timezone.localdate().strftime("%Y%m%d")
    return _xlsx(data, imports.filename(services.IMPORT_KIND, stamp))
