"""The visit's workflow: draft → submitted, through the engine (`dudao.core.workflow`), with a
VisitEvent and an audit row, and `dudao.core.workflow.transitioned` sent after commit
(sender=Visit).

Who may submit: whoever recorded the visit, or an office admin of the visit's office
(entering a paper record).
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dudao.core import guards
from dudao.core import workflow as engine
from dudao.core.errors import DomainError
from dudao.core.workflow import Rule, Step

from .models import Visit, VisitEvent

RECORDER, OFFICE = "recorder", "office_admin"


class Action(models.TextChoices):
    SUBMIT = "submit", gettext_lazy("submit the visit")


TRANSITIONS: dict[tuple[str, str], str] = {
    (Visit.Status.DRAFT, Action.SUBMIT): Visit.Status.SUBMITTED,
}


def require_visit_time(visit: Visit, step: Step | None = None) -> None:
    """A visit is submitted with the date and time it took place."""
    if visit.visited_at is None:
        raise DomainError(_("Enter the date and time of the visit."), field="visited_at")


def _effect_submit(visit: Visit, step: Step) -> None:
    visit.submitted_at = timezone.now()


RULES: dict[str, Rule] = {
    Action.SUBMIT: Rule(
        frozenset({RECORDER, OFFICE}), guard=require_visit_time, effect=_effect_submit
    ),
}


def roles_of(actor, visit: Visit) -> set[str]:
    roles = set()
    if actor is None or not getattr(actor, "pk", None):
        return roles
    if visit.created_by_id == actor.pk:
        roles.add(RECORDER)
    if guards.is_office_admin(actor, visit.office_id):  # the superuser rule included
        roles.add(OFFICE)
    return roles


VISIT_WORKFLOW = engine.Workflow(
    model=Visit,
    transitions=TRANSITIONS,
    rules=RULES,
    roles_of=roles_of,
    history_model=VisitEvent,
    history_fk="visit",
    actions=Action,
    select_related=("school", "created_by"),
    messages=engine.Messages(
        stale=gettext_lazy("Someone else changed this visit; reload it and try again."),
        illegal=gettext_lazy("You cannot %(action)s: the visit is “%(status)s”."),
        not_permitted=gettext_lazy("This visit was recorded by someone else."),
    ),
)


def allowed_actions(visit: Visit, actor) -> list[str]:
    return engine.allowed_actions(VISIT_WORKFLOW, visit, actor)


def submit(visit: Visit, actor, *, expected_version=None) -> Visit:
    """Draft → submitted (the caller has saved the visit's fields and items)."""
    return engine.transition(
        VISIT_WORKFLOW, visit, Action.SUBMIT, actor, expected_version=expected_version
    )


FEEDBACK_ISSUED = "feedback_issued"


def record_feedback_issued(visit: Visit, actor) -> None:
    """A history line, no status change: the written feedback went to the school."""
    engine.record(VISIT_WORKFLOW, visit, FEEDBACK_ISSUED, actor, from_status=visit.status)
