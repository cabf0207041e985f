"""The framework spreadsheet (指标体系): one row per indicator with its parent's code, the very
columns of the offline command `dudao evaluation score --framework` (code, parent, title,
max_score, method, levels, guide, evidence, formula; docs/evaluation.md), so a file exported
here is scored by the command as it is, and a file the command reads imports here.

An import replaces every indicator of one draft of the office (`params["framework"]`), through
`framework_services.replace_indicators`, all or nothing. The file is read and checked by the
framework engine (`read_sheet` and `parse_framework_rows`, the command's own reader and check:
one validation for the web and the command), and each problem names its row and column.
XLSX or CSV (UTF-8 or GB18030). Registered as the import kind "framework" by the app's
`ready()`."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dudao.core.spreadsheets import Column, build_workbook, workbook_bytes
from dudao.imports.importers.base import Importer, Plan, Sheet

from . import framework_services as services
from .engine import METHODS, OPTIONAL_COLUMNS, FrameworkInvalid, parse_framework_rows, read_sheet
from .engine.framework import COLUMNS as REQUIRED_COLUMNS
from .engine.framework import format_levels, plain
from .models import Framework

# The headers are the command's column names (the file format, never translated); the help
# texts of the 填写说明 sheet are Chinese.
COLUMNS = [
    Column(
        "code",
        "code",
        required=True,
        width=8,
        text=True,
        help="指标编号，如 A1、B3、C12；同一指标体系内不得重复。",
    ),
    Column(
        "parent",
        "parent",
        width=8,
        text=True,
        help="上级指标的编号；一级指标留空。上级指标须在本表中。",
    ),
    Column("title", "title", required=True, width=30, help="指标名称。"),
    Column(
        "max_score",
        "max_score",
        required=True,
        width=9,
        help="满分（分值），最多两位小数。有下级指标的，满分须等于下级指标满分之和；"
        "一票否决项为 0。",
    ),
    Column(
        "method",
        "method",
        width=9,
        choices=list(METHODS),
        help="评分方式：points（在满分内赋分）、levels（等级）、yesno（是/否）、"
        "veto（一票否决）、formula（按公式计算）。有下级指标的留空。",
    ),
    Column(
        "levels",
        "levels",
        width=18,
        help="等级及其得分比例，如 A:1,B:0.8,C:0.6,D:0（仅 levels 方式填写）。",
    ),
    Column("guide", "guide", width=40, help="评分细则（评分标准、扣分办法）。"),
    Column("evidence", "evidence", width=30, help="佐证材料。"),
    Column(
        "formula",
        "formula",
        width=20,
        help="计算公式（仅 formula 方式），如 min(1, teachers / (pupils / 19)) * 10。",
    ),
]

NOTES = [
    "每行一个指标，先写上级指标，再写其下级指标；parent 列填上级指标的编号。",
    "导入会替换草稿指标体系的全部指标；已发布的指标体系不能导入，请先“新建修订版”。",
    "导出的文件可以修改后再导入，也可以直接用于命令行 dudao evaluation score --framework。",
    "一票否决项（veto）的满分为 0，标题写成“是”表示未发生，如：未发生重大安全责任事故。",
]


def _number(value):
    """A maximum as a spreadsheet number (an integer when it is one)."""
    return int(value) if value == value.to_integral_value() else float(plain(value))


def export_rows(framework: Framework) -> list[list]:
    """One row per indicator in depth-first order, in the columns of COLUMNS."""
    rows = list(framework.indicators.order_by("position"))
    codes = {row.pk: row.code for row in rows}
    return [
        [
            row.code,
            codes.get(row.parent_id, ""),
            row.title,
            _number(row.max_score),
            row.method,
            format_levels(services.levels_of(row.levels)),
            row.guide,
            row.evidence,
            row.formula,
        ]
        for row in rows
    ]


def framework_xlsx(framework: Framework) -> bytes:
    """The framework as a spreadsheet in the import layout (with the 填写说明 sheet)."""
    intro = [f"{framework.title}（修订版 {framework.revision}，满分 {plain(framework.total_max)}）"]
    if framework.source:
        intro.append(f"依据：{framework.source}")
    return workbook_bytes(
        build_workbook(
            COLUMNS,
            export_rows(framework),
            title="指标",
            notes=NOTES,
            intro=intro,
            spare_rows=200,
        )
    )


class FrameworkImporter(Importer):
    kind = services.IMPORT_KIND
    label = gettext_lazy("Indicator framework")
    filename = "指标体系"
    listed = False  # uploaded from the framework's own page (a draft is chosen there)
    allow_csv = True  # the offline command's CSV files import too
    columns = COLUMNS
    notes = NOTES
    max_rows = 2000

    def detail_url(self, job) -> str:
        return reverse("evaluations:framework_import_preview", args=[job.pk])

    def export_rows(self, queryset):
        return [row for framework in queryset for row in export_rows(framework)]

    def read(self, fileobj, filename: str = "") -> Sheet:
        """The engine's reader: the required columns and any of the optional ones, in any
        order (SheetError refuses the file, saying why)."""
        return Sheet(read_sheet(fileobj, REQUIRED_COLUMNS, OPTIONAL_COLUMNS, filename=filename))

    def framework(self) -> Framework | None:
        return (
            Framework.objects.unscoped()
            .filter(pk=self.params.get("framework"), office=self.office)
            .first()
        )

    def plan(self, sheet, progress=None) -> Plan:
        plan = Plan()
        framework = self.framework()
        if framework is None or framework.status != Framework.Status.DRAFT:
            self.error(
                plan, None, None, _("The framework is no longer a draft: nothing was imported.")
            )
            return plan
        if len(sheet.rows) > self.max_rows:
            self.error(
                plan,
                None,
                None,
                _("A framework has at most %(count)s indicators.") % {"count": self.max_rows},
            )
            return plan
        try:
            spec = parse_framework_rows(sheet.rows)
        except FrameworkInvalid as invalid:
            for error in invalid.errors:
                self.error(plan, error.row, error.column or None, error.message, error.code)
            return plan
        rows = {}
        for number, record in sheet.rows:
            rows.setdefault(record.get("code"), number)
        for indicator in spec.walk():
            number = rows.get(indicator.code)
            for field, message in services.indicator_limits(indicator):
                self.error(plan, number, field, message)
            self.preview(plan, number, "create", f"{indicator.code} {indicator.title[:40]}")
        if plan.errors:
            return plan
        plan.creates = list(spec)
        plan.items = [spec]
        return plan

    def apply(self, plan, actor, progress=None) -> dict:
        counts = services.replace_indicators(actor, self.framework(), plan.items[0])
        if progress:
            progress(counts["created"], counts["created"])
        return {"created": counts["created"], "updated": 0, "unchanged": 0}
