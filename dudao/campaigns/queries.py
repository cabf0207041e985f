"""Reusable reads of campaigns (专项督导): recusal between a campaign's inspectors and schools,
the rows the draw (`dudao.campaigns.draw`) is given, and the outcome per school that the
public page (一公开) shows. Callers pass what they already hold in scope."""

from collections.abc import Iterable

from django.db.models import Count, Q

from dudao.inspectors.models import Assignment
from dudao.inspectors.queries import barred_pairs  # noqa: F401 (the campaign modules' name)
from dudao.rectification.models import ACTIVE_STATUSES

from .models import Answer, CampaignTarget, TeamMember


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
