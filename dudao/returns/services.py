"""Writes of periodic returns (报送). Every function takes the acting user first, runs in one
transaction, checks a guard (or the workflow's roles) before writing and leaves an audit row.

- the office: `create_return`, `update_return` (a draft; an active return only its title,
  end, reminders and schools), `activate_return`, `close_return`, `remind_period` ("remind
  now", at most once a day per school);
- the school: `save_draft`, `submit` (its own report only; a repeated form finds the same
  report: `client_uuid`);
- the platform, daily (`dudao.core.schedule`): `open_due_periods` and `send_reminders`, both
  idempotent.

Decisions (docs: returns): a report is late when it is first submitted after the end of its
due date (Beijing time); a school may revise a submitted report until the end of the due
date, after which it stands as reported (the office's figures do not move under it).
Photos are not collected by returns (a return's photo items are shown and skipped).
"""

import datetime
import math
import uuid
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.accounts.models import Role, User
from dudao.audit import services as audit
from dudao.checklists import answers
from dudao.checklists.models import AnswerType, ChecklistItem, ChecklistTemplate, Purpose
from dudao.core import guards, idempotency
from dudao.core.errors import DomainError, NotPermitted, StaleObject
from dudao.core.guards import SYSTEM
from dudao.notifications.services import notify
from dudao.schools.models import School

from . import schedule as calendar
from . import workflow
from .models import PeriodicReturn, ReturnAnswer, ReturnPeriod, ReturnSubmission, Schedule
from .workflow import SubmissionAction

S = ReturnSubmission.Status
TEXT_MAX = answers.TEXT_MAX
# Answers a school must give before it reports (free text is optional, photos not collected).
REQUIRED_TYPES = {AnswerType.YES_NO, AnswerType.LEVEL, AnswerType.NUMBER, AnswerType.CHOICE}
EDITABLE_WHEN_ACTIVE = ("title", "ends_on", "remind_days_before")
# Periods are created a day before they open (see `_open_periods`).
OPEN_AHEAD = datetime.timedelta(days=1)


class AnswersInvalid(DomainError):
    """Several answers refused at once: `errors` maps a form field ("item-<pk>") to its
    message."""

    def __init__(self, errors: dict[str, str]):
        field, message = next(iter(errors.items()))
        super().__init__(message, field=field)
        self.errors = errors


def answer_field(item) -> str:
    return f"item-{item.pk}"


# --- the return ----------------------------------------------------------------------------


def check_checklist(office_id, checklist: ChecklistTemplate | None) -> None:
    """A return runs a published revision of a checklist made for returns: a built-in one or
    the office's own."""
    if checklist is None:
        raise DomainError(_("Choose a checklist."), field="checklist")
    if (
        checklist.status != ChecklistTemplate.Status.PUBLISHED
        or checklist.purpose != Purpose.RETURN
        or (checklist.office_id is not None and checklist.office_id != office_id)
    ):
        raise DomainError(
            _("Choose a published checklist made for periodic returns."), field="checklist"
        )


def check_schedule(schedule, due_day, starts_on, ends_on, remind_days_before) -> None:
    if schedule not in Schedule.values:
        raise DomainError(_("Choose a schedule."), field="schedule")
    if schedule == Schedule.MONTHLY_ON_DAY and not (due_day and 1 <= due_day <= 28):
        raise DomainError(_("Give a day of the month from 1 to 28."), field="due_day")
    if schedule == Schedule.WEEKLY and not (due_day and 1 <= due_day <= 7):
        raise DomainError(_("Give a weekday from 1 (Monday) to 7 (Sunday)."), field="due_day")
    if starts_on is None:
        raise DomainError(_("Give the first day of the first period."), field="starts_on")
    if ends_on is not None and ends_on < starts_on:
        raise DomainError(_("The last due date comes after the first day."), field="ends_on")
    if remind_days_before is None or not 0 <= remind_days_before <= 30:
        raise DomainError(_("Remind from 0 to 30 days before."), field="remind_days_before")


def select_schools(office_id, *, types=(), zones=(), schools=()) -> list[int]:
    """The schools that must report: those listed, plus the office's active schools of the
    chosen types and zones (both filters when both are given); nothing chosen: every active
    school of the office."""
    base = School.objects.unscoped().filter(office_id=office_id)
    chosen = {s.pk if hasattr(s, "pk") else int(s) for s in schools}
    listed = set(base.filter(pk__in=chosen).values_list("pk", flat=True))
    if len(listed) != len(chosen):
        raise DomainError(_("Choose schools of this office."), field="schools")
    if types or zones or not chosen:
        active = base.filter(is_active=True)
        if types:
            active = active.filter(type__in=list(types))
        if zones:
            active = active.filter(zone__in=list(zones))
        listed |= set(active.values_list("pk", flat=True))
    if not listed:
        raise DomainError(_("No school matches this choice."), field="schools")
    return sorted(listed)


def _fields(obj, *, title, checklist, schedule, due_day, starts_on, ends_on, remind_days_before):
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Give the return a title."), field="title")
    if schedule not in (Schedule.MONTHLY_ON_DAY, Schedule.WEEKLY):
        due_day = None
    check_schedule(schedule, due_day, starts_on, ends_on, remind_days_before)
    check_checklist(obj.office_id, checklist)
    obj.title, obj.checklist, obj.schedule, obj.due_day = title, checklist, schedule, due_day
    obj.starts_on, obj.ends_on, obj.remind_days_before = starts_on, ends_on, remind_days_before


@transaction.atomic
def create_return(
    actor,
    office,
    *,
    title,
    checklist,
    schedule=Schedule.HALF_MONTHLY,
    due_day=None,
    starts_on,
    ends_on=None,
    remind_days_before=1,
    types=(),
    zones=(),
    schools=(),
    request_key=None,
) -> PeriodicReturn:
    """A draft return of `office` (nothing is asked of the schools until it is started). With
    the form's one-time `request_key`, a second submission returns the first return
    (dudao.core.idempotency)."""
    guards.require_office_admin(actor, office)
    guards.require_person(actor)

    def create():
        obj = PeriodicReturn(office_id=getattr(office, "pk", office), created_by=actor)
        _fields(
            obj,
            title=title,
            checklist=checklist,
            schedule=schedule,
            due_day=due_day,
            starts_on=starts_on,
            ends_on=ends_on,
            remind_days_before=remind_days_before,
        )
        school_ids = select_schools(obj.office_id, types=types, zones=zones, schools=schools)
        obj.save()
        obj.schools.set(school_ids)
        audit.record_create(actor, obj)
        workflow.record_return_event(obj, "created", actor, {"schools": len(school_ids)})
        return obj

    return idempotency.once(
        actor,
        request_key,
        "returns.create_return",
        create,
        lambda pk: PeriodicReturn.objects.unscoped().get(pk=pk),
    )


@transaction.atomic
def update_return(
    actor, periodic_return, *, expected_version=None, types=(), zones=(), schools=(), **fields
) -> PeriodicReturn:
    """Edit a draft return; on an active one only the title, the last due date, the
    reminders and the schools (a school added reports from the period open now; a school
    taken off keeps the reports it has, and its empty rows not yet due go)."""
    obj = PeriodicReturn.objects.unscoped().select_for_update().get(pk=periodic_return.pk)
    guards.require_office_admin(actor, obj.office_id)
    if expected_version is not None and obj.version != int(expected_version):
        raise StaleObject(str(workflow.RETURN_WORKFLOW.messages.stale))
    if obj.status == PeriodicReturn.Status.CLOSED:
        raise DomainError(_("A closed return cannot be changed."))
    before = audit.snapshot(obj)
    if obj.status == PeriodicReturn.Status.ACTIVE:
        changed = {key: fields[key] for key in EDITABLE_WHEN_ACTIVE if key in fields}
        fields = {
            "title": obj.title,
            "checklist": obj.checklist,
            "schedule": obj.schedule,
            "due_day": obj.due_day,
            "starts_on": obj.starts_on,
            "ends_on": obj.ends_on,
            "remind_days_before": obj.remind_days_before,
        } | changed
    _fields(obj, **fields)
    school_ids = select_schools(obj.office_id, types=types, zones=zones, schools=schools)
    obj.version += 1
    obj.save()
    old = set(obj.schools.values_list("pk", flat=True))
    obj.schools.set(school_ids)
    audit.record_update(actor, obj, before)
    added, removed = set(school_ids) - old, old - set(school_ids)
    if added or removed:
        audit.record(
            actor,
            audit.Action.UPDATE,
            obj,
            {"schools": [sorted(old), sorted(school_ids)]},
        )
    if obj.status == PeriodicReturn.Status.ACTIVE:
        today = workflow.local_today()
        if removed:
            ReturnSubmission.objects.unscoped().filter(
                period__periodic_return=obj,
                period__due_on__gte=today,
                school_id__in=removed,
                status=S.PENDING,
                events__isnull=True,
            ).delete()
        _open_periods(obj, today)
    workflow.record_return_event(
        obj, "edited", actor, {"added": len(added), "removed": len(removed)}
    )
    return obj


def _open_periods(periodic_return: PeriodicReturn, today: datetime.date) -> tuple[int, int]:
    """Create the periods opened by tomorrow (`OPEN_AHEAD`) that do not exist yet, and a row
    per school for every period not yet due (and for new periods). A period that opens
    tomorrow is made the evening before, so it is there at midnight whatever time the daily
    job runs; nothing shows or accepts it before it opens (`opens_on <= today` everywhere).
    Returns (periods, rows) created."""
    wanted = calendar.periods(
        periodic_return.schedule,
        periodic_return.due_day,
        periodic_return.starts_on,
        today + OPEN_AHEAD,
        periodic_return.ends_on,
    )
    existing = set(
        ReturnPeriod.objects.unscoped()
        .filter(periodic_return=periodic_return)
        .values_list("due_on", flat=True)
    )
    new = [
        ReturnPeriod(
            periodic_return=periodic_return,
            office_id=periodic_return.office_id,
            opens_on=opens,
            due_on=due,
        )
        for opens, due in wanted
        if due not in existing
    ]
    ReturnPeriod.objects.unscoped().bulk_create(new)
    new_dues = {p.due_on for p in new}
    periods = list(
        ReturnPeriod.objects.unscoped().filter(
            Q(due_on__gte=today) | Q(due_on__in=new_dues), periodic_return=periodic_return
        )
    )
    school_ids = list(periodic_return.schools.values_list("pk", flat=True))
    have = set(
        ReturnSubmission.objects.unscoped()
        .filter(period__in=periods)
        .values_list("period_id", "school_id")
    )
    rows = [
        ReturnSubmission(period=period, office_id=periodic_return.office_id, school_id=school_id)
        for period in periods
        for school_id in school_ids
        if (period.pk, school_id) not in have
    ]
    ReturnSubmission.objects.unscoped().bulk_create(rows)
    if new or rows:
        workflow.record_return_event(
            periodic_return,
            "periods_opened",
            None,
            {"due_on": [str(p.due_on) for p in new], "rows": len(rows), "today": str(today)},
        )
    return len(new), len(rows)


@transaction.atomic
def activate_return(actor, periodic_return, *, expected_version=None, today=None):
    """Start a return: the periods due up to today and the one open now (and one opening
    tomorrow) are created, with a row (not reported) per school and period."""
    today = today or workflow.local_today()
    result = {}

    def apply(locked):
        check_checklist(locked.office_id, locked.checklist)
        periods, rows = _open_periods(locked, today)
        result.update(periods=periods, rows=rows)
        return result

    return workflow.activate(periodic_return, actor, expected_version=expected_version, apply=apply)


@transaction.atomic
def close_return(actor, periodic_return, *, expected_version=None) -> PeriodicReturn:
    """Stop a return: no new periods, no reminders; what was reported stays."""
    return workflow.close(periodic_return, actor, expected_version=expected_version)


def open_due_periods(today: datetime.date | None = None) -> dict[str, int]:
    """The daily job (in the evening): every active return gets the periods that open by
    tomorrow and their rows. Idempotent: a period or a row is created once (its unique key);
    a second run the same day creates nothing."""
    today = today or workflow.local_today()
    periods = rows = 0
    returns = PeriodicReturn.objects.unscoped().filter(status=PeriodicReturn.Status.ACTIVE)
    for pk in list(returns.order_by("pk").values_list("pk", flat=True)):
        with transaction.atomic():
            locked = PeriodicReturn.objects.unscoped().select_for_update().get(pk=pk)
            if locked.status != PeriodicReturn.Status.ACTIVE:
                continue
            created = _open_periods(locked, today)
            if created != (0, 0):
                audit.record(
                    SYSTEM,
                    audit.Action.UPDATE,
                    locked,
                    {"periods_opened": created[0], "rows": created[1], "today": str(today)},
                )
        periods += created[0]
        rows += created[1]
    return {"periods": periods, "rows": rows}


# --- answers -------------------------------------------------------------------------------


def clean_answer(item: ChecklistItem, raw):
    """The stored value of one answer (None: not answered), or DomainError on the item's
    field (`checklists.answers.clean_answer` decides). A number is stored as a JSON number
    (an integer when it is whole), so sheets and charts read numbers; photos are not
    collected by returns (None)."""
    try:
        value = answers.clean_answer(item, raw)
    except answers.AnswerError as refused:
        raise DomainError(refused.message, field=answer_field(item)) from None
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return int(value)
        number = float(round(value, 4))
        return number if math.isfinite(number) else None
    return value


def items_for(submission: ReturnSubmission) -> list[ChecklistItem]:
    """The checklist's items that apply to the school's type, in order."""
    items = ChecklistItem.objects.filter(
        template_id=submission.period.periodic_return.checklist_id
    ).order_by("position")
    return [item for item in items if item.applies_to(submission.school.type)]


def validate_answers(submission, answers: dict, notes: dict | None, *, complete: bool):
    """{item: (value, compliant, note)} for the items that apply; AnswersInvalid with every
    refusal at once. `complete`: every required item must be answered (to report)."""
    notes = notes or {}
    errors, cleaned = {}, {}
    for item in items_for(submission):
        raw = answers.get(item.pk, answers.get(str(item.pk)))
        try:
            value = clean_answer(item, raw)
        except DomainError as error:
            errors[answer_field(item)] = str(error)
            continue
        note = str(notes.get(item.pk, notes.get(str(item.pk), "")) or "").strip()[:TEXT_MAX]
        if complete and value is None and item.answer_type in REQUIRED_TYPES:
            errors[answer_field(item)] = _("Answer this question.")
            continue
        cleaned[item] = (value, item.assess(value), note)
    if errors:
        raise AnswersInvalid(errors)
    return cleaned


def _write_answers(submission: ReturnSubmission, cleaned: dict) -> int:
    existing = {a.item_id: a for a in ReturnAnswer.objects.filter(submission=submission)}
    create, update = [], []
    for item, (value, compliant, note) in cleaned.items():
        answer = existing.get(item.pk)
        if answer is None:
            if value is None and not note:
                continue
            create.append(
                ReturnAnswer(
                    submission=submission, item=item, value=value, compliant=compliant, note=note
                )
            )
        elif (answer.value, answer.compliant, answer.note) != (value, compliant, note):
            answer.value, answer.compliant, answer.note = value, compliant, note
            update.append(answer)
    ReturnAnswer.objects.bulk_create(create)
    ReturnAnswer.objects.bulk_update(update, ["value", "compliant", "note"])
    return len(create) + len(update)


def _save(actor, submission, answers, notes, client_uuid, *, final: bool) -> ReturnSubmission:
    locked = workflow.lock_submission(submission)
    if not workflow.submission_roles_of(actor, locked):
        raise NotPermitted(_("Only the school itself may fill in its report."))
    if client_uuid is not None and str(client_uuid) != str(locked.client_uuid):
        # The key turns after every save: an old form sent again (a double tap, a resend
        # after a dropped signal) finds the report as it is once reported.
        if locked.status == S.SUBMITTED:
            return locked
        raise StaleObject(str(workflow.SUBMISSION_WORKFLOW.messages.stale))
    if final:
        action = (
            SubmissionAction.REVISE if locked.status == S.SUBMITTED else SubmissionAction.SUBMIT
        )
    else:
        action = SubmissionAction.SAVE
    workflow.check_submission(locked, action, actor)
    cleaned = validate_answers(locked, answers, notes, complete=final)

    def apply(obj):
        changed = _write_answers(obj, cleaned)
        obj.client_uuid = uuid.uuid4()
        obj.save(update_fields=["client_uuid"])
        return {"answers": changed}

    return workflow.transition_submission(locked, action, actor, apply=apply)


@transaction.atomic
def save_draft(actor, submission, answers: dict, notes=None, *, client_uuid=None):
    """The school keeps what it has filled in so far (partial answers allowed)."""
    return _save(actor, submission, answers, notes, client_uuid, final=False)


@transaction.atomic
def submit(actor, submission, answers: dict, notes=None, *, client_uuid=None):
    """The school reports (every required answer given): late if after the due date's end.
    A submitted report is revised the same way until the end of its due date."""
    return _save(actor, submission, answers, notes, client_uuid, final=True)


# --- reminders -----------------------------------------------------------------------------


def school_users(school_ids) -> dict[int, list[User]]:
    users = {}
    for user in User.objects.filter(role=Role.SCHOOL, school_id__in=school_ids, is_active=True):
        users.setdefault(user.school_id, []).append(user)
    return users


def _remind(actor, submissions: list[ReturnSubmission], today: datetime.date) -> int:
    """Notify the schools of these reports (not reported, not yet reminded today), count the
    reminder and write a history line each. Returns how many were reminded."""
    now = timezone.now()
    start_of_day = timezone.make_aware(
        datetime.datetime.combine(today, datetime.time.min), timezone.get_current_timezone()
    )
    ids = [s.pk for s in submissions]
    due = list(
        ReturnSubmission.objects.unscoped()
        .select_for_update(of=("self",))
        .select_related("period__periodic_return", "school")
        .filter(pk__in=ids)
        .exclude(status=S.SUBMITTED)
        .filter(Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lt=start_of_day))
        .order_by("pk")
    )
    if not due:
        return 0
    ReturnSubmission.objects.unscoped().filter(pk__in=[s.pk for s in due]).update(
        reminders_sent=F("reminders_sent") + 1, last_reminded_at=now
    )
    users = school_users({s.school_id for s in due})
    messages = []
    for submission in due:
        period = submission.period
        overdue = today > period.due_on
        workflow.record_reminder(submission, actor, {"day": str(today), "overdue": overdue})
        messages.append(
            (
                users.get(submission.school_id, []),
                "return.overdue" if overdue else "return.remind",
                {
                    "school": submission.school.name,
                    "title": period.periodic_return.title,
                    "due": period.due_on.isoformat(),
                },
                reverse("returns:submission", args=[submission.pk]),
            )
        )

    def send():
        for recipients, kind, params, url in messages:
            notify(recipients, kind, params, url=url)

    transaction.on_commit(send)
    return len(due)


@transaction.atomic
def remind_period(actor, period: ReturnPeriod, today: datetime.date | None = None) -> int:
    """ "Remind now" (催报): the office reminds every school of this period that has not
    reported, at most once a day each (a school reminded today, by this or the daily job, is
    left alone). Returns how many schools were reminded."""
    today = today or workflow.local_today()
    period = ReturnPeriod.objects.unscoped().select_related("periodic_return").get(pk=period.pk)
    guards.require_office_admin(actor, period.office_id)
    if period.periodic_return.status != PeriodicReturn.Status.ACTIVE:
        raise DomainError(_("This return is not running."))
    if period.opens_on > today:
        raise DomainError(_("This period has not opened yet."))
    pending = list(
        ReturnSubmission.objects.unscoped().filter(period=period).exclude(status=S.SUBMITTED)
    )
    count = _remind(actor, pending, today)
    audit.record(
        actor,
        audit.Action.UPDATE,
        period.periodic_return,
        {"reminded": count, "period": str(period.due_on)},
    )
    return count


def send_reminders(today: datetime.date | None = None) -> dict[str, int]:
    """The daily job: a school that has not reported is reminded `remind_days_before` days
    before the due date, and every day after it while late (return.overdue) until the next
    due date passes: then the newer period is the one it is reminded of, and the missed one
    stays "not reported" in the office's lists (a school is never reminded of a whole year
    of missed periods every morning). Once a day at most per report: a second run the same
    day, or the office's "remind now" earlier that day, sends nothing again."""
    today = today or workflow.local_today()
    reminded = 0
    returns = PeriodicReturn.objects.unscoped().filter(status=PeriodicReturn.Status.ACTIVE)
    for periodic_return in list(returns.order_by("pk")):
        before = today + datetime.timedelta(days=periodic_return.remind_days_before)
        last_missed = (
            ReturnPeriod.objects.unscoped()
            .filter(periodic_return=periodic_return, due_on__lt=today)
            .order_by("-due_on")
            .values_list("due_on", flat=True)
            .first()
        )
        with transaction.atomic():
            pending = list(
                ReturnSubmission.objects.unscoped()
                .filter(
                    Q(period__due_on=before) | Q(period__due_on=last_missed),
                    period__periodic_return=periodic_return,
                    period__opens_on__lte=today,
                )
                .exclude(status=S.SUBMITTED)
            )
            count = _remind(SYSTEM, pending, today)
            if count:
                audit.record(
                    SYSTEM,
                    audit.Action.UPDATE,
                    periodic_return,
                    {"reminded": count, "today": str(today)},
                )
        reminded += count
    return {"reminded": reminded}
