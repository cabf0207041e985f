"""Training pages (docs/rules.md §29): the sessions, a session with its materials and
attendance (the office admin sets each inspector's attendance in place, htmx), the import and
export of attendance, and each inspector's hours in a year against the requirement."""

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
from dudao.core import spreadsheets
from dudao.core.errors import DomainError
from dudao.core.files import file_response
from dudao.core.forms import apply_domain_error
from dudao.core.paging import is_htmx, paginate
from dudao.core.permissions import office_admin_required, role_required
from dudao.imports import services as imports
from dudao.inspectors.models import Inspector

from . import queries, services
from .forms import (
    AttendanceForm,
    ImportForm,
    MaterialForm,
    RequirementForm,
    SessionCreateForm,
    SessionForm,
)
from .models import Attendance, Material, TrainingRules, yearly_hours_for

READERS = (Role.OFFICE_ADMIN, Role.ZONE_LEADER, Role.INSPECTOR, Role.VIEWER)
IMPORT_KIND = "training_attendance"


def _xlsx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=spreadsheets.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


def _year(request) -> int:
    raw = str(request.GET.get("year") or "").strip()
    today = timezone.localdate()
    if raw.isdigit() and 2000 <= int(raw) <= today.year + 1:
        return int(raw)
    return today.year


# ---- sessions ---------------------------------------------------------------------------------


@role_required(*READERS)
def session_list(request):
    qs = queries.session_list(request.user, request.GET)
    page, query = paginate(request, qs)
    today = timezone.localdate()
    context = {
        "page": page,
        "query": query,
        "params": request.GET,
        "years": range(today.year, today.year - 6, -1),
    }
    return render(
        request, "training/_table.html" if is_htmx(request) else "training/list.html", context
    )


@office_admin_required
def session_create(request):
    office = request.user.office
    form = SessionCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version", None)
        try:
            session = services.create_session(request.user, office, **data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Training session recorded."))
            return redirect(session)
    return render(request, "training/form.html", {"form": form})


def _attendance_rows(request, session):
    """(inspector, attendance or None) for the office admin: every active inspector of the
    office and those recorded at the session. Two queries."""
    recorded = {
        a.inspector_id: a
        for a in scoping.training_attendance_for(request.user).filter(session=session)
    }
    inspectors = (
        Inspector.objects.unscoped()
        .filter(office_id=session.office_id)
        .filter(Q(is_active=True) | Q(pk__in=list(recorded)))
        .select_related("zone")
        .order_by("zone__pk", "name", "pk")
    )
    return [(i, recorded.get(i.pk)) for i in inspectors]


@role_required(*READERS)
def session_detail(request, pk):
    session = scoping.get_training_session_for(request.user, pk)
    can_manage = request.user.is_office_admin
    attendance = (
        scoping.training_attendance_for(request.user)
        .filter(session=session)
        .select_related("inspector", "inspector__zone")
        .order_by("inspector__name", "pk")
    )
    counts = dict.fromkeys(Attendance.Presence.values, 0)
    for a in attendance:
        counts[a.presence] += 1
    return render(
        request,
        "training/detail.html",
        {
            "session": session,
            "can_manage": can_manage,
            "materials": session.materials.all(),
            "rows": _attendance_rows(request, session) if can_manage else None,
            "attendance": attendance,
            "counts": counts,
            "presences": Attendance.Presence.choices,
            "material_form": MaterialForm() if can_manage else None,
        },
    )


@office_admin_required
def session_edit(request, pk):
    session = scoping.get_training_session_for(request.user, pk)
    form = SessionForm(request.POST or None, instance=session)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        try:
            session = services.update_session(
                request.user, session, expected_version=version, **data
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Training session saved."))
            return redirect(session)
    return render(request, "training/form.html", {"form": form, "session": session})


@office_admin_required
@require_POST
def session_delete(request, pk):
    session = scoping.get_training_session_for(request.user, pk)
    try:
        services.delete_session(request.user, session)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect(session)
    messages.success(request, _("Training session deleted."))
    return redirect("training:list")


# ---- materials --------------------------------------------------------------------------------


@office_admin_required
@require_POST
def material_add(request, pk):
    session = scoping.get_training_session_for(request.user, pk)
    form = MaterialForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file."))
        return redirect(session)
    try:
        services.add_material(request.user, session, form.cleaned_data["file"])
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("File added."))
    return redirect(session)


def _material(request, pk) -> Material:
    return scoping.get_or_404(
        Material.objects.filter(
            session__in=scoping.training_sessions_for(request.user)
        ).select_related("session"),
        pk=pk,
    )


@role_required(*READERS)
def material_file(request, pk):
    material = _material(request, pk)
    return file_response(material.file, material.content_type, material.original_name)


@office_admin_required
@require_POST
def material_delete(request, pk):
    material = _material(request, pk)
    services.remove_material(request.user, material)
    messages.success(request, _("File removed."))
    return redirect(material.session)


# ---- attendance -------------------------------------------------------------------------------


@office_admin_required
@require_POST
def attendance_save(request, pk, inspector_pk):
    session = scoping.get_training_session_for(request.user, pk)
    inspector = scoping.get_inspector_for(request.user, inspector_pk)
    form = AttendanceForm(request.POST)
    error = None
    if form.is_valid():
        try:
            services.record_attendance(request.user, session, inspector, **form.cleaned_data)
        except DomainError as refused:
            error = str(refused)
    else:
        error = _("Choose attended, absent or excused.")
    if is_htmx(request):
        row = (
            scoping.training_attendance_for(request.user)
            .filter(session=session, inspector=inspector)
            .first()
        )
        return render(
            request,
            "training/_attendance_row.html",
            {
                "session": session,
                "inspector": inspector,
                "row": row,
                "error": error,
                "presences": Attendance.Presence.choices,
            },
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Attendance saved."))
    return redirect(session)


@office_admin_required
def attendance_import(request, pk):
    session = scoping.get_training_session_for(request.user, pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = imports.create_job(
            request.user,
            request.user.office,
            IMPORT_KIND,
            form.cleaned_data["file"],
            params={"session": session.pk},
        )
        return redirect(job)
    return render(request, "training/import.html", {"session": session, "form": form})


@office_admin_required
def attendance_template(request, pk):
    session = scoping.get_training_session_for(request.user, pk)
    data = imports.template_bytes(IMPORT_KIND, request.user.office, {"session": session.pk})
    return _xlsx(data, imports.filename(IMPORT_KIND, "导入模板"))


@office_admin_required
def attendance_export(request, pk):
    """The session's attendance in the import's layout (re-importable)."""
    session = scoping.get_training_session_for(request.user, pk)
    rows = scoping.training_attendance_for(request.user).filter(session=session)
    data = imports.export_bytes(IMPORT_KIND, request.user.office, rows, {"session": session.pk})
    return _xlsx(data, imports.filename(IMPORT_KIND, f"{session.date:%Y%m%d}"))


# ---- the yearly hours -------------------------------------------------------------------------


@role_required(*READERS)
def hours(request):
    year = _year(request)
    rows = queries.yearly_table(request.user, year)
    today = timezone.localdate()
    return render(
        request,
        "training/hours.html",
        {
            "year": year,
            "rows": rows,
            "years": range(today.year, today.year - 6, -1),
            "short": sum(1 for r in rows if not r.met),
        },
    )


HOURS_COLUMNS = [
    spreadsheets.Column("督学", "name", width=12),
    spreadsheets.Column("督导室", "office", width=28),
    spreadsheets.Column("责任区", "zone", width=14),
    spreadsheets.Column("督学类别", "kind", width=12),
    spreadsheets.Column("参加培训次数", "sessions", width=12),
    spreadsheets.Column("认定学时", "hours", width=10),
    spreadsheets.Column("年度要求学时", "required", width=12),
    spreadsheets.Column("是否达标", "met", width=10),
    spreadsheets.Column("尚缺学时", "short", width=10),
]
KIND_LABELS = {
    Inspector.Kind.RESPONSIBLE: "责任督学",
    Inspector.Kind.PRINCIPAL: "校长督学",
    Inspector.Kind.PARENT: "家长督学",
    Inspector.Kind.INVITED: "特邀督导员",
}


@role_required(*READERS)
def hours_export(request):
    year = _year(request)
    rows = [
        [
            r.inspector.name,
            r.inspector.office.name,
            r.inspector.zone.name if r.inspector.zone_id else "",
            KIND_LABELS.get(r.inspector.kind, r.inspector.kind),
            r.sessions,
            r.hours,
            r.required,
            "是" if r.met else "否",
            r.short,
        ]
        for r in queries.yearly_table(request.user, year)
    ]
    workbook = spreadsheets.build_workbook(
        HOURS_COLUMNS,
        rows,
        title=f"{year}年督学培训学时",
        notes=[f"{year}年1月1日至12月31日的培训认定学时；年度要求为各督导室设定的学时。"],
        spare_rows=0,
    )
    return _xlsx(spreadsheets.workbook_bytes(workbook), f"{year}年督学培训学时.xlsx")


@office_admin_required
def requirement(request):
    office = request.user.office
    rules = TrainingRules.objects.filter(office=office).first() or TrainingRules(
        office=office, yearly_hours=yearly_hours_for(office.pk)
    )
    form = RequirementForm(request.POST or None, instance=rules)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_requirement(request.user, office, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Training requirement saved."))
            return redirect("training:hours")
    return render(request, "training/requirement.html", {"form": form})
