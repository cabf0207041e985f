"""The complaint's workflow (投诉举报办理), through the engine (`dudao.core.workflow`): every change
of status is a transition with a ComplaintEvent and an audit row, and
`dudao.core.workflow.transitioned` (sender=Complaint) after commit, which the notifications
hear (`receivers.py`).

    received ─assign→ assigned ─start→ investigating ─reply→ replied ─close→ closed
        │                 │                  │
        └──── transfer (转办) → transferred, merge (合并) → merged ────┘

- **assign** (分办): the office chooses the inspector (not one who must recuse from the school,
  docs/rules.md §3) and may move the deadline; also to reassign an assigned or investigated
  complaint.
- **start**: the assigned inspector (or the office) starts investigating (核查).
- **reply** (答复): the assigned inspector sends the reply they drafted, or the office does
  (an enquiry the office answers at once goes straight from received to replied). The
  sender reads it with the tracking code.
- **close** (办结): the office, after the reply.
- **transfer** (转办): the office hands it to another department (named), and the sender is
  told which.
- **merge** (合并): the office marks it a duplicate of another complaint; the platform does so
  by itself at intake for the same text about the same school from the same address within
  24 hours (`services.submit_complaint`). A merged complaint is not counted in the figures.
- **reopen**: the office takes back a reply (replied or closed → investigating), a transfer or
  a merge (→ received), with a note.

Lateness is not a status: the daily check (`overdue.py`) flags an open complaint past its
deadline overdue and urges its inspector and the office, with history lines that change no
status ("overdue", "urged").

Who may act:
- "office_admin": an office admin of the complaint's office;
- "inspector": the inspector the complaint is assigned to (inspector or zone leader role);
- "system": the platform, which only merges a duplicate at intake.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dudao.accounts.models import Role
from dudao.core import guards
from dudao.core import workflow as engine
from dudao.core.errors import DomainError, IllegalTransition
from dudao.core.workflow import Rule, Step
from dudao.inspectors.models import Inspector
from dudao.inspectors.queries import barred_pairs

from .models import OPEN_STATUSES, Complaint, ComplaintEvent, Status

OFFICE, INSPECTOR, PLATFORM = "office_admin", "inspector", "system"
MAX_REPLY = 5000
MAX_DEPARTMENT = 100


class Action(models.TextChoices):
    ASSIGN = "assign", gettext_lazy("assign to an inspector")
    START = "start", gettext_lazy("start investigating")
    REPLY = "reply", gettext_lazy("send the reply")
    CLOSE = "close", gettext_lazy("close the complaint")
    TRANSFER = "transfer", gettext_lazy("transfer to another department")
    MERGE = "merge", gettext_lazy("merge as a duplicate")
    REOPEN = "reopen", gettext_lazy("reopen")


class Event:
    """ComplaintEvent actions written outside the table (no status change)."""

    RECEIVED = "received"
    DRAFT_SAVED = "draft_saved"
    OVERDUE = "overdue"
    OVERDUE_CLEARED = "overdue_cleared"
    URGED = "urged"
    FINDING_RAISED = "finding_raised"


TRANSITIONS: dict[tuple[str, str], str] = {
    (Status.RECEIVED, Action.ASSIGN): Status.ASSIGNED,
    (Status.ASSIGNED, Action.ASSIGN): Status.ASSIGNED,
    (Status.INVESTIGATING, Action.ASSIGN): Status.ASSIGNED,
    (Status.ASSIGNED, Action.START): Status.INVESTIGATING,
    **{(s, Action.REPLY): Status.REPLIED for s in OPEN_STATUSES},
    (Status.REPLIED, Action.CLOSE): Status.CLOSED,
    **{(s, Action.TRANSFER): Status.TRANSFERRED for s in OPEN_STATUSES},
    **{(s, Action.MERGE): Status.MERGED for s in OPEN_STATUSES},
    (Status.REPLIED, Action.REOPEN): Status.INVESTIGATING,
    (Status.CLOSED, Action.REOPEN): Status.INVESTIGATING,
    (Status.TRANSFERRED, Action.REOPEN): Status.RECEIVED,
    (Status.MERGED, Action.REOPEN): Status.RECEIVED,
}


def root_of(complaint: Complaint) -> Complaint:
    """The complaint a duplicate was merged into, following merges of merges."""
    seen = set()
    while complaint.duplicate_of_id:
        if complaint.pk in seen:  # a cycle cannot be made (_guard_merge), but never loop
            break
        seen.add(complaint.pk)
        complaint = Complaint.objects.unscoped().get(pk=complaint.duplicate_of_id)
    return complaint


# --- guards and effects ----------------------------------------------------------------------


def _today():
    return timezone.localdate()


def _guard_assign(complaint: Complaint, step: Step) -> None:
    if not step.data:
        return  # allowed_actions asks without data: the service always passes `inspector`
    inspector = step.data.get("inspector")
    if not isinstance(inspector, Inspector):
        raise DomainError(_("Choose the inspector."), field="inspector")
    if inspector.office_id != complaint.office_id or not inspector.is_active:
        raise DomainError(_("Choose an active inspector of this office."), field="inspector")
    if complaint.school_id:
        reason = barred_pairs([(inspector.pk, complaint.school_id)]).get(
            (inspector.pk, complaint.school_id)
        )
        if reason:
            raise DomainError(reason, field="inspector")
    deadline = step.data.get("deadline")
    if deadline is not None and deadline != complaint.deadline and deadline < _today():
        raise DomainError(_("The day the reply is due is in the past."), field="deadline")


def _effect_assign(complaint: Complaint, step: Step) -> None:
    complaint.inspector = step.data["inspector"]
    complaint.assigned_at = timezone.now()
    deadline = step.data.get("deadline")
    if deadline is not None and deadline != complaint.deadline:
        complaint.deadline = deadline
        if deadline >= _today():
            complaint.is_overdue = False


def reply_text_of(complaint: Complaint, step: Step) -> str:
    return (step.data.get("reply") or complaint.reply_text or "").strip()


def _guard_reply(complaint: Complaint, step: Step) -> None:
    if not step.data:
        return  # allowed_actions asks without data: the service always passes `reply`
    text = reply_text_of(complaint, step)
    if not text:
        raise DomainError(_("Write the reply to the sender."), field="reply")
    if len(text) > MAX_REPLY:
        raise DomainError(
            _("The reply is too long (at most %(n)s characters).") % {"n": MAX_REPLY},
            field="reply",
        )


def _effect_reply(complaint: Complaint, step: Step) -> None:
    complaint.reply_text = reply_text_of(complaint, step)
    complaint.replied_at = timezone.now()
    complaint.is_overdue = False


def _effect_close(complaint: Complaint, step: Step) -> None:
    complaint.closed_at = timezone.now()


def _guard_transfer(complaint: Complaint, step: Step) -> None:
    if not step.data:
        return  # allowed_actions asks without data: the service always passes `department`
    department = (step.data.get("department") or "").strip()
    if not department:
        raise DomainError(_("Name the department it goes to."), field="department")
    if len(department) > MAX_DEPARTMENT:
        raise DomainError(_("The department's name is too long."), field="department")


def _effect_transfer(complaint: Complaint, step: Step) -> None:
    complaint.transferred_to = step.data["department"].strip()
    complaint.is_overdue = False


def _guard_merge(complaint: Complaint, step: Step) -> None:
    if not step.data:
        return  # allowed_actions asks without data: the service always passes `original`
    original = step.data.get("original")
    if not isinstance(original, Complaint):
        raise DomainError(_("Enter the tracking code of the earlier complaint."), field="original")
    if original.office_id != complaint.office_id:
        raise DomainError(_("No complaint of this office has that code."), field="original")
    root = root_of(original)
    if root.pk == complaint.pk:
        raise DomainError(_("A complaint cannot be merged into itself."), field="original")


def _effect_merge(complaint: Complaint, step: Step) -> None:
    complaint.duplicate_of = root_of(step.data["original"])
    complaint.is_overdue = False


def _effect_reopen(complaint: Complaint, step: Step) -> None:
    complaint.closed_at = None
    complaint.replied_at = None
    complaint.transferred_to = ""
    complaint.duplicate_of = None
    complaint.is_overdue = False  # the daily check flags it again, with its line and message


RULES: dict[str, Rule] = {
    Action.ASSIGN: Rule(frozenset({OFFICE}), guard=_guard_assign, effect=_effect_assign),
    Action.START: Rule(frozenset({INSPECTOR, OFFICE})),
    Action.REPLY: Rule(frozenset({INSPECTOR, OFFICE}), guard=_guard_reply, effect=_effect_reply),
    Action.CLOSE: Rule(frozenset({OFFICE}), effect=_effect_close),
    Action.TRANSFER: Rule(frozenset({OFFICE}), guard=_guard_transfer, effect=_effect_transfer),
    Action.MERGE: Rule(frozenset({OFFICE, PLATFORM}), guard=_guard_merge, effect=_effect_merge),
    Action.REOPEN: Rule(frozenset({OFFICE}), note_required=True, effect=_effect_reopen),
}


def roles_of(actor, complaint: Complaint) -> set[str]:
    """The actor's roles with respect to this complaint. The superuser has none (the guards'
    predicates); SYSTEM only merges duplicates at intake."""
    if guards.is_system(actor):
        return {PLATFORM}
    if actor is None or not getattr(actor, "pk", None) or not actor.is_active:
        return set()
    roles = set()
    if guards.is_office_admin(actor, complaint.office_id):
        roles.add(OFFICE)
    if (
        guards.has_role(actor, Role.INSPECTOR, Role.ZONE_LEADER)
        and actor.inspector_id
        and actor.inspector_id == complaint.inspector_id
    ):
        roles.add(INSPECTOR)
    return roles


COMPLAINT_WORKFLOW = engine.Workflow(
    model=Complaint,
    transitions=TRANSITIONS,
    rules=RULES,
    roles_of=roles_of,
    history_model=ComplaintEvent,
    history_fk="complaint",
    actions=Action,
    version_required=True,  # every change names the version the user saw
    select_related=("office", "school", "inspector"),
    messages=engine.Messages(
        stale=gettext_lazy("Someone else changed this complaint; reload it and try again."),
        illegal=gettext_lazy("You cannot %(action)s: the complaint is “%(status)s”."),
        not_permitted=gettext_lazy("You may not %(action)s on this complaint."),
    ),
)


def allowed_actions(complaint: Complaint, actor) -> list[str]:
    """What the page may offer this actor now (table and role; the input a form supplies is
    checked on submit). The platform's own merge is never offered to a person."""
    return engine.allowed_actions(COMPLAINT_WORKFLOW, complaint, actor)


def transition(complaint, action: str, actor, *, expected_version, note: str = "", **data):
    """Take `action` as `actor`; raises StaleObject, IllegalTransition, NotPermitted or a
    DomainError naming the field."""
    return engine.transition(
        COMPLAINT_WORKFLOW,
        complaint,
        action,
        actor,
        expected_version=expected_version,
        note=note,
        **data,
    )


def lock(complaint, expected_version=None) -> Complaint:
    return engine.lock(COMPLAINT_WORKFLOW, complaint, expected_version)


def record_event(complaint, action: str, actor, *, note: str = "", data=None, from_status=None):
    """A history line that changes no status (received, a draft saved, overdue, urged, a
    finding raised); the signal goes out after commit. `from_status` "" for the first line."""
    return engine.record(
        COMPLAINT_WORKFLOW,
        complaint,
        action,
        actor,
        from_status=complaint.status if from_status is None else from_status,
        note=note,
        data=data,
    )


def require_open(complaint: Complaint) -> None:
    if complaint.status not in OPEN_STATUSES:
        raise IllegalTransition(
            _("The complaint is “%(status)s”: its reply can no longer be changed.")
            % {"status": complaint.get_status_display()}
        )
