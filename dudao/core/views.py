from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from dudao.accounts import scoping
from dudao.accounts.models import Role


def home(request):
    """Home per role: the counts each role cares about (later issues add dashboards)."""
    user = request.user
    if user.role == Role.SCHOOL:
        return redirect("rectification:school_findings")  # what a school acts on
    schools = scoping.schools_for(user)
    today = timezone.localdate()
    context = {
        "school_count": schools.filter(is_active=True).count(),
        "unassigned_count": schools.filter(is_active=True)
        .exclude(pk__in=scoping.assignments_for(user).current().values("school_id"))
        .count(),
        "inspector_count": scoping.inspectors_for(user).filter(is_active=True).count(),
        "zone_count": scoping.zones_for(user).count(),
        "offices": scoping.offices_for(user) if user.role == Role.VIEWER else None,
        "today": today,
    }
    if user.inspector_id:
        context["my_schools"] = schools.select_related("zone").order_by("name")[:50]
    return render(request, "core/home.html", context)


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})
