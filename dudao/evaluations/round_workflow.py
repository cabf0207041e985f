"""An evaluation round's workflow (评估轮次): in preparation → self-assessment (自评) → expert
scoring (专家评分) → review (审核) → published (公布), through the engine
(`dudao.core.workflow`), with a RoundEvent and an audit row per step, and
`dudao.core.workflow.transitioned` sent after commit (sender=Round).

Who may act: an office admin of the round's office, nobody else.

- open: needs a published framework revision and at least one target, and grades that make
  sense (`round_services.open_problems`).
- review → expert scoring again (reopen): the office sends a round back when review finds a
  score to correct; the history keeps both steps.
- publish: the results are computed by the engine and stored on each target (total, grade,
  veto, every indicator's score), and each school below the pass grade gets a finding in the
  rectification ledger instead of the site visit (docs/rules.md §24).
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from dudao.core import guards
from dudao.core import workflow as engine
from dudao.core.errors import DomainError
from dudao.core.workflow import Rule, Step

from .models import Round, RoundEvent

OFFICE = "office_admin"
Stage = Round.Stage


class Action(models.TextChoices):
    OPEN = "open", gettext_lazy("open self-assessment")
    START_SCORING = "start_scoring", gettext_lazy("start expert scoring")
    START_REVIEW = "start_review", gettext_lazy("start the review")
    REOPEN = "reopen", gettext_lazy("send back to expert scoring")
    PUBLISH = "publish", gettext_lazy("publish the results")


TRANSITIONS: dict[tuple[str, str], str] = {
    (Stage.DRAFT, Action.OPEN): Stage.SELF_ASSESSMENT,
    (Stage.SELF_ASSESSMENT, Action.START_SCORING): Stage.EXPERT_SCORING,
    (Stage.EXPERT_SCORING, Action.START_REVIEW): Stage.REVIEW,
    (Stage.REVIEW, Action.REOPEN): Stage.EXPERT_SCORING,
    (Stage.REVIEW, Action.PUBLISH): Stage.PUBLISHED,
}

# History lines that change no stage.
CREATED = "created"
TARGETS_CHANGED = "targets_changed"
RATERS_CHANGED = "raters_changed"


def _guard_open(round_: Round, step: Step) -> None:
    from .round_services import open_problems

    problems = open_problems(round_)
    if problems:
        raise DomainError(" ".join(problems))


def _effect_publish(round_: Round, step: Step) -> None:
    round_.published_at = timezone.now()


RULES: dict[str, Rule] = {
    Action.OPEN: Rule(frozenset({OFFICE}), guard=_guard_open),
    Action.START_SCORING: Rule(frozenset({OFFICE})),
    Action.START_REVIEW: Rule(frozenset({OFFICE})),
    Action.REOPEN: Rule(frozenset({OFFICE}), note_required=True),
    Action.PUBLISH: Rule(frozenset({OFFICE}), effect=_effect_publish),
}


def roles_of(actor, round_: Round) -> set[str]:
    if actor is None or not getattr(actor, "pk", None):
        return set()
    if guards.is_office_admin(actor, round_.office_id):
        return {OFFICE}
    return set()


ROUND_WORKFLOW = engine.Workflow(
    model=Round,
    transitions=TRANSITIONS,
    rules=RULES,
    roles_of=roles_of,
    history_model=RoundEvent,
    history_fk="round",
    actions=Action,
    status_field="stage",
    select_related=("framework",),
    messages=engine.Messages(
        stale=gettext_lazy("Someone else changed this round; reload it and try again."),
        illegal=gettext_lazy("You cannot %(action)s: the round is at “%(status)s”."),
        not_permitted=gettext_lazy("Only the round's office may %(action)s."),
    ),
)


def allowed_actions(round_: Round, actor) -> list[str]:
    return engine.allowed_actions(ROUND_WORKFLOW, round_, actor)


def take(round_, action: str, actor, *, expected_version=None, note: str = "") -> Round:
    """Take one action of the table (open, start scoring, start review, reopen, publish).
    Publishing stores the results (`round_services.store_results`) in the same transaction."""
    apply = None
    if action == Action.PUBLISH:
        from .round_services import store_results

        def apply(locked):
            return store_results(locked, actor)

    return engine.transition(
        ROUND_WORKFLOW,
        round_,
        action,
        actor,
        expected_version=expected_version,
        note=note,
        apply=apply,
    )


def record_event(round_: Round, action: str, actor, *, note: str = "", data=None) -> None:
    """A history line that changes no stage (created, targets or raters changed)."""
    engine.record(
        ROUND_WORKFLOW, round_, action, actor, from_status=round_.stage, note=note, data=data
    )
