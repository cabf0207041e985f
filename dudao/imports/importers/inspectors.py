"""The inspectors import (督学): one row per inspector, matched by phone within the office."""

from collections import defaultdict

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dudao.audit import services as audit
from dudao.audit.models import AuditEntry
from dudao.core.errors import DomainError
from dudao.inspectors.models import Assignment, Inspector, Zone
from dudao.inspectors.services import check_inspector
from dudao.schools.models import School

from .. import cells
from .base import (
    BATCH,
    UNKNOWN_SCHOOL,
    UNKNOWN_ZONE,
    BulkProgress,
    Column,
    Importer,
    Plan,
    iter_chunks,
    tick,
    yes_no,
)

KIND_ALIASES = {"特邀督导员": Inspector.Kind.INVITED, "特邀督学": Inspector.Kind.INVITED}


class InspectorImporter(Importer):
    kind = "inspectors"
    label = gettext_lazy("Inspectors")
    filename = "督学"
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

    def __init__(self, office, params=None):
        super().__init__(office, params)
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
            "zone": list(
                Zone.objects.unscoped().filter(office=self.office).values_list("name", flat=True)
            )
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
        zones = {z.name: z for z in Zone.objects.unscoped().filter(office=office)}
        schools = {
            s.code: s
            for s in School.objects.unscoped().filter(office=office).only("code", "name", "office")
        }
        existing = {
            i.phone: i
            for i in Inspector.objects.unscoped()
            .filter(office=office)
            .select_related("zone", "employer_school")
        }
        today = timezone.localdate()
        # Deactivation ends the assignments in force today (as inspectors.services does) and
        # is refused while one made ahead of term is waiting to start.
        current, upcoming = defaultdict(list), defaultdict(list)
        for a in (
            Assignment.objects.unscoped()
            .current(on=today)
            .filter(inspector__office=office)
            .select_related("school")
        ):
            current[a.inspector_id].append(a)
        for a in Assignment.objects.unscoped().filter(
            inspector__office=office, start_date__gt=today
        ):
            upcoming[a.inspector_id].append(a)
        converters = self.converters()
        first_row = {}
        for index, (number, raw) in enumerate(sheet.rows):
            tick(progress, index)
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
            inspector, before = self.fill(
                existing.get(v["phone"]),
                Inspector,
                self.FIELDS,
                v,
                skip=("employer_school", "zone"),
            )
            inspector.employer_school, inspector.zone = employer, zone
            if not self.model_errors(
                plan, number, inspector, ["office", "employer_school", "zone"]
            ):
                continue
            try:
                check_inspector(inspector)
            except DomainError as exc:
                self.domain_error(plan, number, exc)
                continue
            if before and before["is_active"] and not inspector.is_active:
                ending = current.get(inspector.pk, [])
                late = upcoming.get(inspector.pk, [])
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

    def apply(self, plan, actor, progress=None):
        bar = BulkProgress(progress, len(plan.creates) + len(plan.updates))
        for chunk in iter_chunks(plan.creates):
            Inspector.objects.unscoped().bulk_create(chunk)
            bar.step(len(chunk))
        self.write_updates(Inspector, plan, bar)
        if plan.extra_updates:
            # As inspectors.services.update_inspector: deactivation ends current assignments.
            today, note = timezone.localdate(), _("Inspector deactivated")
            for a, _before, _fields in plan.extra_updates:
                a.end_date = today
                a.note = (a.note + "; " if a.note else "") + note
            Assignment.objects.unscoped().bulk_update(
                [a for a, _b, _f in plan.extra_updates], ["end_date", "note"], batch_size=BATCH
            )
        AuditEntry.objects.unscoped().bulk_create(
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
                    yes_no(i.is_active),
                ]
            )
        return rows
