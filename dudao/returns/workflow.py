"""The two workflows of periodic returns (报送), through the engine (`dudao.core.workflow`):

- a return: draft → active (its periods open and every school gets a row) → closed;
- a school's report for one period: pending (not reported) → draft (saved) → submitted
  (reported); a school may revise a submitted report until the end of its due date
  (Beijing time): after that it is the figure the office counts, and stays as reported.

Who acts: the office admin of the return's office on a return; the school itself on its own
report (never the office: a report is the school's word). Reminders and the opening of
periods are history lines (`record`) that change no status.
"""

import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dudao.accounts.models import Role
from dudao.core import guards
from dudao.core import workflow as engine
from dudao.core.errors import DomainError
from dudao.core.workflow import Rule, Step

from .models import PeriodicReturn, ReturnEvent, ReturnSubmission, SubmissionEvent

OFFICE, SCHOOL = "office_admin", "school"


def local_today() -> datetime.date:
    return timezone.localdate()


# --- the return ----------------------------------------------------------------------------


class ReturnAction(models.TextChoices):
    ACTIVATE = "activate", gettext_lazy("start the return")
    CLOSE = "close", gettext_lazy("close the return")


RETURN_TRANSITIONS: dict[tuple[str, str], str] = {
    (PeriodicReturn.Status.DRAFT, ReturnAction.ACTIVATE): PeriodicReturn.Status.ACTIVE,
    (PeriodicReturn.Status.ACTIVE, ReturnAction.CLOSE): PeriodicReturn.Status.CLOSED,
}


def require_schools(periodic_return: PeriodicReturn, step: Step | None = None) -> None:
    """A return starts with at least one school to report."""
    if not periodic_return.schools.exists():
        raise DomainError(_("Choose the schools that must report."), field="schools")


RETURN_RULES: dict[str, Rule] = {
    ReturnAction.ACTIVATE: Rule(frozenset({OFFICE}), guard=require_schools),
    ReturnAction.CLOSE: Rule(frozenset({OFFICE})),
}


def return_roles_of(actor, periodic_return: PeriodicReturn) -> set[str]:
    if guards.is_office_admin(actor, periodic_return.office_id):  # the superuser rule included
        return {OFFICE}
    return set()


RETURN_WORKFLOW = engine.Workflow(
    model=PeriodicReturn,
    transitions=RETURN_TRANSITIONS,
    rules=RETURN_RULES,
    roles_of=return_roles_of,
    history_model=ReturnEvent,
    history_fk="periodic_return",
    actions=ReturnAction,
    select_related=("checklist",),
    messages=engine.Messages(
        stale=gettext_lazy("Someone else changed this return; reload it and try again."),
        illegal=gettext_lazy("You cannot %(action)s: the return is “%(status)s”."),
        not_permitted=gettext_lazy("Only the office administrator may %(action)s."),
    ),
)


def activate(periodic_return, actor, *, expected_version=None, apply=None) -> PeriodicReturn:
    return engine.transition(
        RETURN_WORKFLOW,
        periodic_return,
        ReturnAction.ACTIVATE,
        actor,
        expected_version=expected_version,
        apply=apply,
    )


def close(periodic_return, actor, *, expected_version=None) -> PeriodicReturn:
    return engine.transition(
        RETURN_WORKFLOW,
        periodic_return,
        ReturnAction.CLOSE,
        actor,
        expected_version=expected_version,
    )


def record_return_event(periodic_return, action: str, actor, data=None) -> None:
    """A history line that changes no status ("created", "edited", "periods_opened")."""
    engine.record(
        RETURN_WORKFLOW,
        periodic_return,
        action,
        actor,
        from_status=periodic_return.status,
        data=data,
    )


def return_actions(periodic_return, actor) -> list[str]:
    return engine.allowed_actions(RETURN_WORKFLOW, periodic_return, actor)


# --- a school's report ---------------------------------------------------------------------


class SubmissionAction(models.TextChoices):
    SAVE = "save", gettext_lazy("save the draft")
    SUBMIT = "submit", gettext_lazy("report")
    REVISE = "revise", gettext_lazy("revise the report")


S = ReturnSubmission.Status
SUBMISSION_TRANSITIONS: dict[tuple[str, str], str] = {
    (S.PENDING, SubmissionAction.SAVE): S.DRAFT,
    (S.DRAFT, SubmissionAction.SAVE): S.DRAFT,
    (S.PENDING, SubmissionAction.SUBMIT): S.SUBMITTED,
    (S.DRAFT, SubmissionAction.SUBMIT): S.SUBMITTED,
    (S.SUBMITTED, SubmissionAction.REVISE): S.SUBMITTED,
}


def is_late(submission: ReturnSubmission, at: datetime.datetime) -> bool:
    """Reported after the end of the due date, Beijing time."""
    return timezone.localtime(at).date() > submission.period.due_on


def require_open(submission: ReturnSubmission, step: Step | None = None) -> None:
    """A report is written once its period has opened, while the return runs."""
    period = submission.period
    if period.periodic_return.status != PeriodicReturn.Status.ACTIVE:
        raise DomainError(_("This return is not running."))
    if period.opens_on > local_today():
        raise DomainError(_("This period has not opened yet."))


def require_revisable(submission: ReturnSubmission, step: Step | None = None) -> None:
    """A report may be revised until the end of its due date; then it stands as reported."""
    require_open(submission)
    if local_today() > submission.period.due_on:
        raise DomainError(_("The due date has passed: this report can no longer be changed."))


def _effect_submit(submission: ReturnSubmission, step: Step) -> None:
    now = timezone.now()
    submission.submitted_at = now
    submission.submitted_by = step.actor if getattr(step.actor, "pk", None) else None
    submission.is_late = is_late(submission, now)


def _effect_revise(submission: ReturnSubmission, step: Step) -> None:
    # The first report's time stays: it decides whether the school was on time.
    submission.submitted_by = step.actor if getattr(step.actor, "pk", None) else None


SUBMISSION_RULES: dict[str, Rule] = {
    SubmissionAction.SAVE: Rule(frozenset({SCHOOL}), guard=require_open),
    SubmissionAction.SUBMIT: Rule(frozenset({SCHOOL}), guard=require_open, effect=_effect_submit),
    SubmissionAction.REVISE: Rule(
        frozenset({SCHOOL}), guard=require_revisable, effect=_effect_revise
    ),
}


def submission_roles_of(actor, submission: ReturnSubmission) -> set[str]:
    if (
        guards.has_role(actor, Role.SCHOOL)
        and actor.school_id is not None
        and actor.school_id == submission.school_id
    ):
        return {SCHOOL}
    return set()


SUBMISSION_WORKFLOW = engine.Workflow(
    model=ReturnSubmission,
    transitions=SUBMISSION_TRANSITIONS,
    rules=SUBMISSION_RULES,
    roles_of=submission_roles_of,
    history_model=SubmissionEvent,
    history_fk="submission",
    actions=SubmissionAction,
    select_related=("period__periodic_return", "school"),
    messages=engine.Messages(
        stale=gettext_lazy("Someone else changed this report; reload it and try again."),
        illegal=gettext_lazy("You cannot %(action)s: the report is “%(status)s”."),
        not_permitted=gettext_lazy("Only the school itself may %(action)s."),
    ),
)


def transition_submission(submission, action: str, actor, *, apply=None) -> ReturnSubmission:
    return engine.transition(SUBMISSION_WORKFLOW, submission, action, actor, apply=apply)


def lock_submission(submission) -> ReturnSubmission:
    return engine.lock(SUBMISSION_WORKFLOW, submission)


def check_submission(submission, action: str, actor) -> None:
    engine.check(SUBMISSION_WORKFLOW, submission, action, actor)


def record_reminder(submission, actor, data=None) -> None:
    engine.record(
        SUBMISSION_WORKFLOW,
        submission,
        "remind",
        actor,
        from_status=submission.status,
        data=data,
    )


def submission_actions(submission, actor) -> list[str]:
    return engine.allowed_actions(SUBMISSION_WORKFLOW, submission, actor)
