"""A checklist revision's workflow: draft → published → retired, through the engine
(`dudao.core.workflow`), with a ChecklistEvent and an audit row per step.

- publish: the office admin of the checklist's office (an office's own draft) or the platform
  (SYSTEM, a built-in loaded from `dudao/checklists/builtin/`). The guard is the full check of
  `services.publish_problems`: a revision that a campaign could not run is never published.
- retire: the same people; a retired revision stays readable for the campaigns and returns
  that ran it, and is offered for nothing new.

A published revision is never changed again (`services` refuses every edit of it); changing
it means a new revision (`services.new_revision`).
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from dudao.core import guards
from dudao.core import workflow as engine
from dudao.core.workflow import Rule, Step

from .models import ChecklistEvent, ChecklistTemplate

OFFICE, PLATFORM = "office_admin", "system"
Status = ChecklistTemplate.Status


class Action(models.TextChoices):
    PUBLISH = "publish", gettext_lazy("publish the checklist")
    RETIRE = "retire", gettext_lazy("retire the checklist")


TRANSITIONS: dict[tuple[str, str], str] = {
    (Status.DRAFT, Action.PUBLISH): Status.PUBLISHED,
    (Status.PUBLISHED, Action.RETIRE): Status.RETIRED,
}


def roles_of(actor, checklist: ChecklistTemplate) -> set[str]:
    """The platform for every checklist; the office admin for its office's own ones (never a
    built-in: offices copy those)."""
    if guards.is_system(actor):
        return {PLATFORM}
    if checklist.office_id and guards.is_office_admin(actor, checklist.office_id):
        return {OFFICE}
    return set()


def _guard_publish(checklist: ChecklistTemplate, step: Step) -> None:
    from .services import require_publishable

    require_publishable(checklist)


def _effect_publish(checklist: ChecklistTemplate, step: Step) -> None:
    checklist.published_at = timezone.now()


RULES: dict[str, Rule] = {
    Action.PUBLISH: Rule(
        frozenset({OFFICE, PLATFORM}), guard=_guard_publish, effect=_effect_publish
    ),
    Action.RETIRE: Rule(frozenset({OFFICE, PLATFORM})),
}

CHECKLIST_WORKFLOW = engine.Workflow(
    model=ChecklistTemplate,
    transitions=TRANSITIONS,
    rules=RULES,
    roles_of=roles_of,
    history_model=ChecklistEvent,
    history_fk="template",
    actions=Action,
)
