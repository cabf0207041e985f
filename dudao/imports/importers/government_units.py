"""The government units import (督政对象): one row per unit of the office, matched by its name.

Every row is checked with `organisations.services.check_unit` (the edit form's rules) before
anything is written, each problem with its row and column; the rows are then written through
`create_unit` / `update_unit` (audited per unit) in the pipeline's one transaction: all rows
or none. The county government is written first, then the townships, then the departments, so
a department may name a county government created further down the file. Registered as the
import kind "government_units" by the organisations app's `ready()`; uploaded from the units'
own page (/registry/units/import/), so it has no card on /imports/."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dudao.core.errors import DomainError
from dudao.organisations import services as units
from dudao.organisations.models import GovernmentUnit, Region

from .. import cells
from .base import UNKNOWN_TOWNSHIP, Column, Importer, Plan, tick

Kind = GovernmentUnit.Kind

# The file's words for the kinds (Chinese, never translated), and what else a row may say.
KIND_WORDS = {
    Kind.COUNTY_GOVERNMENT: "县政府",
    Kind.DEPARTMENT: "县直部门",
    Kind.TOWNSHIP: "乡镇政府",
}
KIND_ALIASES = {
    "县人民政府": Kind.COUNTY_GOVERNMENT,
    "区人民政府": Kind.COUNTY_GOVERNMENT,
    "区政府": Kind.COUNTY_GOVERNMENT,
    "县（区）政府": Kind.COUNTY_GOVERNMENT,
    "县(区)政府": Kind.COUNTY_GOVERNMENT,
    "部门": Kind.DEPARTMENT,
    "县直单位": Kind.DEPARTMENT,
    "区直部门": Kind.DEPARTMENT,
    "乡镇": Kind.TOWNSHIP,
    "乡镇人民政府": Kind.TOWNSHIP,
    "街道": Kind.TOWNSHIP,
    "街道办事处": Kind.TOWNSHIP,
    "乡镇（街道）": Kind.TOWNSHIP,
}
# Written in this order, so a department's county government exists when it is written.
WRITE_ORDER = {Kind.COUNTY_GOVERNMENT: 0, Kind.TOWNSHIP: 1, Kind.DEPARTMENT: 2}

UNKNOWN_PARENT = gettext_lazy(
    "Unknown unit “%(name)s”: no unit of this office or of this file has this name."
)


class RowError(DomainError):
    """A row refused while it is written: the whole import is rolled back."""

    def __init__(self, row: int, message: str, field: str | None = None):
        self.row = row
        super().__init__(message, field=field)


class GovernmentUnitImporter(Importer):
    kind = units.IMPORT_KIND
    label = gettext_lazy("Government units")
    filename = "督政对象"
    listed = False  # uploaded from the units' page (organisations/unit_views.py)
    max_rows = 5_000  # a county has a few dozen units
    columns = [
        Column(
            "名称", "name", True, 30, "单位全称，如 清河县人民政府、清河县教育局、城关镇人民政府。"
        ),
        Column(
            "类型",
            "kind",
            True,
            12,
            "县政府、县直部门或乡镇政府（含街道办事处）。",
            choices=list(KIND_WORDS.values()),
        ),
        Column(
            "上级",
            "parent",
            False,
            24,
            "仅县直部门填写：县政府的名称；留空为本县（区）政府。",
        ),
        Column(
            "乡镇（街道）",
            "region",
            False,
            16,
            "仅乡镇政府填写：所辖乡镇或街道的名称，可留空。",
            list_name="township",
        ),
        Column("联系人", "contact", False, 12, ""),
        Column("电话", "phone", False, 16, "11位手机号或座机号，如 0571-88888888。", text=True),
    ]
    notes = [
        "1. 第一行为列名，请勿修改；从第二行起每行一个单位。",
        "2. 名称已存在的单位将被更新，不存在的将被新建；文件中未出现的单位不受影响。",
        "3. 每个督导室只有一个县（区）政府；县直部门的上级是本县（区）政府，"
        "可与部门写在同一文件中。",
        "4. 只要有一行有错误，整个文件都不会导入；请按提示修改后重新上传。",
        "5. 停用或删除单位请在“督政对象”页面操作。",
    ]
    FIELDS = ["kind", "name", "parent", "region", "contact", "phone"]

    def __init__(self, office, params=None):
        super().__init__(office, params)
        self.kind_map = cells.label_map(
            Kind.choices, {**KIND_ALIASES, **{w: k for k, w in KIND_WORDS.items()}}
        )

    def townships(self) -> dict[str, Region]:
        qs = Region.objects.filter(
            level=Region.Level.TOWNSHIP, path__startswith=self.office.region.path
        ).order_by("code")
        result = {}
        for region in qs:
            result.setdefault(region.name, region)
        return result

    def lists(self):
        return {"township": list(self.townships())}

    def converters(self):
        return {
            "name": cells.text,
            "kind": lambda v: cells.choice(v, self.kind_map, KIND_WORDS),
            "parent": cells.text,
            "region": cells.text,
            "contact": cells.text,
            "phone": cells.digits,
        }

    def plan(self, sheet, progress=None):
        plan = Plan()
        office = self.office
        townships = self.townships()
        existing = {
            u.name: u
            for u in GovernmentUnit.objects.unscoped()
            .filter(office=office)
            .select_related("parent", "region")
        }
        converters = self.converters()
        parsed, first_row = [], {}
        for number, raw in sheet.rows:
            values = self.convert(plan, number, raw, converters)
            name = " ".join(values["name"].split()) if values else cells.text(raw.get("name"))
            if name and name in first_row:
                self.error(
                    plan,
                    number,
                    "name",
                    _("The unit “%(name)s” also appears on row %(row)s.")
                    % {"name": name, "row": first_row[name]},
                )
                values = None
            elif name:
                first_row[name] = number
            if values is not None:
                values["name"] = name
                parsed.append((number, values))
        # Pass 1: the rows' units (unsaved where new), so a department may name a county
        # government further down the file.
        built, in_file = [], {}
        for index, (number, v) in enumerate(parsed):
            current = existing.get(v["name"])
            unit, before = self.fill(
                current, GovernmentUnit, self.FIELDS, v, skip=("parent", "region")
            )
            unit.office = office
            if current is None:
                unit.position = index + 1  # new units keep the file's order
            unit.region = None
            if v["region"]:
                unit.region = self.lookup(
                    plan, number, "region", townships, v["region"], UNKNOWN_TOWNSHIP,
                    name=v["region"], county=office.region.name,
                )  # fmt: skip
                if unit.region is None:
                    continue
            in_file[unit.name] = unit
            built.append((number, v, unit, before))
        county = self._county(built, existing)
        seen_county, seen_region = None, {}
        # Pass 2: parents, then the service's rules.
        for index, (number, v, unit, before) in enumerate(built):
            tick(progress, index)
            unit.parent = None
            if v["parent"]:
                unit.parent = in_file.get(v["parent"]) or existing.get(v["parent"])
                if unit.parent is None:
                    self.error(plan, number, "parent", str(UNKNOWN_PARENT) % {"name": v["parent"]})
                    continue
            elif unit.kind == Kind.DEPARTMENT:
                unit.parent = county  # as the service does: the office's county government
            if unit.kind == Kind.COUNTY_GOVERNMENT:
                if seen_county is not None:
                    self.error(
                        plan,
                        number,
                        "kind",
                        _("Only one county government: row %(row)s names one already.")
                        % {"row": seen_county},
                    )
                    continue
                seen_county = number
            if unit.region is not None:
                if unit.region.pk in seen_region:
                    self.error(
                        plan,
                        number,
                        "region",
                        _("The township %(township)s is named on row %(row)s already.")
                        % {"township": unit.region.name, "row": seen_region[unit.region.pk]},
                    )
                    continue
                seen_region[unit.region.pk] = number
            try:
                units.check_unit(unit)
            except DomainError as exc:
                self.domain_error(plan, number, exc)
                continue
            self.classify(plan, number, unit, before, self.FIELDS)
            plan.items.append((number, unit, before))
        plan.items.sort(key=lambda item: (WRITE_ORDER[item[1].kind], item[0]))
        plan.errors.sort(key=lambda e: (e["row"] or 0, e["column"] or ""))
        return plan

    @staticmethod
    def _county(built, existing) -> GovernmentUnit | None:
        """The county government a department without a parent goes under: the one of the
        file, else the office's."""
        for _number, _v, unit, _before in built:
            if unit.kind == Kind.COUNTY_GOVERNMENT:
                return unit
        for unit in existing.values():
            if unit.kind == Kind.COUNTY_GOVERNMENT and unit.name not in {
                u.name for _n, _v, u, _b in built
            }:
                return unit
        return None

    def describe(self, unit):
        return f"{unit.name}（{KIND_WORDS.get(unit.kind, unit.kind)}）"

    def apply_row(self, item, actor) -> str:
        number, unit, before = item
        fields = {
            "kind": unit.kind,
            "name": unit.name,
            "region": unit.region,
            "contact": unit.contact,
            "phone": unit.phone,
        }
        parent = unit.parent
        if parent is not None:
            # A county government of this file was created by an earlier row: find it again.
            parent = (
                GovernmentUnit.objects.unscoped()
                .filter(office=self.office, name=parent.name)
                .first()
            )
        fields["parent"] = parent
        try:
            if before is None:
                units.create_unit(actor, self.office, position=unit.position, **fields)
                return "created"
            stored = GovernmentUnit.objects.unscoped().filter(pk=unit.pk, office=self.office)
            stored = stored.select_related("parent", "region").first()
            if stored is None:
                raise RowError(number, _("The unit no longer exists."))
            after = {k: getattr(stored, k) for k in fields}
            if after == fields:
                return "unchanged"
            units.update_unit(actor, stored, **fields)
        except RowError:
            raise
        except DomainError as error:
            raise RowError(number, error.message, error.field) from None
        return "updated"

    def export_rows(self, queryset):
        rows = []
        for u in queryset.select_related("parent", "region").order_by("kind", "position", "name"):
            rows.append(
                [
                    u.name,
                    KIND_WORDS.get(u.kind, u.kind),
                    u.parent.name if u.parent_id else None,
                    u.region.name if u.region_id else None,
                    u.contact or None,
                    u.phone or None,
                ]
            )
        return rows
