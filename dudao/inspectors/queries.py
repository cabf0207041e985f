"""Reads of the inspectors list, shared by its page and the Excel export."""

from django.db.models import Count, Q

from dudao.accounts import scoping

from .models import Inspector, current_assignment_q


def _current_count():
    return Count("assignments", filter=current_assignment_q(prefix="assignments__"))


def filtered_inspectors(user, params):
    """The user's inspectors filtered by the list's query parameters, each with the number of
    schools currently assigned to them (`school_count`)."""
    qs = scoping.inspectors_for(user).select_related("zone", "employer_school")
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(phone__contains=q))
    if params.get("kind") in Inspector.Kind.values:
        qs = qs.filter(kind=params["kind"])
    if params.get("employment") in Inspector.Employment.values:
        qs = qs.filter(employment=params["employment"])
    if (params.get("zone") or "").isdigit():
        qs = qs.filter(zone_id=int(params["zone"]))
    active = params.get("active") or "yes"
    if active in ("yes", "no"):
        qs = qs.filter(is_active=(active == "yes"))
    return qs.annotate(school_count=_current_count()).order_by("name", "pk")
