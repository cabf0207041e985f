"""Reads of the schools list, shared by its page and the Excel export."""

from django.db.models import FilteredRelation, Q

from dudao.accounts import scoping
from dudao.inspectors.models import current_assignment_q

from .forms import SchoolFilterForm


def filtered_schools(user, params):
    """The user's schools filtered by the list's query parameters (also used by exports)."""
    schools = scoping.schools_for(user)
    form = SchoolFilterForm(params or None, user=user)
    qs = schools.annotate(
        current=FilteredRelation(
            "assignments", condition=current_assignment_q(prefix="assignments__")
        )
    ).select_related("township", "zone", "office")
    data = form.cleaned_data if form.is_valid() else {}
    q = (data.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__startswith=q) | Q(principal__icontains=q))
    if data.get("type"):
        qs = qs.filter(type=data["type"])
    if data.get("township"):
        qs = qs.filter(township=data["township"])
    if data.get("zone"):
        qs = qs.filter(zone=data["zone"])
    active = data.get("active") or "yes"
    if active != "all":
        qs = qs.filter(is_active=(active == "yes"))
    if data.get("assigned") == "yes":
        qs = qs.filter(current__isnull=False)
    elif data.get("assigned") == "no":
        qs = qs.filter(current__isnull=True)
    return form, qs
