"""What each import kind reads, checks and writes.

`plan()` reads every row, looks everything up in a few queries, builds the model instances and
runs the same validation as the service functions (`full_clean` and the cross-field rules in
`schools.services.check_school_rules`, `inspectors.services._check_inspector`,
`recusal_reason`), then sorts the rows into create / update / unchanged. `apply()` writes a
valid plan with bulk queries and bulk audit entries; the caller holds the transaction."""

import datetime
import itertools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dudao.audit import services as audit
from dudao.audit.middleware import current_origin
from dudao.audit.models import AuditEntry
from dudao.core.errors import DomainError
from dudao.inspectors.models import Assignment, Inspector, Zone
from dudao.inspectors.services import ASSIGNABLE_KINDS, _check_inspector, recusal_reason
from dudao.organisations.models import Region
from dudao.schools.models import Location, Ownership, School, SchoolType
from dudao.schools.services import check_school_rules

from . import cells
from .cells import CellError
from .xlsx import Column, Sheet, iter_chunks

PREVIEW_ROWS = 10
MAX_ERRORS = 1000

# Row errors for a value that names nothing the office has (shared by the importers).
UNKNOWN_TOWNSHIP = gettext_lazy("Unknown township “%(name)s”: it is not a township of %(county)s.")
UNKNOWN_ZONE = gettext_lazy("Unknown zone “%(name)s”; create the zone first.")
UNKNOWN_SCHOOL = gettext_lazy("Unknown school code %(code)s: no school of this office has it.")
UNKNOWN_INSPECTOR = gettext_lazy(
    "Unknown inspector: no inspector of this office has the phone %(phone)s."
)
BATCH = 500

Progress = Callable[[int], None] | None


@dataclass
class Plan:
    errors: list[dict] = field(default_factory=list)
    creates: list = field(default_factory=list)  # instances
    updates: list = field(default_factory=list)  # (instance, before snapshot, changed fields)
    unchanged: int = 0
    preview: list[dict] = field(default_factory=list)
    extra_updates: list = field(default_factory=list)  # side effects, e.g. ended assignments
    truncated: bool = False  # more than MAX_ERRORS errors

    @property
    def counts(self) -> dict:
        return {
            "created": len(self.creates),
            "updated": len(self.updates),
            "unchanged": self.unchanged,
        }


class RowErrors(Exception):
    """Several problems found in one row."""


class Importer:
    kind = ""
    columns: list[Column] = []
    notes: list[str] = []

    def __init__(self, office):
        self.office = office
        self.headers = {c.key: c.header for c in self.columns}

    # -- helpers shared by the kinds --

    def error(self, plan: Plan, row: int, key: str | None, message) -> None:
        if len(plan.errors) < MAX_ERRORS:
            plan.errors.append(
                {
                    "row": row,
                    "column": self.headers.get(key, "") if key else "",
                    "message": str(message),
                }
            )
        else:
            plan.truncated = True

    def lookup(self, plan: Plan, row: int, key: str, mapping: dict, value, message, **params):
        """The record `value` names in `mapping`; on a miss, None and `message` (formatted with
        `params`) recorded as the row's error in column `key`."""
        found = mapping.get(value)
        if found is None:
            self.error(plan, row, key, str(message) % params)
        return found

    def convert(self, plan, number, raw: dict, converters: dict) -> dict | None:
        """Run each column's converter; report every bad cell of the row. None if any failed."""
        values, ok = {}, True
        for key, convert in converters.items():
            column = next(c for c in self.columns if c.key == key)
            value = raw.get(key)
            try:
                if column.required and cells.is_blank(value):
                    raise CellError(_("This column is required."))
                values[key] = convert(value)
            except CellError as exc:
                self.error(plan, number, key, exc.message)
                ok = False
        return values if ok else None

    def model_errors(self, plan, number, instance, exclude, constraints=True) -> bool:
        """`full_clean` as the services run it; every field message becomes a row error."""
        try:
            instance.full_clean(
                exclude=exclude, validate_unique=False, validate_constraints=constraints
            )
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                for message in messages:
                    self.error(plan, number, None if key == "__all__" else key, message)
            return False
        return True

    def domain_error(self, plan, number, exc: DomainError) -> None:
        self.error(plan, number, exc.field, exc.message)

    def classify(self, plan, number, instance, before: dict | None, fields: list[str]):
        if before is None:
            plan.creates.append(instance)
            action = "create"
        else:
            after = audit.snapshot(instance)
            changed = [f for f in fields if before.get(f) != after.get(f)]
            if changed:
                plan.updates.append((instance, before, changed))
                action = "update"
            else:
                plan.unchanged += 1
                action = "unchanged"
        if len(plan.preview) < PREVIEW_ROWS:
            plan.preview.append({"row": number, "action": action, "label": self.describe(instance)})

    def describe(self, instance) -> str:
        return str(instance)

    def plan(self, sheet: Sheet, progress: Progress = None) -> Plan:
        raise NotImplementedError

    def apply(self, plan: Plan, actor) -> dict:
        raise NotImplementedError

    def lists(self) -> dict[str, list[str]]:
        return {}

    def export_rows(self, queryset) -> list[list]:
        raise NotImplementedError

    # -- audit in bulk: the same entries as audit.record_create / record_update --

    def audit_entries(self, actor, plan: Plan, office_id) -> list[AuditEntry]:
        ip, user_agent = current_origin()
        base = {
            "actor": actor if getattr(actor, "pk", None) else None,
            "actor_name": str(actor) if actor is not None else "",
            "office_id": office_id,
            "ip": ip,
            "user_agent": user_agent,
        }
        entries = [
            self._entry(base, AuditEntry.Action.CREATE, obj, {"after": audit.snapshot(obj)})
            for obj in plan.creates
        ]
        for obj, before, _changed in [*plan.updates, *plan.extra_updates]:
            changes = audit.diff(before, audit.snapshot(obj))
            if changes:
                entries.append(self._entry(base, AuditEntry.Action.UPDATE, obj, changes))
        return entries

    @staticmethod
    def _entry(base, action, obj: Model, changes) -> AuditEntry:
        return AuditEntry(
            **base,
            action=action,
            target_type=obj._meta.label,
            target_id=str(obj.pk),
            target_repr=str(obj)[:200],
            changes=changes,
        )


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


def _safe_digits(raw) -> str:
    try:
        return cells.digits(raw)
    except CellError:
        return ""


def _tick(progress: Progress, index: int):
    if progress and index and index % BATCH == 0:
        progress(index)


# ---- schools ------------------------------------------------------------------------------------

TYPE_ALIASES = {
    "初中": SchoolType.JUNIOR,
    "高中": SchoolType.SENIOR,
    "九年制": SchoolType.NINE_YEAR,
}
LOCATION_ALIASES = {"城市": Location.URBAN, "城区": Location.URBAN, "农村": Location.RURAL}


class SchoolImporter(Importer):
    kind = "schools"
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

    def __init__(self, office):
        super().__init__(office)
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
        return {z.name: z for z in Zone.objects.filter(office=self.office)}

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
            for s in School.objects.filter(office=office).select_related(
                "township", "zone", "host_school"
            )
        }
        converters = self.converters()
        parsed, first_row = [], {}
        for number, raw in sheet.rows:
            values = self.convert(plan, number, raw, converters)
            code = values["code"] if values else _safe_digits(raw.get("code"))
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
                School.objects.filter(code__in=chunk)
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
            school = existing.get(v["code"])
            before = None
            if school is not None:
                school.office = office
                before = audit.snapshot(school)
            else:
                school = School(office=office)
            for key in self.FIELDS:
                if key not in ("township", "zone", "host_school"):
                    setattr(school, key, v[key])
            school.township, school.zone = township, zone
            in_file[school.code] = school
            built.append((number, v, school, before))
        # Pass 2: hosts, then the same validation as schools.services._save.
        for index, (number, v, school, before) in enumerate(built):
            _tick(progress, index)
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

    def apply(self, plan, actor):
        now = timezone.now()
        hosts_first = [s for s in plan.creates if s.type != SchoolType.TEACHING_POINT]
        points = [s for s in plan.creates if s.type == SchoolType.TEACHING_POINT]
        School.objects.bulk_create(hosts_first, batch_size=BATCH)
        for school in points:
            school.host_school = school.host_school  # picks up the host's new pk
        School.objects.bulk_create(points, batch_size=BATCH)
        if plan.updates:
            fields = {"updated_at"}
            for school, _before, changed in plan.updates:
                school.host_school = school.host_school
                school.updated_at = now
                fields.update(changed)
            School.objects.bulk_update(
                [u[0] for u in plan.updates], sorted(fields), batch_size=BATCH
            )
        AuditEntry.objects.bulk_create(
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
                    _yes_no(s.is_active),
                ]
            )
        return rows


# ---- inspectors ---------------------------------------------------------------------------------

KIND_ALIASES = {"特邀督导员": Inspector.Kind.INVITED, "特邀督学": Inspector.Kind.INVITED}


class InspectorImporter(Importer):
    kind = "inspectors"
    columns = [
        Column("姓名", "name", True, 12, ""),
        Column("性别", "gender", False, 8, "男或女。"),
        Column(
            "手机号", "phone", True, 16, "11位手机号；按本督导室内的手机号更新已有督学。", text=True
        ),
        Column("电子邮箱", "email", False, 24, ""),
        Column("专兼职", "employment", False, 10, "专职或兼职；留空为兼职。"),
        Column("督学类别", "kind", False, 14, "从下拉列表选择；留空为责任督学。"),
        Column(
            "工作单位学校标识码",
            "employer_school",
            False,
            18,
            "在本县（区）学校任职的，填该校学校标识码（用于回避）。",
            text=True,
        ),
        Column("工作单位", "employer_name", False, 24, "不在学校任职的，填写工作单位名称。"),
        Column("责任区", "zone", False, 14, "本督导室已建立的责任区名称。", list_name="zone"),
        Column(
            "是否在用",
            "is_active",
            False,
            8,
            "是或否；留空为是。停用的督学，其当前挂牌将于今日结束。",
            choices=["是", "否"],
        ),
    ]
    notes = [
        "1. 第一行为列名，请勿修改；从第二行起每行一名督学。",
        "2. 手机号在本督导室内已存在的督学将被更新，否则新建。",
        "3. 只要有一行有错误，整个文件都不会导入。",
        "4. 请勿使用公式。",
    ]
    FIELDS = [
        "name", "gender", "phone", "email", "employment", "kind", "employer_school",
        "employer_name", "zone", "is_active",
    ]  # fmt: skip

    def __init__(self, office):
        super().__init__(office)
        self.gender_map = cells.label_map(Inspector.Gender.choices)
        self.gender_labels = cells.zh_labels(Inspector.Gender.choices)
        self.emp_map = cells.label_map(Inspector.Employment.choices)
        self.emp_labels = cells.zh_labels(Inspector.Employment.choices)
        self.kind_map = cells.label_map(Inspector.Kind.choices, KIND_ALIASES)
        self.kind_labels = cells.zh_labels(Inspector.Kind.choices)
        for col in self.columns:
            if col.key == "gender":
                col.choices = list(self.gender_labels.values())
            elif col.key == "employment":
                col.choices = list(self.emp_labels.values())
            elif col.key == "kind":
                col.choices = list(self.kind_labels.values())

    def lists(self):
        return {
            "zone": list(Zone.objects.filter(office=self.office).values_list("name", flat=True))
        }

    def converters(self):
        return {
            "name": cells.text,
            "gender": lambda v: cells.choice(v, self.gender_map, self.gender_labels, ""),
            "phone": cells.digits,
            "email": cells.text,
            "employment": lambda v: cells.choice(v, self.emp_map, self.emp_labels, "part_time"),
            "kind": lambda v: cells.choice(v, self.kind_map, self.kind_labels, "responsible"),
            "employer_school": cells.digits,
            "employer_name": cells.text,
            "zone": cells.text,
            "is_active": cells.boolean,
        }

    def plan(self, sheet, progress=None):
        plan = Plan()
        office = self.office
        zones = {z.name: z for z in Zone.objects.filter(office=office)}
        schools = {
            s.code: s for s in School.objects.filter(office=office).only("code", "name", "office")
        }
        existing = {
            i.phone: i
            for i in Inspector.objects.filter(office=office).select_related(
                "zone", "employer_school"
            )
        }
        today = timezone.localdate()
        current = defaultdict(list)
        for a in Assignment.objects.filter(
            inspector__office=office, end_date__isnull=True
        ).select_related("school"):
            current[a.inspector_id].append(a)
        converters = self.converters()
        first_row = {}
        for index, (number, raw) in enumerate(sheet.rows):
            _tick(progress, index)
            v = self.convert(plan, number, raw, converters)
            if v is None:
                continue
            if v["phone"] in first_row:
                self.error(
                    plan,
                    number,
                    "phone",
                    _("The phone number %(phone)s also appears on row %(row)s.")
                    % {"phone": v["phone"], "row": first_row[v["phone"]]},
                )
                continue
            first_row[v["phone"]] = number
            employer = zone = None
            ok = True
            if v["employer_school"]:
                employer = self.lookup(
                    plan, number, "employer_school", schools, v["employer_school"],
                    UNKNOWN_SCHOOL, code=v["employer_school"],
                )  # fmt: skip
                ok = ok and employer is not None
            if v["zone"]:
                zone = self.lookup(
                    plan, number, "zone", zones, v["zone"], UNKNOWN_ZONE, name=v["zone"]
                )
                ok = ok and zone is not None
            if not ok:
                continue
            inspector = existing.get(v["phone"])
            before = None
            if inspector is not None:
                inspector.office = office
                before = audit.snapshot(inspector)
            else:
                inspector = Inspector(office=office)
            for key in self.FIELDS:
                if key not in ("employer_school", "zone"):
                    setattr(inspector, key, v[key])
            inspector.employer_school, inspector.zone = employer, zone
            if not self.model_errors(
                plan, number, inspector, ["office", "employer_school", "zone"]
            ):
                continue
            try:
                _check_inspector(inspector)
            except DomainError as exc:
                self.domain_error(plan, number, exc)
                continue
            if before and before["is_active"] and not inspector.is_active:
                ending = current.get(inspector.pk, [])
                late = [a for a in ending if a.start_date > today]
                if late:
                    self.error(
                        plan,
                        number,
                        "is_active",
                        _(
                            "%(inspector)s has an assignment starting on %(date)s; end it before "
                            "deactivating the inspector."
                        )
                        % {"inspector": inspector.name, "date": late[0].start_date},
                    )
                    continue
                for a in ending:
                    a.inspector = inspector
                    plan.extra_updates.append((a, audit.snapshot(a), ["end_date", "note"]))
            self.classify(plan, number, inspector, before, self.FIELDS)
        return plan

    def describe(self, inspector):
        return f"{inspector.name} {inspector.phone}"

    def apply(self, plan, actor):
        now = timezone.now()
        Inspector.objects.bulk_create(plan.creates, batch_size=BATCH)
        if plan.updates:
            fields = {"updated_at"}
            for inspector, _before, changed in plan.updates:
                inspector.updated_at = now
                fields.update(changed)
            Inspector.objects.bulk_update(
                [u[0] for u in plan.updates], sorted(fields), batch_size=BATCH
            )
        if plan.extra_updates:
            # As inspectors.services.update_inspector: deactivation ends current assignments.
            today, note = timezone.localdate(), _("Inspector deactivated")
            for a, _before, _fields in plan.extra_updates:
                a.end_date = today
                a.note = (a.note + "; " if a.note else "") + note
            Assignment.objects.bulk_update(
                [a for a, _b, _f in plan.extra_updates], ["end_date", "note"], batch_size=BATCH
            )
        AuditEntry.objects.bulk_create(
            self.audit_entries(actor, plan, self.office.pk), batch_size=BATCH
        )
        counts = plan.counts
        counts["assignments_ended"] = len(plan.extra_updates)
        return counts

    def export_rows(self, queryset):
        rows = []
        for i in queryset.select_related("zone", "employer_school").order_by("name", "pk"):
            rows.append(
                [
                    i.name,
                    self.gender_labels.get(i.gender) if i.gender else None,
                    i.phone,
                    i.email or None,
                    self.emp_labels.get(i.employment, i.employment),
                    self.kind_labels.get(i.kind, i.kind),
                    i.employer_school.code if i.employer_school_id else None,
                    i.employer_name or None,
                    i.zone.name if i.zone_id else None,
                    _yes_no(i.is_active),
                ]
            )
        return rows


# ---- assignments --------------------------------------------------------------------------------


class AssignmentImporter(Importer):
    kind = "assignments"
    columns = [
        Column("学校标识码", "school", True, 14, "本督导室学校的学校标识码。", text=True),
        Column("督学姓名", "inspector_name", True, 12, "须与手机号对应的督学姓名一致。"),
        Column(
            "督学手机号", "inspector_phone", True, 16, "督学在本督导室登记的手机号。", text=True
        ),
        Column("开始日期", "start_date", True, 12, "如 2026-09-01。", date=True),
        Column(
            "结束日期",
            "end_date",
            False,
            12,
            "留空表示当前挂牌；已结束的挂牌填写结束日期。",
            date=True,
        ),
    ]
    notes = [
        "1. 每行一条挂牌记录；可包含已结束的历史记录。",
        "2. 同一学校、督学、开始日期的记录已存在时不重复导入；当前挂牌填写结束日期即结束该挂牌。",
        "3. 新的当前挂牌将使该校原当前挂牌于开始日期前一天结束。",
        "4. 存在回避情形（在该校任职、已登记的利害关系）的督学不能挂牌该校。",
        "5. 只要有一行有错误，整个文件都不会导入。",
    ]

    def converters(self):
        return {
            "school": cells.digits,
            "inspector_name": cells.text,
            "inspector_phone": cells.digits,
            "start_date": cells.date,
            "end_date": cells.date,
        }

    def plan(self, sheet, progress=None):
        plan = Plan()
        office = self.office
        schools = {
            s.code: s for s in School.objects.filter(office=office).select_related("host_school")
        }
        by_pk = {s.pk: s for s in schools.values()}
        inspectors = {
            i.phone: i
            for i in Inspector.objects.filter(office=office).select_related("employer_school")
        }
        insp_pk = {i.pk: i for i in inspectors.values()}
        history = defaultdict(list)
        for a in Assignment.objects.filter(school__office=office).order_by("start_date", "pk"):
            a.school, a.inspector = by_pk[a.school_id], insp_pk[a.inspector_id]
            history[a.school_id].append(a)
        converters = self.converters()
        seen = {}
        new_rows = defaultdict(list)  # school pk → [(row number, assignment)]
        ending = {}  # assignment pk → (assignment, before, row number)
        for index, (number, raw) in enumerate(sheet.rows):
            _tick(progress, index)
            v = self.convert(plan, number, raw, converters)
            if v is None:
                continue
            if v["end_date"] and v["end_date"] < v["start_date"]:
                self.error(plan, number, "end_date", _("The end date is before the start date."))
                continue
            school = self.lookup(
                plan, number, "school", schools, v["school"], UNKNOWN_SCHOOL, code=v["school"]
            )
            if school is None:
                continue
            inspector = self.lookup(
                plan, number, "inspector_phone", inspectors, v["inspector_phone"],
                UNKNOWN_INSPECTOR, phone=v["inspector_phone"],
            )  # fmt: skip
            if inspector is None:
                continue
            if inspector.name != v["inspector_name"]:
                self.error(
                    plan,
                    number,
                    "inspector_name",
                    _("The phone %(phone)s belongs to %(name)s, not %(given)s.")
                    % {
                        "phone": inspector.phone,
                        "name": inspector.name,
                        "given": v["inspector_name"],
                    },
                )
                continue
            key = (school.pk, inspector.pk, v["start_date"])
            if key in seen:
                self.error(
                    plan,
                    number,
                    None,
                    _("The same assignment also appears on row %(row)s.") % {"row": seen[key]},
                )
                continue
            seen[key] = number
            match = next(
                (
                    a
                    for a in history[school.pk]
                    if a.inspector_id == inspector.pk and a.start_date == v["start_date"]
                ),
                None,
            )
            current = next((a for a in history[school.pk] if a.end_date is None), None)
            if match is not None:
                if match.end_date == v["end_date"]:
                    plan.unchanged += 1
                    self._preview(plan, number, "unchanged", match)
                elif match.end_date is None:
                    before = audit.snapshot(match)
                    match.end_date = v["end_date"]
                    ending[match.pk] = (match, before, number)
                else:
                    self.error(
                        plan,
                        number,
                        "end_date",
                        _(
                            "This assignment already ended on %(date)s; an import cannot change "
                            "past assignments."
                        )
                        % {"date": match.end_date},
                    )
                continue
            if v["end_date"] is None and current and current.inspector_id == inspector.pk:
                plan.unchanged += 1  # as assign_inspector: the current inspector again
                self._preview(plan, number, "unchanged", current)
                continue
            problem = self._refusal(school, inspector, current=v["end_date"] is None)
            if problem:
                self.error(plan, number, "inspector_name", problem)
                continue
            assignment = Assignment(
                school=school,
                inspector=inspector,
                start_date=v["start_date"],
                end_date=v["end_date"],
            )
            # The conditional unique constraint is checked below against the planned history.
            if not self.model_errors(plan, number, assignment, ["school", "inspector"], False):
                continue
            new_rows[school.pk].append((number, assignment))
        overlap = _(
            "The start date overlaps an earlier assignment of this school; choose a later date."
        )
        for school_pk, rows in new_rows.items():
            periods = [(None, a) for a in history[school_pk]]
            periods += rows
            current_old = next(
                (a for a in history[school_pk] if a.end_date is None and a.pk not in ending), None
            )
            new_current = [(n, a) for n, a in rows if a.end_date is None]
            if current_old and new_current:
                number, a = new_current[0]
                if current_old.start_date >= a.start_date:
                    self.error(plan, number, "start_date", overlap)
                    continue
                before = audit.snapshot(current_old)
                current_old.end_date = a.start_date - datetime.timedelta(days=1)
                ending[current_old.pk] = (current_old, before, None)
            periods.sort(key=lambda p: (p[1].start_date, p[1].pk or 0))
            bad = False
            for (n1, a1), (n2, a2) in itertools.pairwise(periods):
                if a1.end_date is None or a1.end_date >= a2.start_date:
                    self.error(plan, n2 or n1, "start_date", overlap)
                    bad = True
            if bad:
                continue
            for number, a in rows:
                plan.creates.append(a)
                self._preview(plan, number, "create", a)
        for a, before, number in ending.values():
            plan.updates.append((a, before, ["end_date"]))
            if number:
                self._preview(plan, number, "update", a)
        return plan

    def _refusal(self, school, inspector, *, current: bool):
        """The refusals of inspectors.services.assign_inspector, as a message."""
        if current and not inspector.is_active:
            return _("%(inspector)s is inactive and cannot be assigned.") % {
                "inspector": inspector.name
            }
        if current and not school.is_active:
            return _("%(school)s is inactive.") % {"school": school.name}
        if inspector.kind not in ASSIGNABLE_KINDS:
            return _("A %(kind)s cannot be a school's responsible inspector.") % {
                "kind": inspector.get_kind_display()
            }
        return recusal_reason(inspector, school)

    def _preview(self, plan, number, action, a):
        if len(plan.preview) < PREVIEW_ROWS:
            plan.preview.append(
                {
                    "row": number,
                    "action": action,
                    "label": f"{a.school.code} {a.school} ← {a.inspector}",
                }
            )

    def apply(self, plan, actor):
        if plan.updates:
            Assignment.objects.bulk_update(
                [u[0] for u in plan.updates], ["end_date"], batch_size=BATCH
            )
        Assignment.objects.bulk_create(plan.creates, batch_size=BATCH)
        AuditEntry.objects.bulk_create(
            self.audit_entries(actor, plan, self.office.pk), batch_size=BATCH
        )
        return plan.counts

    def export_rows(self, queryset):
        return [
            [a.school.code, a.inspector.name, a.inspector.phone, a.start_date, a.end_date]
            for a in queryset.select_related("school", "inspector").order_by(
                "school__code", "start_date", "pk"
            )
        ]


IMPORTERS: dict[str, type[Importer]] = {
    "schools": SchoolImporter,
    "inspectors": InspectorImporter,
    "assignments": AssignmentImporter,
}
