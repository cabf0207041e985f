from django.contrib import messages
from django.db.models import Count, Q
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

from . import services
from .forms import AssignForm, ConflictForm, EndAssignmentForm, InspectorForm, ZoneForm
from .models import Conflict, Inspector
from .queries import filtered_inspectors

READERS = (Role.OFFICE_ADMIN, Role.ZONE_LEADER, Role.VIEWER)


@role_required(*READERS)
def inspector_list(request):
    qs = filtered_inspectors(request.user, request.GET)
    page, query = paginate(request, qs)
    context = {
        "page": page,
        "query": query,
        "params": request.GET,
        "kinds": Inspector.Kind.choices,
        "employments": Inspector.Employment.choices,
        "zones": scoping.zones_for(request.user),
    }
    return render(
        request, "inspectors/_table.html" if is_htmx(request) else "inspectors/list.html", context
    )


@role_required(*READERS, Role.INSPECTOR)
def inspector_detail(request, pk):
    inspector = scoping.get_inspector_for(request.user, pk)
    assignments = (
        scoping.assignments_for(request.user)
        .filter(inspector=inspector)
        .select_related("school")
        .order_by("-start_date")
    )
    can_manage = request.user.is_office_admin
    return render(
        request,
        "inspectors/detail.html",
        {
            "inspector": inspector,
            "assignments": assignments,
            # Terms and certificates (docs/rules.md §31), from the reader's scope.
            "terms": scoping.terms_for(request.user).filter(inspector=inspector),
            "certificates": scoping.certificates_for(request.user)
            .filter(inspector=inspector)
            .prefetch_related("files"),
            "today": timezone.localdate(),
            "conflicts": inspector.conflicts.select_related("school", "ground"),
            "can_manage": can_manage,
            "conflict_form": ConflictForm(office=inspector.office) if can_manage else None,
        },
    )


@office_admin_required
def inspector_create(request):
    office = request.user.office
    form = InspectorForm(request.POST or None, request.FILES or None, office=office)
    if request.method == "POST" and form.is_valid():
        try:
            inspector = services.create_inspector(request.user, office, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Inspector %(name)s created.") % {"name": inspector.name})
            return redirect(inspector)
    return render(request, "inspectors/form.html", {"form": form})


@office_admin_required
def inspector_edit(request, pk):
    inspector = scoping.get_inspector_for(request.user, pk)
    form = InspectorForm(
        request.POST or None, request.FILES or None, instance=inspector, office=inspector.office
    )
    if request.method == "POST" and form.is_valid():
        try:
            inspector = services.update_inspector(request.user, inspector, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Inspector saved."))
            return redirect(inspector)
    return render(request, "inspectors/form.html", {"form": form, "inspector": inspector})


@office_admin_required
@require_POST
def conflict_add(request, pk):
    inspector = scoping.get_inspector_for(request.user, pk)
    form = ConflictForm(request.POST, office=inspector.office)
    if form.is_valid():
        try:
            services.record_conflict(request.user, inspector, **form.cleaned_data)
            messages.success(request, _("Conflict of interest recorded."))
        except DomainError as error:
            messages.error(request, str(error))
    else:
        messages.error(request, _("Choose a school and a ground."))
    return redirect(inspector)


@office_admin_required
@require_POST
def conflict_delete(request, pk):
    conflict = scoping.get_or_404(
        Conflict.objects.visible_to(request.user).filter(
            inspector__in=scoping.inspectors_for(request.user)
        ),
        pk=pk,
    )
    inspector = conflict.inspector
    services.remove_conflict(request.user, conflict)
    messages.success(request, _("Conflict of interest removed."))
    return redirect(inspector)


@role_required(*READERS)
def zone_list(request):
    zones = (
        scoping.zones_for(request.user)
        .select_related("leader", "office")
        .annotate(
            school_count=Count("schools", filter=Q(schools__is_active=True), distinct=True),
            inspector_count=Count(
                "inspectors", filter=Q(inspectors__is_active=True), distinct=True
            ),
        )
        .order_by("office", "name")
    )
    return render(request, "inspectors/zone_list.html", {"zones": zones})


@role_required(*READERS)
def zone_detail(request, pk):
    zone = scoping.get_zone_for(request.user, pk)
    schools = scoping.schools_for(request.user).filter(zone=zone).order_by("code")
    current = {
        a.school_id: a.inspector
        for a in scoping.assignments_for(request.user)
        .current()
        .filter(school__zone=zone)
        .select_related("inspector")
    }
    rows = [(s, current.get(s.pk)) for s in schools]
    return render(
        request,
        "inspectors/zone_detail.html",
        {
            "zone": zone,
            "rows": rows,
            "inspectors": zone.inspectors.filter(is_active=True),
            "can_manage": request.user.is_office_admin,
        },
    )


@office_admin_required
def zone_create(request):
    office = request.user.office
    form = ZoneForm(request.POST or None, office=office)
    if request.method == "POST" and form.is_valid():
        try:
            zone = services.create_zone(request.user, office, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            return redirect(zone)
    return render(request, "inspectors/zone_form.html", {"form": form})


@office_admin_required
def zone_edit(request, pk):
    zone = scoping.get_zone_for(request.user, pk)
    form = ZoneForm(request.POST or None, instance=zone, office=zone.office)
    if request.method == "POST" and form.is_valid():
        try:
            zone = services.update_zone(request.user, zone, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("Zone saved."))
            return redirect(zone)
    return render(request, "inspectors/zone_form.html", {"form": form, "zone": zone})


@role_required(*READERS, Role.INSPECTOR)
def assignment_list(request):
    """Assignments with their history: current ones first, ended ones kept."""
    qs = scoping.assignments_for(request.user).select_related("inspector", "school", "school__zone")
    status = request.GET.get("status") or "current"
    today = timezone.localdate()
    if status == "current":
        qs = qs.current(today)
    elif status == "ended":
        qs = qs.filter(end_date__lt=today)
    elif status == "upcoming":  # made ahead of term: not current until it starts
        qs = qs.filter(start_date__gt=today)
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(
            Q(school__name__icontains=q)
            | Q(inspector__name__icontains=q)
            | Q(school__code__startswith=q)
        )
    page, query = paginate(request, qs.order_by("school__code", "-start_date", "-pk"))
    return render(
        request,
        "inspectors/assignment_list.html",
        {"page": page, "query": query, "status": status, "q": q},
    )


def _assignment_panel(request, school, assign_form=None):
    assignments = school.assignments.select_related("inspector").order_by("-start_date", "-pk")
    today = timezone.localdate()
    current = next((a for a in assignments if a.is_current_on(today)), None)
    return render(
        request,
        "inspectors/_school_assignments.html",
        {
            "school": school,
            "assignments": assignments,
            "current": current,
            "can_manage": True,
            "assign_form": assign_form or AssignForm(office=school.office),
        },
    )


@office_admin_required
@require_POST
def assign(request, school_pk):
    school = scoping.get_school_for(request.user, school_pk)
    form = AssignForm(request.POST, office=school.office)
    if form.is_valid():
        try:
            services.assign_inspector(request.user, school, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            if not is_htmx(request):
                messages.success(request, _("Responsible inspector assigned."))
                return redirect(school)
            form = None
    if is_htmx(request):
        return _assignment_panel(request, school, form)
    for error in form.errors.values():
        messages.error(request, error[0])
    return redirect(school)


@office_admin_required
@require_POST
def assignment_end(request, pk):
    assignment = scoping.get_assignment_for(request.user, pk)
    form = EndAssignmentForm(request.POST)
    if form.is_valid():
        try:
            services.end_assignment(request.user, assignment, **form.cleaned_data)
            messages.success(request, _("Assignment ended."))
        except DomainError as error:
            messages.error(request, str(error))
    else:
        messages.error(request, _("Enter a valid end date."))
    return redirect(assignment.school)
