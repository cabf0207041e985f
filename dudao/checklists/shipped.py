"""The built-in checklists (内置检查表): one JSON file per checklist in
`dudao/checklists/builtin/`, written in Chinese from the seed documents and docs/rules.md
(RULES §8 for the "double reduction" ones). Built-ins have no office, are published, and every
office reads them; offices copy them to edit (`services.copy_checklist`).

A file holds the checklist's `key`, `title`, `purpose` (campaign or return), `description`,
`source` (the documents it follows) and its `sections`, each a `title` and `items` with the
item fields of `ChecklistItem` (`code`, `question`, `answer_type`, `choices`, `compliant`,
`unit`, `standard_min`, `standard_max`, `evidence_required`, `school_types`, `guidance`,
`supervision_item`).

Loading (`ensure_builtin_checklists`, also run by migration 0003) is idempotent: a key not
yet stored is created as revision 1; a key whose newest stored revision has the same content
as its file is left alone; a file that differs from it becomes the next revision (published,
`based_on` the one before). A stored revision is never changed, so campaigns keep theirs.
"""

import json
from decimal import Decimal
from pathlib import Path

from django.db import transaction

BUILTIN_DIR = Path(__file__).resolve().parent / "builtin"

# The built-in keys (one per file), for other modules and the demo.
KAIXUE = "kaixue"  # 春季/秋季开学工作督查
SHUANGJIAN = "shuangjian-wuxiang"  # “双减”与“五项管理”专项督导
ANQUAN = "xiaoyuan-anquan"  # 校园及周边安全专项督导（含校舍安全）
KONGCHUO = "kongchuo-baoxue"  # 控辍保学专项督查
YOUERYUAN = "minban-youeryuan"  # 民办幼儿园办园行为专项督导
SHUANGJIAN_RETURN = "shuangjian-banyue"  # “双减”工作半月报 (purpose: return)
BUILTIN_KEYS = (KAIXUE, SHUANGJIAN, ANQUAN, KONGCHUO, YOUERYUAN, SHUANGJIAN_RETURN)

HEADER_FIELDS = ("title", "purpose", "description", "source")
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


def builtin_files() -> list[Path]:
    return sorted(BUILTIN_DIR.glob("*.json"))


def read_builtins() -> list[dict]:
    """Every built-in file's data, in file-name order."""
    return [json.loads(path.read_text(encoding="utf-8")) for path in builtin_files()]


def _number(value) -> str | None:
    if value is None or value == "":
        return None
    number = Decimal(str(value)).normalize()
    return f"{number:f}"


def canonical_item(values: dict) -> dict:
    """An item's fields in one form, whether read from a file or from a row."""
    return {
        "code": str(values.get("code") or ""),
        "question": str(values.get("question") or ""),
        "answer_type": values.get("answer_type") or "yes_no",
        "choices": list(values.get("choices") or []),
        "compliant": list(values.get("compliant") or []),
        "unit": str(values.get("unit") or ""),
        "standard_min": _number(values.get("standard_min")),
        "standard_max": _number(values.get("standard_max")),
        "evidence_required": bool(values.get("evidence_required")),
        "school_types": list(values.get("school_types") or []),
        "guidance": str(values.get("guidance") or ""),
        "supervision_item": values.get("supervision_item") or None,
    }


def canonical_data(data: dict) -> dict:
    return {
        **{key: data.get(key) or "" for key in HEADER_FIELDS},
        "sections": [
            {"title": s["title"], "items": [canonical_item(i) for i in s.get("items", [])]}
            for s in data.get("sections", [])
        ],
    }


def canonical_rows(template) -> dict:
    """The same form for a stored revision (any model class: the app's or a migration's)."""
    items_by_section = {}
    for item in template.items.order_by("position"):
        values = {key: getattr(item, key) for key in ITEM_FIELDS}
        items_by_section.setdefault(item.section_id, []).append(canonical_item(values))
    return {
        **{key: getattr(template, key) or "" for key in HEADER_FIELDS},
        "sections": [
            {"title": s.title, "items": items_by_section.get(s.pk, [])}
            for s in template.sections.order_by("position")
        ],
    }


def sync(data_list, *, templates, section_model, item_model, publish, created=None) -> list:
    """Create what `data_list` has and the stored built-ins lack (see the module docstring).
    `templates` is a manager or queryset of the checklist model; `publish(template)` publishes
    a new revision (and may return it, fresh); `created(template)` is told of each new one
    first. Returns the new ones."""
    made = []
    for data in data_list:
        wanted = canonical_data(data)
        latest = (
            templates.filter(office__isnull=True, key=data["key"]).order_by("-revision").first()
        )
        if latest is not None and canonical_rows(latest) == wanted:
            continue
        template = templates.create(
            office=None,
            key=data["key"],
            revision=latest.revision + 1 if latest else 1,
            based_on=latest,
            **{key: wanted[key] for key in HEADER_FIELDS},
        )
        position = 0
        rows = []
        for number, section_data in enumerate(wanted["sections"], start=1):
            section = section_model.objects.create(
                template=template, position=number, title=section_data["title"]
            )
            for values in section_data["items"]:
                position += 1
                rows.append(
                    item_model(
                        template=template,
                        section=section,
                        position=position,
                        **{
                            **values,
                            "standard_min": _decimal(values["standard_min"]),
                            "standard_max": _decimal(values["standard_max"]),
                        },
                    )
                )
        item_model.objects.bulk_create(rows)
        if created is not None:
            created(template)
        template = publish(template) or template
        made.append(template)
    return made


def _decimal(value):
    return None if value is None else Decimal(value)


@transaction.atomic
def ensure_builtin_checklists() -> list:
    """Load the built-in checklists (idempotent; see the module docstring), as the platform:
    each new revision is published through the workflow, with its history and audit rows.
    Returns the revisions created now (none when everything is loaded already)."""
    from dudao.audit import services as audit
    from dudao.core.guards import SYSTEM

    from . import services
    from .models import ChecklistItem, ChecklistSection, ChecklistTemplate

    return sync(
        read_builtins(),
        templates=ChecklistTemplate.objects.unscoped(),
        section_model=ChecklistSection,
        item_model=ChecklistItem,
        publish=lambda template: services.publish(SYSTEM, template),
        created=lambda template: audit.record_create(SYSTEM, template),
    )
