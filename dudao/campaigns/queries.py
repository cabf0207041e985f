"""Reusable reads of campaigns (专项督导): recusal between a campaign's inspectors and schools,
the rows the draw (`dudao.campaigns.draw`) is given, and the outcome per school that the
public page (一公开) shows. Callers pass what they already hold in scope."""

from collections.abc import Iterable

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from dudao.inspectors.models import Assignment, Conflict, Inspector
from dudao.rectification.models import ACTIVE_STATUSES
from dudao.schools.models import School

from .models import Answer, CampaignTarget, TeamMember


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


def responsible_inspectors(school_ids: Iterable[int], on=None) -> dict[int, list[int]]:
    """{school id: the ids of its responsible inspectors (挂牌督导) on `on`, today by default,
    sorted}: a school may have more than one."""
    found: dict[int, list[int]] = {}
    for school_id, inspector_id in (
        Assignment.objects.unscoped()
        .current(on)
        .filter(school_id__in=list(school_ids))
        .order_by("school_id", "inspector_id")
        .values_list("school_id", "inspector_id")
        .distinct()
    ):
        found.setdefault(school_id, []).append(inspector_id)
    return found


def team_members(campaign) -> dict[int, list[TeamMember]]:
    """{team id: its members (leader first)} for one campaign, in one query."""
    members: dict[int, list[TeamMember]] = {}
    for member in (
        TeamMember.objects.filter(team__campaign=campaign)
        .select_related("inspector")
        .order_by("team__position", "team_id", "-is_leader", "pk")
    ):
        members.setdefault(member.team_id, []).append(member)
    return members


def target_outcomes(targets) -> list[dict]:
    """The outcome per school of a campaign's targets (a CampaignTarget queryset already in
    the reader's scope): checked or not, and the number of assessed answers that are not
    compliant (不达标, `Answer.compliant` is False) and of findings raised, in one query."""
    rows = targets.select_related("school", "team").annotate(
        non_compliant=Count("answers", filter=Q(answers__compliant=False)),
        findings=Count("answers__finding", distinct=True),
    )
    return [
        {
            "target": t,
            "checked": t.status == CampaignTarget.Status.SUBMITTED,
            "non_compliant": t.non_compliant,
            "findings": t.findings,
        }
        for t in rows.order_by("position", "pk")
    ]


def open_finding_schools(earlier_campaign) -> list[int]:
    """回头看: the schools of `earlier_campaign` with a finding raised from one of its answers
    that is still being dealt with (not closed or withdrawn)."""
    return sorted(
        set(
            Answer.objects.filter(
                target__campaign=earlier_campaign,
                finding__isnull=False,
                finding__status__in=ACTIVE_STATUSES,
            ).values_list("target__school_id", flat=True)
        )
    )
