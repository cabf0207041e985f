"""The workflow of a bulletin, notice or briefing, through the engine (`dudao.core.workflow`):

    draft → published → withdrawn

- **publish** (the office admin of its office): the rule must give at least one recipient
  (`queries.resolve_recipients`); the document takes its number in the order of publication
  (`numbering.allocate_number`), its date and its publisher; the service fixes its
  recipients in the same transaction and notifies them after commit;
- **withdraw** (the office admin, with a reason): the recipients and the public page no
  longer show it; its number stays taken (a withdrawn document keeps its number, as paper
  ones do).

A draft is edited by the office (`services.update_bulletin`); a published document is not
(withdraw it and publish a corrected one). History lines that change no status: created,
edited, attachment added or removed, shown on or taken off the public page, reminded.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from dudao.core import guards
from dudao.core import workflow as engine
from dudao.core.workflow import Rule, Step

from . import numbering, queries
from .models import Bulletin, BulletinEvent

OFFICE = "office_admin"


class Action(models.TextChoices):
    PUBLISH = "publish", gettext_lazy("publish it")
    WITHDRAW = "withdraw", gettext_lazy("withdraw it")


S = Bulletin.Status
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.DRAFT, Action.PUBLISH): S.PUBLISHED,
    (S.PUBLISHED, Action.WITHDRAW): S.WITHDRAWN,
}


def require_recipients(bulletin: Bulletin, step: Step | None = None) -> None:
    """Published only when its rule gives at least one recipient."""
    queries.resolve_recipients(bulletin)


def _effect_publish(bulletin: Bulletin, step: Step) -> None:
    now = timezone.now()
    year = timezone.localtime(now).year
    bulletin.sequence, bulletin.number = numbering.allocate_number(
        bulletin.office, bulletin.kind, year
    )
    bulletin.year = year
    bulletin.published_at = now
    bulletin.published_by = step.actor if getattr(step.actor, "pk", None) else None


def _effect_withdraw(bulletin: Bulletin, step: Step) -> None:
    bulletin.withdrawn_at = timezone.now()


RULES: dict[str, Rule] = {
    Action.PUBLISH: Rule(frozenset({OFFICE}), guard=require_recipients, effect=_effect_publish),
    Action.WITHDRAW: Rule(frozenset({OFFICE}), note_required=True, effect=_effect_withdraw),
}


def roles_of(actor, bulletin: Bulletin) -> set[str]:
    if guards.is_office_admin(actor, bulletin.office_id):  # the superuser rule included
        return {OFFICE}
    return set()


BULLETIN_WORKFLOW = engine.Workflow(
    model=Bulletin,
    transitions=TRANSITIONS,
    rules=RULES,
    roles_of=roles_of,
    history_model=BulletinEvent,
    history_fk="bulletin",
    actions=Action,
    select_related=("office", "zone"),
    messages=engine.Messages(
        stale=gettext_lazy("Someone else changed this document; reload it and try again."),
        illegal=gettext_lazy("You cannot %(action)s: the document is “%(status)s”."),
        not_permitted=gettext_lazy("Only the office administrator may %(action)s."),
        note_required=gettext_lazy("Give the reason to %(action)s."),
    ),
)


def publish(bulletin, actor, *, expected_version=None, apply=None) -> Bulletin:
    return engine.transition(
        BULLETIN_WORKFLOW,
        bulletin,
        Action.PUBLISH,
        actor,
        expected_version=expected_version,
        apply=apply,
    )


def withdraw(bulletin, actor, *, note: str, expected_version=None) -> Bulletin:
    return engine.transition(
        BULLETIN_WORKFLOW,
        bulletin,
        Action.WITHDRAW,
        actor,
        expected_version=expected_version,
        note=note,
    )


def lock(bulletin, expected_version=None) -> Bulletin:
    return engine.lock(BULLETIN_WORKFLOW, bulletin, expected_version)


def record_event(bulletin, action: str, actor, data=None, note: str = "") -> None:
    """A history line that changes no status ("created", "edited", "reminded", ...)."""
    engine.record(
        BULLETIN_WORKFLOW,
        bulletin,
        action,
        actor,
        from_status=bulletin.status,
        note=note,
        data=data,
    )


def actions_for(bulletin, actor) -> list[str]:
    return engine.allowed_actions(BULLETIN_WORKFLOW, bulletin, actor)
