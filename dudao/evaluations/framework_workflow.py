"""An indicator framework revision's workflow (指标体系): draft → published → retired, through
the engine (`dudao.core.workflow`), with a FrameworkEvent and an audit row per step.

- publish: the office admin of the framework's office (an office's own draft) or the platform
  (SYSTEM, a built-in loaded from `dudao/evaluations/builtin/`). The guard is the whole tree
  checked by the framework engine (`framework_services.require_publishable`: children's
  maxima add up to their parent's, codes once, known parents, no cycle, a method on every
  leaf…); the effect stamps `published_at` and `total_max`.
- retire: the same people; a retired revision stays readable for the rounds that ran it and
  is offered for nothing new.

A published revision is never changed again (`framework_services` refuses every edit of it): a
round keeps the revision it started with. Changing it means a new revision
(`framework_services.new_revision`).
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from dudao.core import guards
from dudao.core import workflow as engine
from dudao.core.workflow import Rule, Step

from .models import Framework, FrameworkEvent

OFFICE, PLATFORM = "office_admin", "system"
Status = Framework.Status


class Action(models.TextChoices):
    PUBLISH = "publish", gettext_lazy("publish the framework")
    RETIRE = "retire", gettext_lazy("retire the framework")


TRANSITIONS: dict[tuple[str, str], str] = {
    (Status.DRAFT, Action.PUBLISH): Status.PUBLISHED,
    (Status.PUBLISHED, Action.RETIRE): Status.RETIRED,
}


def roles_of(actor, framework: Framework) -> set[str]:
    """The platform for every framework; the office admin for its office's own ones (never a
    built-in: offices copy those)."""
    if guards.is_system(actor):
        return {PLATFORM}
    if framework.office_id and guards.is_office_admin(actor, framework.office_id):
        return {OFFICE}
    return set()


def _guard_publish(framework: Framework, step: Step) -> None:
    from .framework_services import require_publishable

    require_publishable(framework)


def _effect_publish(framework: Framework, step: Step) -> None:
    from .framework_services import spec_of

    framework.published_at = timezone.now()
    framework.total_max = spec_of(framework).total_max


RULES: dict[str, Rule] = {
    Action.PUBLISH: Rule(
        frozenset({OFFICE, PLATFORM}), guard=_guard_publish, effect=_effect_publish
    ),
    Action.RETIRE: Rule(frozenset({OFFICE, PLATFORM})),
}

FRAMEWORK_WORKFLOW = engine.Workflow(
    model=Framework,
    transitions=TRANSITIONS,
    rules=RULES,
    roles_of=roles_of,
    history_model=FrameworkEvent,
    history_fk="framework",
    actions=Action,
)
