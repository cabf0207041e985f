"""The schools import (学校): one row per school, matched by its national school code."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dudao.audit.models import AuditEntry
from dudao.core.errors import DomainError
from dudao.inspectors.models import Zone
from dudao.organisations.models import Region
from dudao.schools.models import Location, Ownership, School, SchoolType
from dudao.schools.services import check_school_rules

from .. import cells
from .base import (
    BATCH,
    UNKNOWN_TOWNSHIP,
    UNKNOWN_ZONE,
    BulkProgress,
    Column,
    Importer,
    Plan,
    iter_chunks,
    safe_digits,
    tick,
    yes_no,
)

TYPE_ALIASES = {
    "初中": SchoolType.JUNIOR,
    "高中": SchoolType.SENIOR,
    "九年制": SchoolType.NINE_YEAR,
}
LOCATION_ALIASES = {"城市": Location.URBAN, "城区": Location.URBAN, "农村": Location.RURAL}


class SchoolImporter(Importer):
    kind = "schools"
    label = gettext_lazy("Schools")
    filename = "学校"
    columns = [
        Column(
            "学校标识码",
            "code",
            True,
            14,
            "10位数字的全国学校标识码；按此码更新已有学校。",
            text=True,
        ),
        Column("学校名称", "name", True, 28, "学校或幼儿园全称。"),
        Column("学校类型", "type", True, 16, "从下拉列表选择。"),
        Column("办学性质", "ownership", False, 10, "公办或民办；留空为公办。"),
        Column("城乡", "location", False, 8, "城镇或乡村；留空为城镇。"),
        Column(
            "乡镇（街道）",
            "township",
            False,
            16,
            "本县（区）的乡镇或街道名称。",
            list_name="township",
        ),
        Column("责任区", "zone", False, 14, "本督导室已建立的责任区名称。", list_name="zone"),
        Column("地址", "address", False, 30, ""),
        Column("校长", "principal", False, 10, ""),
        Column("联系电话", "phone", False, 16, "11位手机号或座机号，如 0571-88888888。", text=True),
        Column("幼儿园在园人数", "enrolment_kindergarten", False, 10, "整数，留空为0。"),
        Column("小学在校生数", "enrolment_primary", False, 10, "整数，留空为0。"),
        Column("初中在校生数", "enrolment_junior", False, 10, "整数，留空为0。"),
        Column("高中在校生数", "enrolment_senior", False, 10, "整数，留空为0。"),
        Column(
            "主校标识码",
            "host_school",
            False,
            14,
            "仅教学点填写：所属主校的学校标识码（主校可在同一文件中）。",
            text=True,
        ),
        Column("是否在用", "is_active", False, 8, "是或否；留空为是。", choices=["是", "否"]),
    ]
    notes = [
        "1. 第一行为列名，请勿修改；从第二行起每行一所学校。",
        "2. 学校标识码已存在的学校将被更新，不存在的将被新建；文件中未出现的学校不受影响。",
        "3. 只要有一行有错误，整个文件都不会导入；请按提示修改后重新上传。",
        "4. 请勿使用公式；如有公式，请复制后“选择性粘贴 → 数值”。",
        "5. 学段人数须与学校类型一致，例如初级中学不能填写小学在校生数。",
    ]
    FIELDS = [
        "code", "name", "type", "ownership", "location", "township", "zone", "address",
        "principal", "phone", "enrolment_kindergarten", "enrolment_primary", "enrolment_junior",
        "enrolment_senior", "host_school", "is_active",
    ]  # fmt: skip

    def __init__(self, office, params=None):
        super().__init__(office, params)
        self.type_map = cells.label_map(SchoolType.choices, TYPE_ALIASES)
        self.type_labels = cells.zh_labels(SchoolType.choices)
        self.own_map = cells.label_map(Ownership.choices)
        self.own_labels = cells.zh_labels(Ownership.choices)
        self.loc_map = cells.label_map(Location.choices, LOCATION_ALIASES)
        self.loc_labels = cells.zh_labels(Location.choices)
        for col in self.columns:
            if col.key == "type":
                col.choices = list(self.type_labels.values())
            elif col.key == "ownership":
                col.choices = list(self.own_labels.values())
            elif col.key == "location":
                col.choices = list(self.loc_labels.values())

    def townships(self) -> dict[str, Region]:
        qs = Region.objects.filter(
            level=Region.Level.TOWNSHIP, path__startswith=self.office.region.path
        ).order_by("code")
        result = {}
        for region in qs:
            result.setdefault(region.name, region)
        return result

    def zones(self) -> dict[str, Zone]:
        return {z.name: z for z in Zone.objects.unscoped().filter(office=self.office)}

    def lists(self):
        return {"township": list(self.townships()), "zone": list(self.zones())}

    def converters(self):
        return {
            "code": cells.digits,
            "name": cells.text,
            "type": lambda v: cells.choice(v, self.type_map, self.type_labels),
            "ownership": lambda v: cells.choice(v, self.own_map, self.own_labels, "public"),
            "location": lambda v: cells.choice(v, self.loc_map, self.loc_labels, "urban"),
            "township": cells.text,
            "zone": cells.text,
            "address": cells.text,
            "principal": cells.text,
            "phone": cells.digits,
            "enrolment_kindergarten": cells.count,
            "enrolment_primary": cells.count,
            "enrolment_junior": cells.count,
            "enrolment_senior": cells.count,
            "host_school": cells.digits,
            "is_active": cells.boolean,
        }

    def plan(self, sheet, progress=None):
        plan = Plan()
        office = self.office
        townships, zones = self.townships(), self.zones()
        existing = {
            s.code: s
            for s in School.objects.unscoped()
            .filter(office=office)
            .select_related("township", "zone", "host_school")
        }
        converters = self.converters()
        parsed, first_row = [], {}
        for number, raw in sheet.rows:
            values = self.convert(plan, number, raw, converters)
            code = values["code"] if values else safe_digits(raw.get("code"))
            if code and code in first_row:
                self.error(
                    plan,
                    number,
                    "code",
                    _("The school code %(code)s also appears on row %(row)s.")
                    % {"code": code, "row": first_row[code]},
                )
                values = None
            elif code:
                first_row[code] = number
            if values is not None:
                parsed.append((number, values))
        foreign = set()
        missing = [c for c in first_row if c not in existing]
        for chunk in iter_chunks(missing):
            foreign.update(
                School.objects.unscoped()
                .filter(code__in=chunk)
                .exclude(office=office)
                .values_list("code", flat=True)
            )
        # Pass 1: build the instances, so a teaching point may name a host further down.
        built = []
        in_file: dict[str, School] = {}
        for number, v in parsed:
            ok = True
            if v["code"] in foreign:
                self.error(
                    plan,
                    number,
                    "code",
                    _("A school with code %(code)s already exists in another office.")
                    % {"code": v["code"]},
                )
                ok = False
            township = zone = None
            if v["township"]:
                township = self.lookup(
                    plan, number, "township", townships, v["township"], UNKNOWN_TOWNSHIP,
                    name=v["township"], county=office.region.name,
                )  # fmt: skip
                ok = ok and township is not None
            if v["zone"]:
                zone = self.lookup(
                    plan, number, "zone", zones, v["zone"], UNKNOWN_ZONE, name=v["zone"]
                )
                ok = ok and zone is not None
            if not ok:
                continue
            school, before = self.fill(
                existing.get(v["code"]),
                School,
                self.FIELDS,
                v,
                skip=("township", "zone", "host_school"),
            )
            school.township, school.zone = township, zone
            in_file[school.code] = school
            built.append((number, v, school, before))
        # Pass 2: hosts, then the same validation as schools.services._save.
        for index, (number, v, school, before) in enumerate(built):
            tick(progress, index)
            host = None
            if v["host_school"]:
                if v["host_school"] == v["code"]:
                    self.error(plan, number, "host_school", _("A school cannot host itself."))
                    continue
                host = in_file.get(v["host_school"]) or existing.get(v["host_school"])
                if host is None:
                    self.error(
                        plan,
                        number,
                        "host_school",
                        _(
                            "Unknown host school %(code)s: it is neither in this office nor in "
                            "this file."
                        )
                        % {"code": v["host_school"]},
                    )
                    continue
            if not self.model_errors(
                plan, number, school, ["office", "township", "zone", "host_school"]
            ):
                continue
            try:
                if host is not None and host.pk is None:
                    # The host is new in this file: check the rules against a stand-in.
                    school.host_school = School(
                        pk=-1 - index, type=host.type, office=office, code=host.code
                    )
                    try:
                        check_school_rules(school)
                    finally:
                        school.host_school = host
                else:
                    school.host_school = host
                    check_school_rules(school)
            except DomainError as exc:
                self.domain_error(plan, number, exc)
                continue
            self.classify(plan, number, school, before, self.FIELDS)
        return plan

    def describe(self, school):
        return f"{school.code} {school.name}"

    def apply(self, plan, actor, progress=None):
        bar = BulkProgress(progress, len(plan.creates) + len(plan.updates))
        hosts_first = [s for s in plan.creates if s.type != SchoolType.TEACHING_POINT]
        points = [s for s in plan.creates if s.type == SchoolType.TEACHING_POINT]
        for chunk in iter_chunks(hosts_first):
            School.objects.unscoped().bulk_create(chunk)
            bar.step(len(chunk))
        for school in points:
            school.host_school = school.host_school  # picks up the host's new pk
        for chunk in iter_chunks(points):
            School.objects.unscoped().bulk_create(chunk)
            bar.step(len(chunk))

        def refresh_host(school):
            school.host_school = school.host_school  # picks up a new host's pk

        self.write_updates(School, plan, bar, prepare=refresh_host)
        AuditEntry.objects.unscoped().bulk_create(
            self.audit_entries(actor, plan, self.office.pk), batch_size=BATCH
        )
        return plan.counts

    def export_rows(self, queryset):
        rows = []
        for s in queryset.select_related("township", "zone", "host_school").order_by("code"):
            rows.append(
                [
                    s.code,
                    s.name,
                    self.type_labels.get(s.type, s.type),
                    self.own_labels.get(s.ownership, s.ownership),
                    self.loc_labels.get(s.location, s.location),
                    s.township.name if s.township_id else None,
                    s.zone.name if s.zone_id else None,
                    s.address or None,
                    s.principal or None,
                    s.phone or None,
                    s.enrolment_kindergarten,
                    s.enrolment_primary,
                    s.enrolment_junior,
                    s.enrolment_senior,
                    s.host_school.code if s.host_school_id else None,
                    yes_no(s.is_active),
                ]
            )
        return rows
