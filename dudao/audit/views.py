import datetime

from django.apps import apps
from django.db.models import Q
from django.shortcuts import render

from dudao.core.paging import paginate
from dudao.core.permissions import office_admin_required

from .models import AuditEntry

# The record types offered in the filter, by model label (AuditEntry.target_type).
TYPE_FILTER = (
    "schools.School",
    "inspectors.Inspector",
    "inspectors.Zone",
    "inspectors.Assignment",
    "inspectors.Conflict",
    "accounts.User",
    "visits.Visit",
    "rectification.Finding",
    "rectification.Notice",
    "rectification.AccountabilityCase",
    "imports.ImportJob",
    "reports.ReportTemplate",
    "organisations.Office",
)


def type_name(label: str) -> str:
    """The model's verbose name for an audit entry's target type ("accounts.User" → 用户);
    the label itself when no model has it (a model since removed)."""
    if not label:
        return ""
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


def _date(value):
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@office_admin_required
def audit_list(request):
    """The office's audit log, read-only, newest first, filterable."""
    entries = AuditEntry.objects.visible_to(request.user)
    params = request.GET
    if params.get("action") in AuditEntry.Action.values:
        entries = entries.filter(action=params["action"])
    if params.get("type"):
        entries = entries.filter(target_type=params["type"])
    q = (params.get("q") or "").strip()
    if q:
        entries = entries.filter(
            Q(actor_name__icontains=q) | Q(target_repr__icontains=q) | Q(ip__startswith=q)
        )
    since, until = _date(params.get("since")), _date(params.get("until"))
    if since:
        entries = entries.filter(at__date__gte=since)
    if until:
        entries = entries.filter(at__date__lte=until)
    page, query = paginate(request, entries.order_by("-at", "-pk"), per_page=50)
    for entry in page:
        entry.type_name = type_name(entry.target_type)
    types = [(label, type_name(label)) for label in TYPE_FILTER]
    return render(
        request,
        "audit/list.html",
        {
            "page": page,
            "query": query,
            "params": params,
            "actions": AuditEntry.Action.choices,
            "types": types,
        },
    )
