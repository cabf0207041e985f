"""Reads of the inspectors list, shared by its page and the Excel export; recusal (回避)
checked for many (inspector, school) pairs at once (`barred_pairs`, for campaigns and
evaluations)."""

from collections.abc import Iterable

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from dudao.accounts import scoping
from dudao.schools.models import School

from .models import Conflict, Inspector, current_assignment_q


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


def barred_pairs(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """The (inspector id, school id) pairs among `pairs` where the inspector must recuse (回避,
    docs/rules.md §3), each with the reason: employed by the school or by its host school, or
    a conflict recorded with either — the rule of `inspectors.services.recusal_reason`, read
    in three queries for any number of pairs."""
    pairs = set(pairs)
    if not pairs:
        return {}
    inspector_ids = {i for i, _s in pairs}
    school_ids = {s for _i, s in pairs}
    inspectors = {
        i.pk: i
        for i in Inspector.objects.unscoped()
        .filter(pk__in=inspector_ids)
        .select_related("employer_school")
    }
    schools = {s.pk: s for s in School.objects.unscoped().filter(pk__in=school_ids)}
    related = {pk: {pk, s.host_school_id} - {None} for pk, s in schools.items()}
    conflicts: dict[tuple[int, int], Conflict] = {}
    for conflict in (
        Conflict.objects.unscoped()
        .filter(inspector_id__in=inspector_ids)
        .filter(Q(school_id__in=set().union(*related.values())))
        .select_related("ground", "school")
        .order_by("pk")
    ):
        conflicts.setdefault((conflict.inspector_id, conflict.school_id), conflict)
    barred = {}
    for inspector_id, school_id in pairs:
        inspector, units = inspectors.get(inspector_id), related.get(school_id, set())
        if inspector is None:
            continue
        if inspector.employer_school_id in units:
            barred[(inspector_id, school_id)] = _(
                "%(inspector)s is employed by %(school)s and must recuse (回避)."
            ) % {"inspector": inspector.name, "school": inspector.employer_school.name}
            continue
        for unit in sorted(units):
            conflict = conflicts.get((inspector_id, unit))
            if conflict:
                barred[(inspector_id, school_id)] = _(
                    "%(inspector)s has a recorded conflict with %(school)s: %(ground)s."
                ) % {
                    "inspector": inspector.name,
                    "school": conflict.school.name,
                    "ground": conflict.ground.name,
                }
                break
    return barred
