"""The workflow engine: the one place where a status changes.

A `Workflow` describes one model's state machine:

- a transition table {(current status, action): new status}; a pair not in the table is
  refused (IllegalTransition);
- a `Rule` per action: the roles that may take it (`roles_of(actor, obj)` gives the actor's
  roles with respect to the object; NotPermitted otherwise), whether a note is required, a
  `guard` for further preconditions (raises a DomainError) and an `effect` that changes the
  locked object beside its status (and may return extra history lines);
- the history model (a `dudao.core.history.HistoryRecord`) and its foreign key to the object;
- the signal sent after commit (`transitioned` unless the workflow names its own).

`transition(workflow, obj_or_pk, action, actor, expected_version=..., note=..., **data)` runs
one transition in one transaction: lock the row (select_for_update), check the version the
user saw (StaleObject), check the table, the role, the note and the guard, set the status,
apply the effect, bump the version, save, write the history row and the audit row, and send
the signal once the transaction commits, so a receiver never sees a change that was rolled
back. `allowed_actions(workflow, obj, actor)` gives what the UI may offer.

Only this module assigns a workflow status (tests/core/test_workflow_only_assigns_status.py
fails otherwise). A module adds a workflow by defining its table, rules, roles and history
model in its own `workflow.py` and calling `transition` from its services.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _

from dudao.audit import services as audit

from .errors import DomainError, IllegalTransition, NotPermitted, StaleObject

__all__ = [
    "DomainError",
    "IllegalTransition",
    "Messages",
    "NotPermitted",
    "Rule",
    "StaleObject",
    "Step",
    "Workflow",
    "allowed_actions",
    "lock",
    "record",
    "transition",
    "transitioned",
]

# transitioned(sender=<model>, instance=<object>, event=<history row>, action=str,
#              workflow=Workflow): sent after commit for every history row of a workflow
# that does not name its own signal (a workflow's own signal gets the same arguments, the
# object under its `signal_instance_arg`).
transitioned = Signal()

ExtraEvents = Iterable[tuple[str, str, dict]]  # (action, note, data)


@dataclass(frozen=True)
class Step:
    """What a guard or an effect is told about the transition being taken."""

    actor: Any
    action: str
    from_status: str
    to_status: str
    note: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    """Who may take an action and what else it needs and does.

    guard(obj, step): raise a DomainError (IllegalTransition, NotPermitted, ...) to refuse.
    effect(obj, step): change the locked object beside its status; may return extra history
    lines as (action, note, data), written after the transition's own line, with no actor."""

    roles: frozenset
    note_required: bool = False
    guard: Callable[[models.Model, Step], None] | None = None
    effect: Callable[[models.Model, Step], ExtraEvents | None] | None = None


STALE = _("Someone else changed this record; reload it and try again.")
ILLEGAL = _("You cannot %(action)s: the status is “%(status)s”.")
NOT_PERMITTED = _("You may not %(action)s.")
NOTE_REQUIRED = _("Add a note to %(action)s.")
UNKNOWN_ACTION = _("Unknown action: %(action)s.")


@dataclass(frozen=True)
class Messages:
    """The refusals a user may see (lazy translations). %(action)s is the action's label,
    %(status)s the current status's label."""

    stale: Any = STALE
    illegal: Any = ILLEGAL
    not_permitted: Any = NOT_PERMITTED
    note_required: Any = NOTE_REQUIRED
    unknown_action: Any = UNKNOWN_ACTION


@dataclass(frozen=True)
class Workflow:
    model: type[models.Model]
    transitions: Mapping[tuple[str, str], str]
    rules: Mapping[str, Rule]
    roles_of: Callable[[Any, models.Model], set]
    history_model: type[models.Model]
    history_fk: str
    actions: type[models.TextChoices] | None = None  # labels of the actions
    status_field: str = "status"
    # Optimistic concurrency: the version the user saw. With `version_required`, a missing
    # expected version is refused as stale; without, it skips the check (server-side callers
    # that hold the lock already).
    version_field: str | None = "version"
    version_required: bool = False
    select_related: tuple[str, ...] = ()
    signal: Signal = transitioned
    signal_instance_arg: str = "instance"  # the keyword the signal passes the object as
    messages: Messages = Messages()

    def __post_init__(self):
        statuses = {str(value) for value, _label in self._status_choices()}
        for (status, action), new_status in self.transitions.items():
            if action not in self.rules:
                raise ValueError(f"{self.name}: no rule for action {action!r}")
            unknown = {str(status), str(new_status)} - statuses
            if statuses and unknown:
                raise ValueError(f"{self.name}: unknown statuses {sorted(unknown)}")

    @property
    def name(self) -> str:
        return self.model._meta.label

    def _status_choices(self):
        return self.model._meta.get_field(self.status_field).flatchoices

    def status_of(self, obj) -> str:
        return getattr(obj, self.status_field)

    def status_label(self, status: str) -> str:
        return str(dict(self._status_choices()).get(status, status))

    def action_label(self, action: str) -> str:
        if self.actions is not None and action in self.actions.values:
            return str(self.actions(action).label)
        return action

    def next_status(self, obj, action: str) -> str | None:
        return self.transitions.get((self.status_of(obj), action))


def _rows(model: type[models.Model]) -> models.QuerySet:
    """Every row of `model`: the engine acts on an object its caller (a service) has already
    authorised, so a scoped model's query is unscoped on purpose (`dudao.core.scopes`)."""
    manager = model.objects
    return manager.unscoped() if hasattr(manager, "unscoped") else manager.all()


def lock(workflow: Workflow, obj, expected_version=None):
    """Lock the object's row and check it is still the version the user saw. Call inside a
    transaction. Returns the fresh, locked object."""
    pk = obj.pk if isinstance(obj, models.Model) else obj
    locked = (
        _rows(workflow.model)
        .select_for_update(of=("self",))
        .select_related(*workflow.select_related)
        .get(pk=pk)
    )
    if workflow.version_field:
        if expected_version is None:
            stale = workflow.version_required
        else:
            stale = getattr(locked, workflow.version_field) != int(expected_version)
        if stale:
            raise StaleObject(str(workflow.messages.stale))
    return locked


def record(workflow: Workflow, obj, action: str, actor, *, from_status: str, note="", data=None):
    """Append a history line (to_status: the object's status now) and send the workflow's
    signal once the transaction commits. Also for events that do not change the status
    ("created", "overdue", ...)."""
    event = _rows(workflow.history_model).create(
        **{workflow.history_fk: obj},
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=str(actor) if actor is not None else "",
        action=action,
        from_status=from_status,
        to_status=workflow.status_of(obj),
        note=note,
        data=data or {},
    )

    def send():
        workflow.signal.send(
            sender=workflow.model,
            **{workflow.signal_instance_arg: obj},
            event=event,
            action=action,
            workflow=workflow,
        )

    transaction.on_commit(send)
    return event


def check(workflow: Workflow, obj, action: str, actor, *, note: str = "", data=None) -> Step:
    """Every check of `transition` on an already locked object: the table, the role, the
    note and the guard. Returns the step to take; raises a DomainError."""
    messages = workflow.messages
    rule = workflow.rules.get(action)
    if rule is None:
        raise IllegalTransition(str(messages.unknown_action) % {"action": action})
    label = workflow.action_label(action)
    from_status = workflow.status_of(obj)
    to_status = workflow.transitions.get((from_status, action))
    if to_status is None:
        raise IllegalTransition(
            str(messages.illegal) % {"action": label, "status": workflow.status_label(from_status)}
        )
    if not (rule.roles & workflow.roles_of(actor, obj)):
        raise NotPermitted(str(messages.not_permitted) % {"action": label})
    if rule.note_required and not note:
        raise DomainError(str(messages.note_required) % {"action": label}, field="note")
    step = Step(actor, action, from_status, to_status, note, data or {})
    if rule.guard:
        rule.guard(obj, step)
    return step


def transition(
    workflow: Workflow,
    obj,
    action: str,
    actor,
    *,
    expected_version=None,
    note: str = "",
    apply: Callable[[models.Model], dict | None] | None = None,
    **data,
):
    """Take `action` on `obj` (an instance or a primary key) as `actor`. `apply(locked)` runs
    after every check and the save, before the history row is written (services create their
    related rows there); the dict it returns is added to the history row's data. Returns the
    updated object. Raises StaleObject, IllegalTransition, NotPermitted or DomainError."""
    with transaction.atomic():
        obj = lock(workflow, obj, expected_version)
        note = (note or "").strip()
        step = check(workflow, obj, action, actor, note=note, data=data)
        rule = workflow.rules[action]
        before = audit.snapshot(obj)
        setattr(obj, workflow.status_field, step.to_status)
        extra_events = (rule.effect(obj, step) if rule.effect else None) or []
        if workflow.version_field:
            setattr(obj, workflow.version_field, getattr(obj, workflow.version_field) + 1)
        obj.save()
        event_data = {key: audit.plain(value) for key, value in data.items()}
        if apply is not None:
            event_data.update(apply(obj) or {})
        record(
            workflow, obj, action, actor, from_status=step.from_status, note=note, data=event_data
        )
        for extra_action, extra_note, extra_data in extra_events:
            record(
                workflow,
                obj,
                extra_action,
                None,
                from_status=workflow.status_of(obj),
                note=extra_note,
                data=extra_data,
            )
        changes = audit.diff(before, audit.snapshot(obj))
        changes["action"] = action
        audit.record(actor, audit.Action.UPDATE, obj, changes)
        return obj


def allowed_actions(workflow: Workflow, obj, actor) -> list[str]:
    """The actions the UI may offer this actor now: the table, the role and the guard
    (preconditions that need input, such as a note, are checked on submit)."""
    roles = workflow.roles_of(actor, obj)
    status = workflow.status_of(obj)
    result = []
    for (from_status, action), to_status in workflow.transitions.items():
        rule = workflow.rules[action]
        if from_status != status or not (rule.roles & roles):
            continue
        if rule.guard:
            try:
                rule.guard(obj, Step(actor, action, from_status, to_status))
            except DomainError:
                continue
        result.append(action)
    return result
