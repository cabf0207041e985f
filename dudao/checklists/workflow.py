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
from django.utils.translation import gettext_lazy

from dudao.core.revisions import revision_workflow

from .models import ChecklistEvent, ChecklistTemplate


class Action(models.TextChoices):
    PUBLISH = "publish", gettext_lazy("publish the checklist")
    RETIRE = "retire", gettext_lazy("retire the checklist")


def _guard_publish(checklist: ChecklistTemplate, step) -> None:
    from .services import require_publishable

    require_publishable(checklist)


# Draft → published → retired, by the office admin or the platform (dudao.core.revisions).
CHECKLIST_WORKFLOW = revision_workflow(
    ChecklistTemplate,
    history_model=ChecklistEvent,
    history_fk="template",
    actions=Action,
    guard=_guard_publish,
)
