"""Every write on checklists (检查表): copies, revisions, sections and items of a draft,
publishing and retiring, the spreadsheet import (docs/architecture.md §3).

Who: the office admin of the checklist's office, for its own checklists only; the platform
(SYSTEM) loads the built-ins (`dudao.checklists.shipped`). A built-in (no office) is never
edited: an office copies it (`copy_checklist`).

Revisions. A checklist is a line of revisions sharing `(office, key)`. Only a draft is
edited; `publish` freezes it (a campaign or a return keeps the revision it started with) and
`new_revision` copies a published or retired revision into a draft with the next revision
number of the same key, `based_on` the revision it came from. At most one draft per line.

Copies. `copy_checklist` starts a new line in the actor's office, revision 1, `based_on` the
source: a built-in's copy keeps the built-in's key (the office's own version of it), unless
the office has that key already; then, as for a copy of an office's own checklist, the key
gets a number ("shuangjian-wuxiang-2"). A copy is a draft with every section and item.

Optimistic locking: the checklist's own form (title, description) sends the `version` it
showed; an item's or a section's form sends its `stamp` (a digest of what it showed), since
items carry no version of their own. A stale form is refused with StaleObject.
"""

import hashlib
import json
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from dudao.accounts.models import Role
from dudao.audit import services as audit
from dudao.core import guards, idempotency
from dudao.core import workflow as engine
from dudao.core.errors import DomainError, NotPermitted, StaleObject
from dudao.core.supervision_items import ITEM_NUMBERS
from dudao.schools.models import SchoolType

from .models import AnswerType, ChecklistItem, ChecklistSection, ChecklistTemplate, Purpose
from .workflow import CHECKLIST_WORKFLOW, Action

Status = ChecklistTemplate.Status
OPTION_TYPES = (AnswerType.LEVEL, AnswerType.CHOICE)
ITEM_FIELDS = (
    "code",
    "question",
    "answer_type",
    "choices",
    "compliant",
    "unit",
    "standard_min",
    "standard_max",
    "evidence_required",
    "school_types",
    "guidance",
    "supervision_item",
)
MAX_OPTIONS = 12
KEY_MAX = 60


# ---- validators (public: the forms and the importer reuse them) ----------------------------


def clean_item_values(values: dict) -> dict:
    """An item's values with defaults and normal forms: every key of ITEM_FIELDS, texts
    stripped, options without blanks, numbers as Decimal."""
    clean = {
        "code": str(values.get("code") or "").strip(),
        "question": str(values.get("question") or "").strip(),
        "answer_type": values.get("answer_type") or AnswerType.YES_NO,
        "choices": [str(c).strip() for c in values.get("choices") or [] if str(c).strip()],
        "compliant": list(values.get("compliant") or []),
        "unit": str(values.get("unit") or "").strip(),
        "standard_min": values.get("standard_min"),
        "standard_max": values.get("standard_max"),
        "evidence_required": bool(values.get("evidence_required")),
        "school_types": list(values.get("school_types") or []),
        "guidance": str(values.get("guidance") or "").strip(),
        "supervision_item": values.get("supervision_item") or None,
    }
    for key in ("standard_min", "standard_max"):
        number = clean[key]
        if number in ("", None):
            clean[key] = None
        elif not isinstance(number, Decimal):
            try:
                clean[key] = Decimal(str(number))
            except InvalidOperation:
                clean[key] = number  # check_item reports it
    if clean["answer_type"] != AnswerType.YES_NO:
        clean["compliant"] = [str(c).strip() for c in clean["compliant"] if str(c).strip()]
    return clean


def check_item(values: dict) -> list[tuple[str, str]]:
    """Every problem of one item's values (after `clean_item_values`), as (field, message):
    a question; a known answer type; options for a level or a choice (and only for them);
    compliant answers among the options, [true]/[false] for yes/no and none for numbers,
    texts and photos; a number's standard at least ≤ at most; known school types and
    supervision item."""
    problems = []
    kind = values["answer_type"]
    if not values["question"]:
        problems.append(("question", _("Write the question.")))
    if len(values["code"]) > 20:
        problems.append(("code", _("A code has at most 20 characters.")))
    if kind not in AnswerType.values:
        problems.append(("answer_type", _("Unknown answer type “%(value)s”.") % {"value": kind}))
        return problems
    choices, compliant = values["choices"], values["compliant"]
    if kind in OPTION_TYPES:
        if len(choices) < 2:
            problems.append(("choices", _("A level or a choice needs at least two options.")))
        elif len(set(choices)) != len(choices):
            problems.append(("choices", _("Each option may appear only once.")))
        elif len(choices) > MAX_OPTIONS:
            problems.append(("choices", _("At most %(count)s options.") % {"count": MAX_OPTIONS}))
        unknown = [c for c in compliant if c not in choices]
        if unknown:
            problems.append(
                (
                    "compliant",
                    _("Compliant answers must be options of the item: %(values)s.")
                    % {"values": "、".join(map(str, unknown))},
                )
            )
    elif choices:
        problems.append(("choices", _("Only a level or a choice has options.")))
    if kind == AnswerType.YES_NO and compliant not in ([], [True], [False]):
        problems.append(
            ("compliant", _("For a yes/no item the compliant answer is yes, no or not assessed."))
        )
    if kind in (AnswerType.NUMBER, AnswerType.TEXT, AnswerType.PHOTO) and compliant:
        problems.append(
            ("compliant", _("Numbers are assessed by their standard; texts and photos are not."))
        )
    low, high = values["standard_min"], values["standard_max"]
    for key, number in (("standard_min", low), ("standard_max", high)):
        if number is not None and not isinstance(number, Decimal):
            problems.append((key, _("“%(value)s” is not a number.") % {"value": number}))
        elif number is not None and kind != AnswerType.NUMBER:
            problems.append((key, _("Only a number item has a standard.")))
        elif number is not None and (abs(number) >= 10**10 or number != round(number, 2)):
            problems.append((key, _("Enter a number below ten billion with two decimals at most.")))
    if (
        isinstance(low, Decimal)
        and isinstance(high, Decimal)
        and kind == AnswerType.NUMBER
        and low > high
    ):
        problems.append(("standard_max", _("The standard's maximum is below its minimum.")))
    unknown_types = [t for t in values["school_types"] if t not in SchoolType.values]
    if unknown_types:
        problems.append(
            (
                "school_types",
                _("Unknown school types: %(values)s.")
                % {"values": "、".join(map(str, unknown_types))},
            )
        )
    if values["supervision_item"] is not None and values["supervision_item"] not in ITEM_NUMBERS:
        problems.append(("supervision_item", _("Unknown supervision item.")))
    return problems


def publish_problems(checklist: ChecklistTemplate) -> list[str]:
    """Why a revision cannot be published (empty: it can): at least one item, no empty
    section, every item valid (`check_item`) and every code once."""
    problems = []
    sections = list(checklist.sections.order_by("position"))
    items = list(checklist.items.order_by("position"))
    if not items:
        problems.append(_("Add at least one item before publishing."))
    filled = {item.section_id for item in items}
    for section in sections:
        if section.pk not in filled:
            problems.append(_("The section “%(title)s” has no items.") % {"title": section.title})
    seen = set()
    for item in items:
        label = item.code or str(item.position)
        if not item.code:
            problems.append(_("Item %(code)s: give it a code.") % {"code": label})
        elif item.code in seen:
            problems.append(_("The code %(code)s is used twice.") % {"code": item.code})
        seen.add(item.code)
        values = clean_item_values({f: getattr(item, f) for f in ITEM_FIELDS})
        for _field, message in check_item(values):
            problems.append(_("Item %(code)s: %(problem)s") % {"code": label, "problem": message})
    return problems


def require_publishable(checklist: ChecklistTemplate) -> None:
    problems = publish_problems(checklist)
    if problems:
        shown = "; ".join(problems[:5])
        if len(problems) > 5:
            shown += _(" (and %(count)s more)") % {"count": len(problems) - 5}
        raise DomainError(shown)


def stamp(obj) -> str:
    """A digest of what a form showed of an item or a section (its optimistic lock)."""
    data = json.dumps(audit.snapshot(obj), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(data.encode()).hexdigest()[:16]


# ---- locking and guards -----------------------------------------------------------------------


def _lock(checklist) -> ChecklistTemplate:
    pk = checklist.pk if isinstance(checklist, ChecklistTemplate) else checklist
    return ChecklistTemplate.objects.unscoped().select_for_update().get(pk=pk)


def _require_own(actor, checklist: ChecklistTemplate) -> None:
    if checklist.is_builtin:
        guards.require_role(actor, Role.OFFICE_ADMIN)  # who is told more than "not permitted"
        raise NotPermitted(_("Built-in checklists are not edited: copy one first."))
    guards.require_office_admin(
        actor, checklist.office_id, message=_("This checklist belongs to another office.")
    )


def _editable(actor, checklist, expected_version=None) -> ChecklistTemplate:
    """The locked draft the actor may edit (its office admin), else a refusal."""
    checklist = _lock(checklist)
    _require_own(actor, checklist)
    if checklist.status != Status.DRAFT:
        raise DomainError(
            _("A published checklist is never changed: make a new revision to edit it.")
        )
    if expected_version is not None and int(expected_version) != checklist.version:
        raise StaleObject(_("Someone else changed this checklist; reload it and try again."))
    return checklist


def _touch(checklist: ChecklistTemplate) -> None:
    """A change of a draft's sections or items moves its `updated_at`."""
    checklist.save(update_fields=["updated_at"])


def _check_stamp(obj, expected) -> None:
    if expected and expected != stamp(obj):
        raise StaleObject(_("Someone else changed this meanwhile; reload the page and try again."))


# ---- checklists ---------------------------------------------------------------------------------


def _free_key(office_id, wanted: str) -> str:
    taken = set(
        ChecklistTemplate.objects.unscoped()
        .filter(office_id=office_id, key__startswith=wanted[: KEY_MAX - 4])
        .values_list("key", flat=True)
    )
    if wanted not in taken:
        return wanted
    number = 2
    while True:
        candidate = f"{wanted[: KEY_MAX - 1 - len(str(number))]}-{number}"
        if candidate not in taken:
            return candidate
        number += 1


def _check_header(title: str, purpose: str) -> None:
    if not title:
        raise DomainError(_("Give the checklist a title."), field="title")
    if purpose not in Purpose.values:
        raise DomainError(_("Choose what the checklist is used for."), field="purpose")


@transaction.atomic
def create_checklist(
    actor,
    *,
    title,
    purpose=Purpose.CAMPAIGN,
    key="",
    description="",
    source="",
    request_key=None,
) -> ChecklistTemplate:
    """A new empty draft of the actor's office. With the form's one-time `request_key`, a
    second submission returns the first draft (dudao.core.idempotency)."""
    guards.require_person(actor)
    guards.require_office_admin(actor, actor.office_id)
    title = (title or "").strip()
    _check_header(title, purpose)

    def create():
        checklist = ChecklistTemplate.objects.unscoped().create(
            office_id=actor.office_id,
            key=_free_key(actor.office_id, (key or "").strip() or "checklist"),
            revision=1,
            title=title,
            purpose=purpose,
            description=(description or "").strip(),
            source=(source or "").strip(),
            created_by=actor,
        )
        audit.record_create(actor, checklist)
        return checklist

    return idempotency.once(
        actor,
        request_key,
        "checklists.create_checklist",
        create,
        lambda pk: ChecklistTemplate.objects.unscoped().get(pk=pk),
    )


@transaction.atomic
def update_checklist(
    actor, checklist, *, expected_version, title, purpose, description="", source=""
) -> ChecklistTemplate:
    """A draft's title, purpose, description and source (依据)."""
    checklist = _editable(actor, checklist, expected_version)
    title = (title or "").strip()
    _check_header(title, purpose)
    before = audit.snapshot(checklist)
    checklist.title, checklist.purpose = title, purpose
    checklist.description = (description or "").strip()
    checklist.source = (source or "").strip()
    checklist.version += 1
    checklist.save()
    audit.record_update(actor, checklist, before)
    return checklist


def _copy_content(source: ChecklistTemplate, target: ChecklistTemplate) -> None:
    sections = {}
    for section in source.sections.order_by("position"):
        sections[section.pk] = ChecklistSection.objects.create(
            template=target, position=section.position, title=section.title
        )
    ChecklistItem.objects.bulk_create(
        ChecklistItem(
            template=target,
            section=sections[item.section_id],
            position=item.position,
            **{f: getattr(item, f) for f in ITEM_FIELDS},
        )
        for item in source.items.order_by("position")
    )


def _readable(actor, source: ChecklistTemplate) -> None:
    """The source of a copy: a built-in or the actor's office's own."""
    if not source.is_builtin and source.office_id != getattr(actor, "office_id", None):
        raise NotPermitted(_("This checklist belongs to another office."))


@transaction.atomic
def copy_checklist(actor, source, *, title="", key="") -> ChecklistTemplate:
    """A new draft line in the actor's office with every section and item of `source` (a
    built-in or the office's own revision); see the module docstring for its key."""
    guards.require_person(actor)
    guards.require_office_admin(actor, actor.office_id)
    source = ChecklistTemplate.objects.unscoped().get(pk=source.pk)
    _readable(actor, source)
    wanted = (key or "").strip() or source.key
    if (
        key
        and ChecklistTemplate.objects.unscoped()
        .filter(office_id=actor.office_id, key=wanted)
        .exists()
    ):
        raise DomainError(_("Your office already has a checklist with this key."), field="key")
    copy = ChecklistTemplate.objects.unscoped().create(
        office_id=actor.office_id,
        key=_free_key(actor.office_id, wanted),
        revision=1,
        title=(title or "").strip() or source.title,
        purpose=source.purpose,
        description=source.description,
        source=source.source,
        based_on=source,
        created_by=actor,
    )
    _copy_content(source, copy)
    audit.record_create(actor, copy)
    return copy


@transaction.atomic
def new_revision(actor, checklist) -> ChecklistTemplate:
    """A draft with the next revision number of the same line, copied from `checklist` (a
    published or retired revision of the office's own). Built-ins are copied instead."""
    source = _lock(checklist)
    _require_own(actor, source)
    guards.require_person(actor)
    line = ChecklistTemplate.objects.unscoped().filter(office_id=source.office_id, key=source.key)
    draft = line.filter(status=Status.DRAFT).first()
    if draft is not None:
        raise DomainError(
            _("Revision %(revision)s of this checklist is a draft already: edit that one.")
            % {"revision": draft.revision}
        )
    revision = (line.aggregate(top=Max("revision"))["top"] or 0) + 1
    draft = ChecklistTemplate.objects.unscoped().create(
        office_id=source.office_id,
        key=source.key,
        revision=revision,
        title=source.title,
        purpose=source.purpose,
        description=source.description,
        source=source.source,
        based_on=source,
        created_by=actor,
    )
    _copy_content(source, draft)
    audit.record_create(actor, draft)
    return draft


@transaction.atomic
def delete_draft(actor, checklist) -> None:
    """Discard a draft (never used: campaigns and returns run published revisions only)."""
    checklist = _editable(actor, checklist)
    audit.record_delete(actor, checklist)
    checklist.items.all().delete()
    checklist.sections.all().delete()
    checklist.delete()


def publish(actor, checklist, *, expected_version=None) -> ChecklistTemplate:
    """Draft → published, after every check of `publish_problems` (the workflow's guard)."""
    return engine.transition(
        CHECKLIST_WORKFLOW, checklist, Action.PUBLISH, actor, expected_version=expected_version
    )


def retire(actor, checklist, *, expected_version=None) -> ChecklistTemplate:
    """Published → retired: kept for what ran it, offered for nothing new."""
    return engine.transition(
        CHECKLIST_WORKFLOW, checklist, Action.RETIRE, actor, expected_version=expected_version
    )


# ---- sections and items of a draft ------------------------------------------------------------


def _renumber(checklist: ChecklistTemplate) -> None:
    """Sections 1..n in their order; items 1..n in section order, then their own. Positions
    are unique (checked row by row), so rows first move above every current one."""
    sections = list(checklist.sections.order_by("position", "pk"))
    _reposition(ChecklistSection, sections)
    order = {s.pk: s.position for s in sections}
    items = sorted(checklist.items.all(), key=lambda i: (order[i.section_id], i.position, i.pk))
    _reposition(ChecklistItem, items)


def _reposition(model, rows: list) -> None:
    """Give `rows` the positions 1..n in their list order."""
    if not rows:
        return
    top = max(row.position for row in rows)
    for offset in (top, 0):
        for number, row in enumerate(rows, start=1):
            row.position = number + offset
        model.objects.bulk_update(rows, ["position"])


def _next_position(queryset) -> int:
    return (queryset.aggregate(top=Max("position"))["top"] or 0) + 1


@transaction.atomic
def add_section(actor, checklist, *, title) -> ChecklistSection:
    checklist = _editable(actor, checklist)
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Give the section a title."), field="title")
    section = ChecklistSection.objects.create(
        template=checklist, position=_next_position(checklist.sections.all()), title=title[:200]
    )
    _touch(checklist)
    audit.record_create(actor, section)
    return section


def _section(section) -> ChecklistSection:
    pk = section.pk if isinstance(section, ChecklistSection) else section
    return ChecklistSection.objects.select_for_update().get(pk=pk)


@transaction.atomic
def update_section(actor, section, *, title, expected_stamp="") -> ChecklistSection:
    checklist = _editable(actor, section.template_id)
    section = _section(section)
    _check_stamp(section, expected_stamp)
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Give the section a title."), field="title")
    before = audit.snapshot(section)
    section.title = title[:200]
    section.save()
    _touch(checklist)
    audit.record_update(actor, section, before)
    return section


@transaction.atomic
def delete_section(actor, section) -> None:
    """Delete a section of a draft with its items."""
    checklist = _editable(actor, section.template_id)
    section = _section(section)
    audit.record_delete(actor, section)
    section.items.all().delete()
    section.delete()
    _renumber(checklist)
    _touch(checklist)


@transaction.atomic
def move_section(actor, section, *, up: bool) -> None:
    checklist = _editable(actor, section.template_id)
    sections = list(checklist.sections.order_by("position"))
    index = next(i for i, s in enumerate(sections) if s.pk == section.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(sections):
        sections[index], sections[other] = sections[other], sections[index]
        _reposition(ChecklistSection, sections)
        _renumber(checklist)
        _touch(checklist)


def _item_values(values: dict) -> dict:
    clean = clean_item_values(values)
    problems = check_item(clean)
    if problems:
        field, message = problems[0]
        raise DomainError(message, field=field)
    return clean


def _default_code(checklist: ChecklistTemplate, section: ChecklistSection) -> str:
    taken = set(checklist.items.values_list("code", flat=True))
    number = section.items.count() + 1
    while f"{section.position}.{number}" in taken:
        number += 1
    return f"{section.position}.{number}"


def _check_code(checklist, code, exclude_pk=None) -> None:
    clash = checklist.items.filter(code=code).exclude(pk=exclude_pk)
    if clash.exists():
        raise DomainError(_("The code %(code)s is used already.") % {"code": code}, field="code")


@transaction.atomic
def add_item(actor, section, **values) -> ChecklistItem:
    """A new item at the end of `section` of a draft (a code like 2.3 when none is given)."""
    checklist = _editable(actor, section.template_id)
    section = _section(section)
    clean = _item_values(values)
    clean["code"] = clean["code"] or _default_code(checklist, section)
    _check_code(checklist, clean["code"])
    item = ChecklistItem.objects.create(
        template=checklist,
        section=section,
        position=_next_position(checklist.items.all()),
        **clean,
    )
    _renumber(checklist)
    item.refresh_from_db()
    _touch(checklist)
    audit.record_create(actor, item)
    return item


def _item(item) -> ChecklistItem:
    pk = item.pk if isinstance(item, ChecklistItem) else item
    return ChecklistItem.objects.select_for_update().get(pk=pk)


@transaction.atomic
def update_item(actor, item, *, expected_stamp="", **values) -> ChecklistItem:
    checklist = _editable(actor, item.template_id)
    item = _item(item)
    _check_stamp(item, expected_stamp)
    clean = _item_values(values)
    clean["code"] = clean["code"] or item.code
    _check_code(checklist, clean["code"], exclude_pk=item.pk)
    before = audit.snapshot(item)
    for key, value in clean.items():
        setattr(item, key, value)
    item.save()
    item.refresh_from_db()
    _touch(checklist)
    audit.record_update(actor, item, before)
    return item


@transaction.atomic
def delete_item(actor, item) -> None:
    checklist = _editable(actor, item.template_id)
    item = _item(item)
    audit.record_delete(actor, item)
    item.delete()
    _renumber(checklist)
    _touch(checklist)


@transaction.atomic
def move_item(actor, item, *, up: bool) -> None:
    """Move an item up or down within its section."""
    checklist = _editable(actor, item.template_id)
    item = _item(item)
    siblings = list(checklist.items.filter(section_id=item.section_id).order_by("position"))
    index = next(i for i, s in enumerate(siblings) if s.pk == item.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(siblings):
        siblings[index], siblings[other] = siblings[other], siblings[index]
        _renumber_within(siblings, _next_position(checklist.items.all()))
        _touch(checklist)


def _renumber_within(rows: list, top: int) -> None:
    """Give `rows` (one section's items, in their new order) their own positions again;
    `top` is above every position of the checklist."""
    positions = sorted(row.position for row in rows)
    for row, number in zip(rows, range(top + 1, top + 1 + len(rows)), strict=True):
        row.position = number
    ChecklistItem.objects.bulk_update(rows, ["position"])
    for row, number in zip(rows, positions, strict=True):
        row.position = number
    ChecklistItem.objects.bulk_update(rows, ["position"])


@transaction.atomic
def replace_content(actor, checklist, sections: list[tuple[str, list[dict]]]) -> dict:
    """Replace every section and item of a draft (the spreadsheet import): `sections` is
    [(title, [item values, ...]), ...] in order. Checked like the edit form; codes once."""
    checklist = _editable(actor, checklist)
    cleaned, codes = [], set()
    for title, rows in sections:
        title = (title or "").strip()
        if not title:
            raise DomainError(_("Give the section a title."), field="section")
        items = []
        for values in rows:
            clean = _item_values(values)
            if not clean["code"] or clean["code"] in codes:
                raise DomainError(_("Each item needs its own code."), field="code")
            codes.add(clean["code"])
            items.append(clean)
        cleaned.append((title, items))
    before = {"sections": checklist.sections.count(), "items": checklist.items.count()}
    checklist.items.all().delete()
    checklist.sections.all().delete()
    position = 0
    new_items = []
    for number, (title, items) in enumerate(cleaned, start=1):
        section = ChecklistSection.objects.create(
            template=checklist, position=number, title=title[:200]
        )
        for clean in items:
            position += 1
            new_items.append(
                ChecklistItem(template=checklist, section=section, position=position, **clean)
            )
    ChecklistItem.objects.bulk_create(new_items)
    _touch(checklist)
    after = {"sections": len(cleaned), "items": len(new_items)}
    audit.record(
        actor,
        audit.Action.UPDATE,
        checklist,
        {"content": [before, after]},
    )
    return after


# ---- the spreadsheet import --------------------------------------------------------------------

IMPORT_KIND = "checklist"


def import_preview(actor, checklist, upload):
    """Store and check a spreadsheet for a draft of the actor's office: an imports.ImportJob
    of kind "checklist" with the preview or every error (row and column)."""
    from django.core.files.base import ContentFile, File

    from dudao.imports import services as imports

    with transaction.atomic():
        checklist = _editable(actor, checklist)
    if not isinstance(upload, File):
        upload = ContentFile(upload.read(), name="import.xlsx")
    return imports.create_job(
        actor, checklist.office, IMPORT_KIND, upload, params={"checklist": checklist.pk}
    )


def import_confirm(actor, job) -> dict | None:
    """Apply a previewed import (all or nothing); the counts, or None while it runs in the
    background. DomainError when it cannot be applied."""
    from dudao.imports import services as imports

    guards.require_office_admin(
        actor, job.office_id, message=_("This import belongs to another office.")
    )
    if not imports.confirm_job(actor, job):
        raise DomainError(_("Only a checked import without errors can be applied."))
    job.refresh_from_db()
    if job.status == job.Status.APPLYING:
        return None
    if job.status != job.Status.DONE:
        problems = job.errors[:3]
        raise DomainError(
            "; ".join(
                _("Row %(row)s: %(error)s") % {"row": e["row"], "error": e["message"]}
                for e in problems
            )
            or job.file_error
            or _("Only a checked import without errors can be applied.")
        )
    return dict(job.summary)
