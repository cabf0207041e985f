"""The assignments import (挂牌督导): one row per assignment, current or ended."""

import datetime
import itertools
from collections import defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dudao.audit import services as audit
from dudao.audit.models import AuditEntry
from dudao.core import request_memo
from dudao.inspectors.models import Assignment, Inspector
from dudao.inspectors.services import assignment_refusal
from dudao.schools.models import School

from .. import cells
from .base import (
    BATCH,
    PREVIEW_ROWS,
    UNKNOWN_INSPECTOR,
    UNKNOWN_SCHOOL,
    BulkProgress,
    Column,
    Importer,
    Plan,
    iter_chunks,
    tick,
)


class AssignmentImporter(Importer):
    kind = "assignments"
    label = gettext_lazy("Assignments")
    filename = "挂牌督导"
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
            s.code: s
            for s in School.objects.unscoped().filter(office=office).select_related("host_school")
        }
        by_pk = {s.pk: s for s in schools.values()}
        inspectors = {
            i.phone: i
            for i in Inspector.objects.unscoped()
            .filter(office=office)
            .select_related("employer_school")
        }
        insp_pk = {i.pk: i for i in inspectors.values()}
        history = defaultdict(list)
        for a in (
            Assignment.objects.unscoped().filter(school__office=office).order_by("start_date", "pk")
        ):
            a.school, a.inspector = by_pk[a.school_id], insp_pk[a.inspector_id]
            history[a.school_id].append(a)
        converters = self.converters()
        seen = {}
        new_rows = defaultdict(list)  # school pk → [(row number, assignment)]
        ending = {}  # assignment pk → (assignment, before, row number)
        for index, (number, raw) in enumerate(sheet.rows):
            tick(progress, index)
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
            refusal = assignment_refusal(inspector, school, current=v["end_date"] is None)
            if refusal:
                self.error(plan, number, "inspector_name", refusal[1])
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

    def _preview(self, plan, number, action, a):
        if len(plan.preview) < PREVIEW_ROWS:
            plan.preview.append(
                {
                    "row": number,
                    "action": action,
                    "label": f"{a.school.code} {a.school} ← {a.inspector}",
                }
            )

    def apply(self, plan, actor, progress=None):
        bar = BulkProgress(progress, len(plan.creates) + len(plan.updates))
        for chunk in iter_chunks(plan.updates):
            Assignment.objects.unscoped().bulk_update([u[0] for u in chunk], ["end_date"])
            bar.step(len(chunk))
        for chunk in iter_chunks(plan.creates):
            Assignment.objects.unscoped().bulk_create(chunk)
            bar.step(len(chunk))
        AuditEntry.objects.unscoped().bulk_create(
            self.audit_entries(actor, plan, self.office.pk), batch_size=BATCH
        )
        request_memo.forget()  # bulk writes send no signals (dudao/inspectors/apps.py)
        return plan.counts

    def export_rows(self, queryset):
        return [
            [a.school.code, a.inspector.name, a.inspector.phone, a.start_date, a.end_date]
            for a in queryset.select_related("school", "inspector").order_by(
                "school__code", "start_date", "pk"
            )
        ]
