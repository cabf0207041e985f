from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import F
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
from dudao.inspectors.forms import AssignForm

from . import services
from .forms import SchoolForm
from .queries import filtered_schools

LIST_ROLES = (Role.OFFICE_ADMIN, Role.ZONE_LEADER, Role.INSPECTOR, Role.VIEWER)


@role_required(*LIST_ROLES)
def school_list(request):
    form, qs = filtered_schools(request.user, request.GET)
    qs = qs.annotate(
        inspector_name=F("current__inspector__name"), inspector_id=F("current__inspector_id")
    ).order_by("code")
    page, query = paginate(request, qs)
    context = {"form": form, "page": page, "query": query}
    template = "schools/_table.html" if is_htmx(request) else "schools/list.html"
    return render(request, template, context)


def my_school(request):
    if request.user.role != Role.SCHOOL:
        raise PermissionDenied
    return school_detail(request, request.user.school_id)


def school_detail(request, pk):
    school = scoping.get_school_for(request.user, pk)
    assignments = school.assignments.select_related("inspector").order_by("-start_date", "-pk")
    today = timezone.localdate()
    current = next((a for a in assignments if a.is_current_on(today)), None)
    can_manage = request.user.is_office_admin
    context = {
        "school": school,
        "assignments": assignments,
        "current": current,
        "can_manage": can_manage,
        "teaching_points": school.teaching_points.all(),
        "assign_form": AssignForm(office=school.office) if can_manage else None,
    }
    return render(request, "schools/detail.html", context)


@office_admin_required
def school_create(request):
    office = request.user.office
    form = SchoolForm(request.POST or None, office=office)
    if request.method == "POST" and form.is_valid():
        try:
            school = services.create_school(request.user, office, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("School %(name)s created.") % {"name": school.name})
            return redirect(school)
    return render(request, "schools/form.html", {"form": form})


@office_admin_required
def school_edit(request, pk):
    school = scoping.get_school_for(request.user, pk)
    form = SchoolForm(request.POST or None, instance=school, office=school.office)
    if request.method == "POST" and form.is_valid():
        try:
            school = services.update_school(request.user, school, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, _("School saved."))
            return redirect(school)
    return render(request, "schools/form.html", {"form": form, "school": school})


@office_admin_required
@require_POST
def school_delete(request, pk):
    school = scoping.get_school_for(request.user, pk)
    try:
        services.delete_school(request.user, school)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect(school)
    messages.success(request, _("School deleted."))
    return redirect("schools:list")
