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

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dudao.audit import services as audit
from dudao.core import revisions
from dudao.core.errors import DomainError
from dudao.core.supervision_items import ITEM_NUMBERS
from dudao.schools.models import SchoolType

from .models import AnswerType, ChecklistItem, ChecklistSection, ChecklistTemplate, Purpose
from .workflow import CHECKLIST_WORKFLOW

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
    revisions.require_no_problems(publish_problems(checklist))


stamp = revisions.stamp  # a digest of what a form showed of an item or a section


# ---- checklists ---------------------------------------------------------------------------------


def _copy_content(source: ChecklistTemplate, target: ChecklistTemplate) -> None:
    revisions.copy_sections(
        source,
        target,
        section_model=ChecklistSection,
        item_model=ChecklistItem,
        fk="template",
        items="items",
        fields=ITEM_FIELDS,
    )


# Locking, the editable-draft guard, copies and revisions (dudao.core.revisions).
REVISIONS = revisions.Revisions(
    ChecklistTemplate,
    wording=revisions.Wording(
        builtin=gettext_lazy("Built-in checklists are not edited: copy one first."),
        other_office=gettext_lazy("This checklist belongs to another office."),
        published=gettext_lazy(
            "A published checklist is never changed: make a new revision to edit it."
        ),
        stale=gettext_lazy("Someone else changed this checklist; reload it and try again."),
        draft_exists=gettext_lazy(
            "Revision %(revision)s of this checklist is a draft already: edit that one."
        ),
        key_taken=gettext_lazy("Your office already has a checklist with this key."),
    ),
    header_fields=("purpose", "description", "source"),
    copy_children=_copy_content,
    children=("items", "sections"),
    default_key="checklist",
    workflow=CHECKLIST_WORKFLOW,
)


def _touch(checklist: ChecklistTemplate) -> None:
    """A change of a draft's sections or items moves its `updated_at`."""
    checklist.save(update_fields=["updated_at"])


def _check_header(values: dict) -> None:
    if not values["title"]:
        raise DomainError(_("Give the checklist a title."), field="title")
    if values["purpose"] not in Purpose.values:
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
    REVISIONS.require_creator(actor)
    values = {
        "title": (title or "").strip(),
        "purpose": purpose,
        "description": (description or "").strip(),
        "source": (source or "").strip(),
    }
    _check_header(values)
    return REVISIONS.create(
        actor, action="checklists.create_checklist", request_key=request_key, key=key, **values
    )


@transaction.atomic
def update_checklist(
    actor, checklist, *, expected_version, title, purpose, description="", source=""
) -> ChecklistTemplate:
    """A draft's title, purpose, description and source (依据)."""
    return REVISIONS.update(
        actor,
        checklist,
        expected_version=expected_version,
        check=_check_header,
        title=(title or "").strip(),
        purpose=purpose,
        description=(description or "").strip(),
        source=(source or "").strip(),
    )


# A new draft line in the actor's office with every section and item of `source` (a built-in or
# the office's own revision); see the module docstring for its key.
copy_checklist = REVISIONS.copy
# A draft with the next revision number of the same line, copied from a published or retired
# revision of the office's own. Built-ins are copied instead.
new_revision = REVISIONS.new_revision
# Discard a draft (never used: campaigns and returns run published revisions only).
delete_draft = REVISIONS.delete_draft
# Draft → published, after every check of `publish_problems` (the workflow's guard).
publish = REVISIONS.publish
# Published → retired: kept for what ran it, offered for nothing new.
retire = REVISIONS.retire


# ---- sections and items of a draft ------------------------------------------------------------


def _item_values(values: dict) -> dict:
    clean = clean_item_values(values)
    problems = check_item(clean)
    if problems:
        field, message = problems[0]
        raise DomainError(message, field=field)
    return clean


# The writes on a draft's sections and items (dudao.core.revisions.Sections).
SECTIONS = revisions.Sections(
    REVISIONS,
    section_model=ChecklistSection,
    item_model=ChecklistItem,
    fk="template",
    items="items",
    clean=_item_values,
    touch=_touch,
)
add_section = SECTIONS.add_section
update_section = SECTIONS.update_section
delete_section = SECTIONS.delete_section  # with its items
move_section = SECTIONS.move_section
add_item = SECTIONS.add_item  # at the end of its section; a code like 2.3 when none is given
update_item = SECTIONS.update_item
delete_item = SECTIONS.delete_item
move_item = SECTIONS.move_item  # up or down within its section


@transaction.atomic
def replace_content(actor, checklist, sections: list[tuple[str, list[dict]]]) -> dict:
    """Replace every section and item of a draft (the spreadsheet import): `sections` is
    [(title, [item values, ...]), ...] in order. Checked like the edit form; codes once."""
    checklist = REVISIONS.editable(actor, checklist)
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
    from dudao.imports import services as imports

    return REVISIONS.import_preview(
        actor, checklist, upload, imports=imports, kind=IMPORT_KIND, param="checklist"
    )


def import_confirm(actor, job) -> dict | None:
    """Apply a previewed import (all or nothing); the counts, or None while it runs in the
    background. DomainError when it cannot be applied."""
    from dudao.imports import services as imports

    return revisions.confirm_import(actor, job, imports=imports)
