"""The school resources import (均衡发展监测学校资源数据): one row per school for one year
(`params["year"]`), checked by the monitoring engine's rules and written row by row through
`monitoring.services.save_resources` (version, history row and audit entry per change)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dudao.core.errors import DomainError
from dudao.core.spreadsheets import cell_text
from dudao.monitoring import inputs
from dudao.monitoring import services as monitoring
from dudao.monitoring.fields import NUMERIC_FIELDS
from dudao.monitoring.models import DECIMAL_FIELDS, SchoolResources, SchoolResourcesHistory
from dudao.schools.models import School

from .base import Importer, Plan

CODE = "学校标识码"


class RowError(DomainError):
    """A row refused while it is written: the whole import is rolled back."""

    def __init__(self, row: int, message: str, field: str | None = None):
        self.row = row
        super().__init__(message, field=field)


class ResourcesImporter(Importer):
    kind = "resources"
    label = gettext_lazy("School resources")
    filename = "均衡发展监测学校资源数据"
    listed = False  # uploaded from the monitoring screens (a year is chosen there)
    columns = inputs.template_columns()
    notes = list(inputs.TEMPLATE_HELP)
    allow_csv = True
    formulas = "value"  # a formula's cached value is read; one without fails as "not a number"
    # One row per school of a county (a few thousand at most): the engine's checks of a larger
    # file take minutes and most of a gigabyte in the worker (bench/security_spreadsheets.py).
    max_rows = 20_000

    @property
    def year(self) -> int:
        return int(self.params["year"])

    def detail_url(self, job) -> str:
        return reverse("monitoring:import_preview", args=[job.pk])

    def plan(self, sheet, progress=None):
        plan = Plan()
        data = None
        try:
            data = inputs.check_rows(sheet.rows, monitoring.checking_rules())
        except inputs.InputRefused as refused:
            for e in refused.errors:
                self.error(plan, e.row, e.column, e.message, code=e.code)
        schools = {s.code: s for s in School.objects.unscoped().filter(office=self.office)}
        for number, record in sheet.rows:
            code = cell_text(record.get(CODE))
            if code and code not in schools:
                self.error(
                    plan,
                    number,
                    CODE,
                    _("No school with this code in your county's registry."),
                    code="unknown_school",
                )
        plan.errors.sort(key=lambda e: (e["row"] or 0, e["column"] or ""))
        if plan.errors or data is None:
            return plan
        existing = {
            r.school_id: r
            for r in SchoolResources.objects.unscoped().filter(office=self.office, year=self.year)
        }
        for i, code in enumerate(data.codes):
            school = schools[code]
            figures = {
                key: float(v) for key, v in zip(inputs.FIELD_KEYS, data.values[i], strict=True)
            }
            item = {
                "row": data.rows[i],
                "school_id": school.pk,
                "school_type": data.types[i],
                "figures": figures,
            }
            plan.items.append(item)
            before = existing.get(school.pk)
            if before is None:
                plan.creates.append(item)
                action = "create"
            elif self._same(before, data.types[i], figures):
                plan.unchanged += 1
                action = "unchanged"
            else:
                plan.updates.append((item, None, []))
                action = "update"
            self.preview(plan, data.rows[i], action, f"{code} {school.name}")
        return plan

    @staticmethod
    def _same(stored: SchoolResources, school_type: str, figures: dict) -> bool:
        clean = monitoring.clean_figures(figures)
        for f in NUMERIC_FIELDS:
            new = round(clean[f.key], 2) if f.key in DECIMAL_FIELDS else clean[f.key]
            if stored.figures()[f.key] != new:
                return False
        return stored.school_type == school_type

    def apply_row(self, item, actor) -> str:
        school = School.objects.unscoped().filter(pk=item["school_id"], office=self.office).first()
        if school is None:
            raise RowError(item["row"], _("The school no longer exists."))
        existed = SchoolResources.objects.unscoped().filter(school=school, year=self.year).exists()
        try:
            _resources, changed = monitoring.save_resources(
                actor,
                school,
                self.year,
                item["figures"],
                school_type=item["school_type"],
                source=SchoolResourcesHistory.Source.IMPORT,
            )
        except DomainError as error:
            raise RowError(item["row"], error.message, error.field) from None
        if not changed:
            return "unchanged"
        return "updated" if existed else "created"

    def export_rows(self, queryset):
        rows = []
        for r in queryset.select_related("school").order_by("school__code"):
            figures = r.figures()
            rows.append(
                [r.school.code, r.school.name, r.school_type]
                + [figures[f.key] for f in NUMERIC_FIELDS]
            )
        return rows
