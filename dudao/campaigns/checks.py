"""Writes of a campaign's checks at the school gate (专项督导, issue 12 §4): the answers of one
target (督查对象), their evidence (佐证材料), the notes, the visit and the submission, and the
finding raised in one tap from a non-compliant answer.

Who (dudao/core/guards.py, `target_workflow.roles_of`): a member of the target's team or an
office admin of the campaign's office, a person (not SYSTEM), while the campaign is running
(raising a finding also once it is closed). Refusals are NotPermitted or IllegalTransition,
raised before anything is written.

Answers. Only the checklist's items that apply to the school's type
(`ChecklistItem.applies_to`) are answered or required; the others are refused. A value is
cleaned per answer type (`clean_value`): yes/no a boolean, a level or a choice one of the
item's options, a number a decimal (kept as its text, so 12.50 stays 12.50), a free text up to
TEXT_MAX characters; a photo item is answered by its evidence. `compliant` is
`item.assess(value)` when saved. Refusals name the item (`AnswerErrors`, field
`item_<pk>`), so the form shows each beside its item.

Idempotency. An answer is one row per target and item (saving again updates it); evidence
one row per answer and SHA-256 (the same bytes again return the first row); submitting a
submitted check returns it unchanged; a second tap on "raise a finding" returns the finding
of the first (`Answer.finding`, the answer's row locked meanwhile).

Status: only `target_workflow` moves a target (pending → in progress on the first save,
→ submitted), with its history (`CampaignTargetEvent`).
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dudao.audit import services as audit
from dudao.checklists import answers
from dudao.checklists.models import AnswerType, ChecklistItem
from dudao.core import files as uploads
from dudao.core import guards
from dudao.core.errors import DomainError, IllegalTransition, NotPermitted, StaleObject
from dudao.core.supervision_items import AREA_NUMBERS, KINDERGARTEN_AREAS
from dudao.rectification import services as rectification
from dudao.rectification.models import Finding, Severity
from dudao.schools.models import SchoolType

from . import target_workflow
from .models import Answer, AnswerEvidence, Campaign, CampaignTarget

TEXT_MAX = answers.TEXT_MAX
# A finding raised from a campaign is fixed by a deadline this many days away unless the
# inspector chose one (the ledger's usual month; the office edits it afterwards).
DEFAULT_DEADLINE_DAYS = 30
# The ledger's supervision item (督导事项) of a school's finding whose checklist item names
# none of the eight items (`finding_area`): 校务管理和制度执行.
DEFAULT_AREA = 1
KINDERGARTEN_NUMBERS = frozenset(area.number for area in KINDERGARTEN_AREAS)


class AnswerErrors(DomainError):
    """Refusals of several items at once (`errors`: form field → message); the first one
    is the error's own message and field."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        field, message = next(iter(self.errors.items()))
        super().__init__(message, field=field)


def item_field(item) -> str:
    """The form field (and DomainError field) of an item's answer."""
    return f"item_{getattr(item, 'pk', item)}"


def applicable_items(target: CampaignTarget) -> list[ChecklistItem]:
    """The checklist's items that apply to the school's type, in order (one query)."""
    items = (
        ChecklistItem.objects.filter(template_id=target.campaign.checklist_id)
        .select_related("section")
        .order_by("position")
    )
    return [item for item in items if item.applies_to(target.school.type)]


def _item_error(item, message) -> DomainError:
    return DomainError(f"{item.code}: {message}", field=item_field(item))


def clean_value(item: ChecklistItem, raw):
    """The value to store for `raw` (None: not answered; a number as its decimal text), or
    DomainError naming the item (`checklists.answers.clean_answer` decides)."""
    try:
        value = answers.clean_answer(item, raw)
    except answers.AnswerError as refused:
        raise _item_error(item, refused.message) from None
    return str(value) if isinstance(value, Decimal) else value


def display_value(item: ChecklistItem, value) -> str:
    """An answer as people read it (是/否 for yes or no)."""
    if value is None or value == "":
        return ""
    if item.answer_type == AnswerType.YES_NO:
        return _("Yes") if value else _("No")
    if item.unit:
        return f"{value} {item.unit}"
    return str(value)


# --- locks and checks --------------------------------------------------------------------


def _locked(target) -> CampaignTarget:
    return (
        CampaignTarget.objects.unscoped()
        .select_for_update(of=("self",))
        .select_related("campaign", "school")
        .get(pk=getattr(target, "pk", target))
    )


def require_checker(actor, target: CampaignTarget, *, closed_too=False) -> None:
    """A person on the target's team, or the office admin, while the campaign runs (with
    `closed_too`, also once it is closed)."""
    guards.require_person(actor)
    if not target_workflow.roles_of(actor, target):
        raise NotPermitted(_("Only the school's team or the office may check it."))
    allowed = {Campaign.Status.RUNNING} | ({Campaign.Status.CLOSED} if closed_too else set())
    if target.campaign.status not in allowed:
        raise IllegalTransition(_("The campaign is not running: its checks cannot be changed."))


def _require_open(target: CampaignTarget) -> None:
    if target.status == CampaignTarget.Status.SUBMITTED:
        raise DomainError(_("This check has been submitted and can no longer be changed."))


def _check_version(target: CampaignTarget, expected_version) -> None:
    if expected_version is not None and int(expected_version) != target.version:
        raise StaleObject(_("Someone else changed this check; reload it and try again."))


def _started(actor, target: CampaignTarget) -> CampaignTarget:
    if target.status == CampaignTarget.Status.PENDING:
        return target_workflow.start(target, actor)
    return target


def _bump(target: CampaignTarget, *fields) -> None:
    target.version += 1
    target.save(update_fields=["version", *fields])


def _write_answers(actor, target: CampaignTarget, answers) -> dict[str, object]:
    """Clean every given answer (all refusals at once), then create or update the rows.
    `answers`: {item pk: {"value": raw, "note": text}} (either key may be missing).
    Returns {item code: stored value} of what changed, for the audit row."""
    items = {item.pk: item for item in applicable_items(target)}
    errors, cleaned = {}, {}
    for key, given in (answers or {}).items():
        try:
            item_id = int(key)
        except (TypeError, ValueError):
            item_id = None
        item = items.get(item_id)
        if item is None:
            errors[f"item_{key}"] = _("This item does not apply to the school.")
            continue
        given = given if isinstance(given, dict) else {"value": given}
        try:
            value = clean_value(item, given.get("value")) if "value" in given else ...
        except DomainError as error:
            errors[error.field] = str(error)
            continue
        note = given.get("note")
        if note is not None and len(str(note)) > TEXT_MAX:
            errors[f"note_{item.pk}"] = f"{item.code}: " + _(
                "Write at most %(count)d characters."
            ) % {"count": TEXT_MAX}
            continue
        cleaned[item.pk] = (item, value, None if note is None else str(note).strip())
    if errors:
        raise AnswerErrors(errors)
    existing = {a.item_id: a for a in Answer.objects.filter(target=target, item_id__in=cleaned)}
    now, changed, new = timezone.now(), {}, []
    for item_id, (item, value, note) in cleaned.items():
        answer = existing.get(item_id) or Answer(target=target, item=item)
        before = (answer.value, answer.note)
        if value is not ...:
            answer.value, answer.compliant = value, item.assess(value)
        if note is not None:
            answer.note = note
        if answer.pk and (answer.value, answer.note) == before:
            continue
        answer.answered_by, answer.answered_at = actor, now
        changed[item.code] = answer.value
        if answer.pk:
            answer.save(update_fields=["value", "compliant", "note", "answered_by", "answered_at"])
        else:
            new.append(answer)
    Answer.objects.bulk_create(new)  # one INSERT for a form's new answers
    return changed


# --- services ----------------------------------------------------------------------------


@transaction.atomic
def save_answers(
    actor, target: CampaignTarget, answers=None, *, notes=None, expected_version=None
) -> CampaignTarget:
    """Save some answers (and the target's notes) as a draft: the phone's autosave. Partial
    answers are fine; the first save moves the target to "in progress". With
    `expected_version`, a check changed meanwhile is refused (StaleObject)."""
    target = _locked(target)
    require_checker(actor, target)
    _require_open(target)
    _check_version(target, expected_version)
    changed = _write_answers(actor, target, answers)
    fields = []
    if notes is not None and notes.strip() != target.notes:
        target.notes = notes.strip()
        fields.append("notes")
        changed["notes"] = target.notes
    if not changed:
        return target
    _bump(target, *fields)
    audit.record(actor, audit.Action.UPDATE, target, {"answers": audit.plain(changed)})
    return _started(actor, target)


def _answer_for(target: CampaignTarget, item: ChecklistItem) -> Answer:
    answer = Answer.objects.filter(target=target, item=item).first()
    if answer is None:
        answer = Answer.objects.create(target=target, item=item)
    return answer


@transaction.atomic
def add_evidence(actor, target: CampaignTarget, item: ChecklistItem, uploaded_file):
    """Attach a photo or a file to one item's answer (created empty if need be). The same
    bytes again return the evidence already stored."""
    guards.require_person(actor)  # the file records who uploaded it
    checked = uploads.check_upload(uploaded_file)  # before any lock: may read 20 MB
    target = _locked(target)
    require_checker(actor, target)
    _require_open(target)
    if item.template_id != target.campaign.checklist_id or not item.applies_to(target.school.type):
        raise DomainError(_("This item does not apply to the school."), field=item_field(item))
    answer = _answer_for(target, item)
    existing = AnswerEvidence.objects.filter(answer=answer, sha256=checked.sha256).first()
    if existing:
        return existing
    evidence = uploads.store(AnswerEvidence(answer=answer), uploaded_file, actor, checked)
    audit.record(
        actor,
        audit.Action.CREATE,
        evidence,
        {"after": audit.snapshot(evidence)},
        office_id=target.office_id,
    )
    _bump(target)
    _started(actor, target)
    return evidence


@transaction.atomic
def delete_evidence(actor, evidence: AnswerEvidence) -> None:
    """Remove a file from a check that is still a draft (a wrong photo); the stored file is
    deleted once the transaction commits."""
    evidence = AnswerEvidence.objects.select_related("answer").get(pk=evidence.pk)
    target = _locked(evidence.answer.target_id)
    require_checker(actor, target)
    _require_open(target)
    files = [evidence.file, evidence.preview]
    audit.record(
        actor,
        audit.Action.DELETE,
        evidence,
        {"before": audit.snapshot(evidence)},
        office_id=target.office_id,
    )
    evidence.delete()
    _bump(target)
    uploads.delete_on_commit(*files)


@transaction.atomic
def mark_visited(actor, target: CampaignTarget, *, when: datetime.datetime | None = None):
    """The team is at the school now (or at `when`): an unannounced campaign shows itself to
    the school from then on. Marking it again keeps the first time."""
    target = _locked(target)
    require_checker(actor, target)
    if target.visited_at is not None:
        return target
    when = when or timezone.now()
    if when > timezone.now() + datetime.timedelta(hours=1):
        raise DomainError(_("The check's time is in the future."), field="visited_at")
    before = audit.snapshot(target)
    target.visited_at = when
    _bump(target, "visited_at")
    audit.record_update(actor, target, before)
    return target


def missing_items(target: CampaignTarget) -> dict[str, str]:
    """What keeps a check from being submitted: {field: message} per item not answered or
    without its required evidence (two queries)."""
    answers = {
        a.item_id: a
        for a in Answer.objects.filter(target=target).only("item_id", "value", "target_id")
    }
    with_evidence = set(
        AnswerEvidence.objects.filter(answer__target=target).values_list(
            "answer__item_id", flat=True
        )
    )
    problems = {}
    for item in applicable_items(target):
        answer = answers.get(item.pk)
        needs_evidence = item.answer_type == AnswerType.PHOTO or item.evidence_required
        if needs_evidence and item.pk not in with_evidence:
            problems[item_field(item)] = f"{item.code}: " + _("Attach the evidence.")
            continue
        if item.answer_type != AnswerType.PHOTO and (answer is None or answer.value is None):
            problems[item_field(item)] = f"{item.code}: " + _("Answer this item.")
    return problems


@transaction.atomic
def submit_target(
    actor, target: CampaignTarget, answers=None, *, notes=None, expected_version=None
) -> CampaignTarget:
    """Save the last answers and submit the check: every applicable item answered, evidence
    where the item requires it. Submitting a submitted check returns it unchanged."""
    target = _locked(target)
    if target.status == CampaignTarget.Status.SUBMITTED:
        guards.require_person(actor)
        if not target_workflow.roles_of(actor, target):
            raise NotPermitted(_("Only the school's team or the office may check it."))
        return target
    if answers or notes is not None:
        target = save_answers(
            actor, target, answers, notes=notes, expected_version=expected_version
        )
    else:
        require_checker(actor, target)
        _check_version(target, expected_version)
    problems = missing_items(target)
    if problems:
        raise AnswerErrors(problems)
    return target_workflow.submit(target, actor)


def finding_description(answer: Answer) -> str:
    """The finding's description, in the office's language: the campaign, the item's
    question, the answer and its note."""
    item, target = answer.item, answer.target
    with translation.override(settings.LANGUAGE_CODE):
        text = _("%(campaign)s, item %(code)s: %(question)s Answer: %(answer)s.") % {
            "campaign": target.campaign.title,
            "code": item.code,
            "question": item.question.strip(),
            "answer": display_value(item, answer.value) or "—",
        }
    return f"{text} {answer.note}".strip() if answer.note else text


def finding_area(item: ChecklistItem, school_type: str = "") -> int:
    """The ledger's supervision item (督导事项) of a finding raised from `item` at a school of
    `school_type`: the item's own when it fits the school (the eight items for schools, the
    kindergarten areas for kindergartens, docs/rules.md §4), else the first of the school's."""
    kindergarten = school_type == SchoolType.KINDERGARTEN
    own = KINDERGARTEN_NUMBERS if kindergarten else AREA_NUMBERS
    if item.supervision_item in own:
        return item.supervision_item
    return KINDERGARTEN_AREAS[0].number if kindergarten else DEFAULT_AREA


@transaction.atomic
def raise_finding(
    actor,
    answer: Answer,
    *,
    deadline: datetime.date | None = None,
    severity: str = Severity.GENERAL,
) -> Finding:
    """Record a finding in the rectification ledger (台账) from a non-compliant answer, in one
    tap, through `rectification.services.create_finding`, and link it to the answer (the
    answer links the campaign and the item). A second tap returns the same finding."""
    target = _locked(answer.target_id)
    require_checker(actor, target, closed_too=True)
    answer = (
        Answer.objects.select_for_update(of=("self",))
        .select_related("item", "finding")
        .get(pk=answer.pk)
    )
    answer.target = target
    if answer.finding_id:
        return answer.finding
    if answer.compliant is not False:
        raise DomainError(
            _("Only a non-compliant answer raises a finding."), field=item_field(answer.item)
        )
    finding = rectification.create_finding(
        actor,
        school=target.school,
        area=finding_area(answer.item, target.school.type),
        description=finding_description(answer),
        severity=severity,
        deadline_kind=Finding.DeadlineKind.BY_DATE,
        deadline=deadline or timezone.localdate() + datetime.timedelta(days=DEFAULT_DEADLINE_DAYS),
        campaign_team=target_workflow.is_member(actor, target),
    )
    answer.finding = finding
    answer.save(update_fields=["finding"])
    audit.record(
        actor,
        audit.Action.UPDATE,
        answer,
        {"finding": [None, finding.pk]},
        office_id=target.office_id,
    )
    return finding
