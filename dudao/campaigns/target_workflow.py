"""The check of one campaign school (督查对象): pending → in progress (the first answers saved
as a draft) → submitted (checked), through the engine (`dudao.core.workflow`), with a
`CampaignTargetEvent` and an audit row each, and `dudao.core.workflow.transitioned` sent after
commit (sender=CampaignTarget).

Why a workflow of its own, beside `dudao.campaigns.workflow` (the campaign's): a target's
status is a state machine of its own, and writing its lines into `CampaignEvent` would break
that history's rule that replaying `to_status` gives the campaign's status. So the target has
its own history table (`CampaignTargetEvent`, campaigns migration 0003).

Who may act: a member of the target's team (督查组) or an office admin of the campaign's
office, and only while the campaign is running. `dudao.campaigns.checks` calls `start` and
`submit`; nothing else assigns a target's status.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dudao.core import guards
from dudao.core import workflow as engine
from dudao.core.errors import IllegalTransition
from dudao.core.workflow import Rule, Step

from .models import Campaign, CampaignTarget, CampaignTargetEvent, TeamMember

MEMBER, OFFICE = "team_member", "office_admin"
Status = CampaignTarget.Status


class Action(models.TextChoices):
    START = "start", gettext_lazy("start the check")
    SUBMIT = "submit", gettext_lazy("submit the check")


TRANSITIONS: dict[tuple[str, str], str] = {
    (Status.PENDING, Action.START): Status.IN_PROGRESS,
    (Status.PENDING, Action.SUBMIT): Status.SUBMITTED,
    (Status.IN_PROGRESS, Action.SUBMIT): Status.SUBMITTED,
}


def require_running(target: CampaignTarget, step: Step | None = None) -> None:
    """Schools are checked only while their campaign runs (not before the start, not after
    it is closed)."""
    if target.campaign.status != Campaign.Status.RUNNING:
        raise IllegalTransition(_("The campaign is not running: its checks cannot be changed."))


def _effect_submit(target: CampaignTarget, step: Step) -> None:
    now = timezone.now()
    target.submitted_at = now
    target.submitted_by = step.actor
    if target.visited_at is None:  # submitted at the school: the check happened now
        target.visited_at = now


RULES: dict[str, Rule] = {
    Action.START: Rule(frozenset({MEMBER, OFFICE}), guard=require_running),
    Action.SUBMIT: Rule(frozenset({MEMBER, OFFICE}), guard=require_running, effect=_effect_submit),
}


def is_member(actor, target: CampaignTarget) -> bool:
    """Is the actor (an inspector or a zone leader) on the target's team?"""
    inspector_id = getattr(actor, "inspector_id", None)
    if not (target.team_id and inspector_id and actor.is_active and not actor.is_superuser):
        return False
    return TeamMember.objects.filter(team_id=target.team_id, inspector_id=inspector_id).exists()


def roles_of(actor, target: CampaignTarget) -> set[str]:
    roles = set()
    if actor is None or not getattr(actor, "pk", None):
        return roles
    if is_member(actor, target):
        roles.add(MEMBER)
    if guards.is_office_admin(actor, target.office_id):  # the superuser rule included
        roles.add(OFFICE)
    return roles


TARGET_WORKFLOW = engine.Workflow(
    model=CampaignTarget,
    transitions=TRANSITIONS,
    rules=RULES,
    roles_of=roles_of,
    history_model=CampaignTargetEvent,
    history_fk="target",
    actions=Action,
    select_related=("campaign", "school"),
    messages=engine.Messages(
        stale=gettext_lazy("Someone else changed this check; reload it and try again."),
        illegal=gettext_lazy("You cannot %(action)s: the check is “%(status)s”."),
        not_permitted=gettext_lazy("Only the school's team or the office may check it."),
    ),
)


def start(target: CampaignTarget, actor) -> CampaignTarget:
    """Pending → in progress: the first answers were saved."""
    return engine.transition(TARGET_WORKFLOW, target, Action.START, actor)


def submit(target: CampaignTarget, actor, *, apply=None) -> CampaignTarget:
    """Pending or in progress → submitted (the caller has checked the answers)."""
    return engine.transition(TARGET_WORKFLOW, target, Action.SUBMIT, actor, apply=apply)
