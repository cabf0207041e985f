"""The checklist spreadsheet (检查表): one row per item, in order; the section column groups
them (sections in the order they first appear). The same columns are the export
(`checklist_xlsx`), so an exported checklist imports again unchanged.

An import replaces every section and item of one draft of the office (`params["checklist"]`),
through `services.replace_content`, all or nothing. Every row is checked with
`services.check_item` (the edit form's rules) and each problem names the row and the column.
Registered as the import kind "checklist" by the app's `ready()`."""

import re

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dudao.core.spreadsheets import Column, build_workbook, workbook_bytes
from dudao.core.supervision_items import ALL_ITEMS, ITEMS_BY_NUMBER
from dudao.imports import cells
from dudao.imports.cells import CellError
from dudao.imports.importers.base import Importer, Plan

from . import services
from .models import AnswerType, ChecklistTemplate

# The file format's words (Chinese, never translated).
TYPE_WORDS = {
    AnswerType.YES_NO: "是否",
    AnswerType.LEVEL: "等级",
    AnswerType.NUMBER: "数值",
    AnswerType.CHOICE: "单选",
    AnswerType.TEXT: "文字",
    AnswerType.PHOTO: "照片",
}
TYPE_ALIASES = {"是/否": AnswerType.YES_NO, "数字": AnswerType.NUMBER, "选择": AnswerType.CHOICE}
SCHOOL_TYPE_WORDS = {
    "kindergarten": "幼儿园",
    "primary": "小学",
    "junior": "初中",
    "nine_year": "九年一贯制学校",
    "twelve_year": "十二年一贯制学校",
    "complete_secondary": "完全中学",
    "senior": "高级中学",
    "vocational": "中等职业学校",
    "special": "特殊教育学校",
    "teaching_point": "教学点",
}
SEPARATORS = re.compile(r"[、；;|\n]+")
YES, NO = "是", "否"


def item_label(number) -> str:
    item = ITEMS_BY_NUMBER.get(number)
    return f"{item.number} {item.zh}" if item else ""


COLUMNS = [
    Column(
        "分节",
        "section",
        required=True,
        width=18,
        help="分节标题；同一分节的各行写同一标题，分节按首次出现的顺序排列。",
    ),
    Column(
        "编号",
        "code",
        required=True,
        width=8,
        text=True,
        help="检查项编号，如 2.3；同一检查表内不得重复。",
    ),
    Column("检查内容", "question", required=True, width=40, help="要检查或填报的内容。"),
    Column(
        "答案类型",
        "answer_type",
        required=True,
        width=10,
        choices=list(TYPE_WORDS.values()),
        help="是否、等级、数值、单选、文字、照片之一。",
    ),
    Column(
        "选项",
        "choices",
        width=22,
        help="等级和单选的选项，用顿号（、）分隔，如：好、较好、一般、差。其他类型留空。",
    ),
    Column(
        "达标答案",
        "compliant",
        width=16,
        help="哪些答案算达标：是否题填“是”或“否”；等级、单选填选项（可多个，用顿号分隔）；"
        "数值题留空（用最小值、最大值）；留空表示不评判。",
    ),
    Column("单位", "unit", width=8, help="数值的单位，如 分钟、小时、%、人。"),
    Column("最小值", "standard_min", width=9, help="数值题的达标下限（含），可留空。"),
    Column("最大值", "standard_max", width=9, help="数值题的达标上限（含），可留空。"),
    Column(
        "需佐证",
        "evidence_required",
        width=8,
        choices=[YES, NO],
        help="是否需要上传佐证材料（照片、文件）：是或否，留空为否。",
    ),
    Column(
        "适用学校类型",
        "school_types",
        width=22,
        help="用顿号分隔，如：小学、九年一贯制学校；留空为所有类型。可用："
        + "、".join(SCHOOL_TYPE_WORDS.values())
        + "。",
    ),
    Column("检查要点", "guidance", width=36, help="检查方法和要点（查阅资料、实地查看、访谈等）。"),
    Column(
        "督导事项",
        "supervision_item",
        width=22,
        list_name="items",
        help="由此项发现问题时归入的督导事项：填编号（1–13）或名称，可留空。",
    ),
]

NOTES = [
    "每行一个检查项，按行的顺序排列；“分节”列把各行归入分节。",
    "导入会替换草稿检查表的全部分节和检查项；已发布的检查表不能导入，请先“新建修订版”。",
    "导出的文件可以修改后再导入。",
]


def split_options(raw) -> list[str]:
    return [part.strip() for part in SEPARATORS.split(cells.text(raw)) if part.strip()]


def _number(raw):
    if cells.is_blank(raw):
        return None
    if isinstance(raw, bool):
        raise CellError(_("Enter a number."))
    if isinstance(raw, (int, float)):
        return raw
    value = cells.text(raw).replace(",", "").replace("，", "")
    try:
        return float(value)
    except ValueError:
        raise CellError(_("“%(value)s” is not a number.") % {"value": raw}) from None


def _answer_type(raw) -> str:
    value = cells.text(raw)
    mapping = {word: kind for kind, word in TYPE_WORDS.items()} | TYPE_ALIASES
    mapping |= {kind.value: kind for kind in AnswerType}
    if value in mapping:
        return str(mapping[value])
    raise CellError(
        _("Unknown value “%(value)s”; choose one of: %(choices)s.")
        % {"value": raw, "choices": "、".join(TYPE_WORDS.values())}
    )


def _school_types(raw) -> list[str]:
    by_word = {word: value for value, word in SCHOOL_TYPE_WORDS.items()}
    found = []
    for word in split_options(raw):
        value = by_word.get(word) or (word if word in SCHOOL_TYPE_WORDS else None)
        if value is None:
            raise CellError(
                _("Unknown school type “%(value)s”; use: %(choices)s.")
                % {"value": word, "choices": "、".join(SCHOOL_TYPE_WORDS.values())}
            )
        if value not in found:
            found.append(value)
    return found


def _supervision_item(raw):
    if cells.is_blank(raw):
        return None
    value = cells.text(raw)
    match = re.match(r"^\s*(\d+)", value)
    if match and int(match.group(1)) in ITEMS_BY_NUMBER:
        return int(match.group(1))
    for item in ALL_ITEMS:
        if value == item.zh:
            return item.number
    raise CellError(_("Unknown supervision item “%(value)s”; enter 1 to 13.") % {"value": raw})


def _evidence(raw) -> bool:
    return cells.boolean(raw, default=False)


def parse_compliant(raw, answer_type: str):
    if answer_type == AnswerType.YES_NO:
        value = cells.text(raw)
        if not value:
            return []
        if value in (YES, *cells.YES):
            return [True]
        if value in (NO, *cells.NO):
            return [False]
        raise CellError(_("Enter 是 (yes) or 否 (no), not “%(value)s”.") % {"value": raw})
    return split_options(raw)


def export_rows(checklist: ChecklistTemplate) -> list[list]:
    rows = []
    for item in checklist.items.select_related("section").order_by("position"):
        if item.answer_type == AnswerType.YES_NO:
            compliant = {(True,): YES, (False,): NO}.get(tuple(item.compliant), "")
        else:
            compliant = "、".join(map(str, item.compliant))
        rows.append(
            [
                item.section.title,
                item.code,
                item.question,
                TYPE_WORDS.get(item.answer_type, item.answer_type),
                "、".join(item.choices),
                compliant,
                item.unit,
                _plain_number(item.standard_min),
                _plain_number(item.standard_max),
                YES if item.evidence_required else NO,
                "、".join(SCHOOL_TYPE_WORDS.get(t, t) for t in item.school_types),
                item.guidance,
                item_label(item.supervision_item),
            ]
        )
    return rows


def _plain_number(value):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def lists() -> dict[str, list[str]]:
    return {"items": [item_label(item.number) for item in ALL_ITEMS]}


def checklist_xlsx(checklist: ChecklistTemplate) -> bytes:
    """The checklist as a spreadsheet in the import layout (with the 填写说明 sheet)."""
    intro = [f"{checklist.title}（修订版 {checklist.revision}）"]
    if checklist.source:
        intro.append(f"依据：{checklist.source}")
    return workbook_bytes(
        build_workbook(
            COLUMNS,
            export_rows(checklist),
            title="检查项",
            lists=lists(),
            notes=NOTES,
            intro=intro,
            spare_rows=200,
        )
    )


class ChecklistImporter(Importer):
    kind = services.IMPORT_KIND
    label = gettext_lazy("Checklist items")
    filename = "检查表"
    listed = False  # uploaded from the checklist's own page (a draft is chosen there)
    columns = COLUMNS
    notes = NOTES
    max_rows = 2000

    def detail_url(self, job) -> str:
        return reverse("checklists:import_preview", args=[job.pk])

    def lists(self):
        return lists()

    def export_rows(self, queryset):
        return [row for checklist in queryset for row in export_rows(checklist)]

    def checklist(self) -> ChecklistTemplate | None:
        return (
            ChecklistTemplate.objects.unscoped()
            .filter(pk=self.params.get("checklist"), office=self.office)
            .first()
        )

    def plan(self, sheet, progress=None) -> Plan:
        plan = Plan()
        checklist = self.checklist()
        if checklist is None or checklist.status != ChecklistTemplate.Status.DRAFT:
            self.error(
                plan, None, None, _("The checklist is no longer a draft: nothing was imported.")
            )
            return plan
        if not sheet.rows:
            self.error(plan, None, None, _("The file has no items."))
            return plan
        sections: dict[str, list[dict]] = {}
        codes: dict[str, int] = {}
        for number, raw in sheet.rows:
            values = self._row(plan, number, raw)
            if values is None:
                continue
            section = values.pop("section")
            clean = services.clean_item_values(values)
            problems = services.check_item(clean)
            for field, message in problems:
                self.error(plan, number, field, message)
            if clean["code"] in codes:
                self.error(
                    plan,
                    number,
                    "code",
                    _("The code %(code)s is used in row %(row)s already.")
                    % {"code": clean["code"], "row": codes[clean["code"]]},
                )
            codes.setdefault(clean["code"], number)
            if problems:
                continue
            sections.setdefault(section, []).append(clean)
            plan.creates.append(clean)
            self.preview(plan, number, "create", f"{clean['code']} {clean['question'][:40]}")
        plan.items = list(sections.items())
        return plan

    def _row(self, plan, number, raw) -> dict | None:
        ok = True
        values = {}
        converters = {
            "section": cells.text,
            "code": cells.text,
            "question": cells.text,
            "answer_type": _answer_type,
            "choices": split_options,
            "unit": cells.text,
            "standard_min": _number,
            "standard_max": _number,
            "evidence_required": _evidence,
            "school_types": _school_types,
            "guidance": cells.text,
            "supervision_item": _supervision_item,
        }
        for column in self.columns:
            if column.key == "compliant":
                continue
            value = raw.get(column.key)
            try:
                if column.required and cells.is_blank(value):
                    raise CellError(_("This column is required."))
                values[column.key] = converters[column.key](value)
            except CellError as exc:
                self.error(plan, number, column.key, exc.message)
                ok = False
        if "answer_type" in values:
            try:
                values["compliant"] = parse_compliant(raw.get("compliant"), values["answer_type"])
            except CellError as exc:
                self.error(plan, number, "compliant", exc.message)
                ok = False
        return values if ok else None

    def apply(self, plan, actor, progress=None) -> dict:
        counts = services.replace_content(actor, self.checklist(), plan.items)
        if progress:
            progress(counts["items"], counts["items"])
        return {"created": counts["items"], "updated": 0, "unchanged": 0}
