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
from django.utils.translation import gettext_lazy

from dudao.core.revisions import revision_workflow, stamp_published

from .models import Framework, FrameworkEvent


class Action(models.TextChoices):
    PUBLISH = "publish", gettext_lazy("publish the framework")
    RETIRE = "retire", gettext_lazy("retire the framework")


def _guard_publish(framework: Framework, step) -> None:
    from .framework_services import require_publishable

    require_publishable(framework)


def _effect_publish(framework: Framework, step) -> None:
    from .framework_services import spec_of

    stamp_published(framework, step)
    framework.total_max = spec_of(framework).total_max


# Draft → published → retired, by the office admin or the platform (dudao.core.revisions).
FRAMEWORK_WORKFLOW = revision_workflow(
    Framework,
    history_model=FrameworkEvent,
    history_fk="framework",
    actions=Action,
    guard=_guard_publish,
    effect=_effect_publish,
)
