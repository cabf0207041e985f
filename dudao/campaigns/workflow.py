"""The campaign's workflow (专项督导): draft → running → closed → published (一公开), and draft or
running → cancelled, through the engine (`dudao.core.workflow`), with a CampaignEvent and an
audit row each, and `dudao.core.workflow.transitioned` sent after commit (sender=Campaign).

Who may act: an office admin of the campaign's office, nobody else (the superuser rule
included: the engine gives it no role).

Starting needs a published checklist and at least one target, and every target on a team of
at least one inspector, none of whom must recuse (回避, docs/rules.md §3) from the target's
school: a running campaign's schools are seen only by their teams
(`scoping.campaign_targets_for`), so a school without a team would never be checked.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dudao.checklists.models import ChecklistTemplate
from dudao.core import guards
from dudao.core import workflow as engine
from dudao.core.errors import DomainError
from dudao.core.workflow import Rule, Step

from . import queries
from .models import Campaign, CampaignEvent, CampaignTarget, TeamMember

OFFICE = "office_admin"
Status = Campaign.Status


class Action(models.TextChoices):
    START = "start", gettext_lazy("start the campaign")
    CLOSE = "close", gettext_lazy("close the campaign")
    PUBLISH = "publish", gettext_lazy("publish the results")
    CANCEL = "cancel", gettext_lazy("cancel the campaign")


TRANSITIONS: dict[tuple[str, str], str] = {
    (Status.DRAFT, Action.START): Status.RUNNING,
    (Status.RUNNING, Action.CLOSE): Status.CLOSED,
    (Status.CLOSED, Action.PUBLISH): Status.PUBLISHED,
    (Status.DRAFT, Action.CANCEL): Status.CANCELLED,
    (Status.RUNNING, Action.CANCEL): Status.CANCELLED,
}

# History lines that change no status.
CREATED = "created"
TARGETS_CHOSEN = "targets_chosen"
DRAWN = "drawn"


def start_problems(campaign: Campaign) -> list[str]:
    """What keeps a draft campaign from starting, in the office's words (empty: it may)."""
    problems = []
    if campaign.checklist.status != ChecklistTemplate.Status.PUBLISHED:
        problems.append(_("The checklist is not a published revision."))
    targets = list(
        CampaignTarget.objects.unscoped()
        .filter(campaign=campaign)
        .select_related("school", "team")
        .order_by("position", "pk")
    )
    if not targets:
        problems.append(_("Choose the schools to check first."))
        return problems
    untouched = [t.school.name for t in targets if t.team_id is None]
    if untouched:
        problems.append(
            _("These schools have no team yet: %(schools)s.") % {"schools": "、".join(untouched)}
        )
    team_ids = {t.team_id for t in targets if t.team_id}
    members: dict[int, list] = {}
    for member in (
        TeamMember.objects.filter(team_id__in=team_ids)
        .select_related("inspector", "team")
        .order_by("team_id", "pk")
    ):
        members.setdefault(member.team_id, []).append(member.inspector)
    empty = sorted({t.team.name for t in targets if t.team_id and not members.get(t.team_id)})
    if empty:
        problems.append(
            _("These teams have no inspector: %(teams)s.") % {"teams": "、".join(empty)}
        )
    # Recusal may have been recorded after the team was formed: checked again here.
    pairs = [(i.pk, t.school_id) for t in targets for i in members.get(t.team_id, [])]
    barred = queries.barred_pairs(pairs)
    problems.extend(barred[pair] for pair in pairs if pair in barred)
    return problems


def _guard_start(campaign: Campaign, step: Step) -> None:
    problems = start_problems(campaign)
    if problems:
        raise DomainError(" ".join(problems))


def _effect_close(campaign: Campaign, step: Step) -> None:
    campaign.closed_at = timezone.now()


def _effect_publish(campaign: Campaign, step: Step) -> None:
    campaign.published_at = timezone.now()


RULES: dict[str, Rule] = {
    Action.START: Rule(frozenset({OFFICE}), guard=_guard_start),
    Action.CLOSE: Rule(frozenset({OFFICE}), effect=_effect_close),
    Action.PUBLISH: Rule(frozenset({OFFICE}), effect=_effect_publish),
    Action.CANCEL: Rule(frozenset({OFFICE}), note_required=True),
}


def roles_of(actor, campaign: Campaign) -> set[str]:
    if actor is None or not getattr(actor, "pk", None):
        return set()
    if guards.is_office_admin(actor, campaign.office_id):  # the superuser rule included
        return {OFFICE}
    return set()


CAMPAIGN_WORKFLOW = engine.Workflow(
    model=Campaign,
    transitions=TRANSITIONS,
    rules=RULES,
    roles_of=roles_of,
    history_model=CampaignEvent,
    history_fk="campaign",
    actions=Action,
    select_related=("checklist",),
    messages=engine.Messages(
        stale=gettext_lazy("Someone else changed this campaign; reload it and try again."),
        illegal=gettext_lazy("You cannot %(action)s: the campaign is “%(status)s”."),
        not_permitted=gettext_lazy("Only the campaign's office may %(action)s."),
    ),
)


def allowed_actions(campaign: Campaign, actor) -> list[str]:
    return engine.allowed_actions(CAMPAIGN_WORKFLOW, campaign, actor)


def take(campaign, action: str, actor, *, expected_version=None, note: str = "") -> Campaign:
    """Take one action of the table (start, close, publish, cancel)."""
    return engine.transition(
        CAMPAIGN_WORKFLOW, campaign, action, actor, expected_version=expected_version, note=note
    )


def record_event(campaign: Campaign, action: str, actor, *, note: str = "", data=None) -> None:
    """A history line that changes no status (created, targets chosen, drawn)."""
    engine.record(
        CAMPAIGN_WORKFLOW,
        campaign,
        action,
        actor,
        from_status=campaign.status,
        note=note,
        data=data,
    )
