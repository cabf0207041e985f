"""The training attendance import (培训签到表): one row per inspector for one session
(`params["session"]`), matched by phone within the office, checked and written row by row
through `training.services.record_attendance` (which audits each change). One bad row refuses
the whole file (docs/rules.md §29)."""

import decimal

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dudao.core.errors import DomainError
from dudao.inspectors.models import Inspector
from dudao.training import services as training
from dudao.training.models import Attendance, Session

from .. import cells
from ..cells import CellError
from .base import UNKNOWN_INSPECTOR, Column, Importer, Plan, tick

Presence = Attendance.Presence
# The file format is Chinese (never translated): the labels written and the words read.
PRESENCE_LABELS = {Presence.ATTENDED: "参加", Presence.ABSENT: "缺席", Presence.EXCUSED: "请假"}
PRESENCE_ALIASES = {
    "参加": Presence.ATTENDED,
    "出席": Presence.ATTENDED,
    "已参加": Presence.ATTENDED,
    "到": Presence.ATTENDED,
    "缺席": Presence.ABSENT,
    "未参加": Presence.ABSENT,
    "请假": Presence.EXCUSED,
    "事假": Presence.EXCUSED,
    "病假": Presence.EXCUSED,
}


class RowError(DomainError):
    """A row refused while it is written: the whole import is rolled back."""

    def __init__(self, row: int, message: str, field: str | None = None):
        self.row = row
        super().__init__(message, field=field)


def hours_cell(raw) -> decimal.Decimal | None:
    if cells.is_blank(raw):
        return None
    if isinstance(raw, bool):
        raise CellError(_("Enter a number of hours."))
    try:
        value = decimal.Decimal(str(raw).strip())
    except decimal.InvalidOperation as exc:
        raise CellError(_("Enter a number of hours.")) from exc
    if not value.is_finite():
        raise CellError(_("Enter a number of hours."))
    return value


class TrainingAttendanceImporter(Importer):
    kind = "training_attendance"
    label = gettext_lazy("Training attendance")
    filename = "培训签到表"
    listed = False  # uploaded from the session's page (the session is chosen there)
    max_rows = 2_000  # one row per inspector of a county
    columns = [
        Column("姓名", "name", False, 12, "督学姓名（仅供核对，按手机号匹配）。"),
        Column("手机号", "phone", True, 16, "督学在本督导室登记的手机号。", text=True),
        Column(
            "出勤情况",
            "presence",
            True,
            10,
            "参加、缺席或请假。",
            choices=list(PRESENCE_LABELS.values()),
        ),
        Column("认定学时", "hours", False, 10, "参加者留空即按本次培训学时认定；可填较少学时。"),
        Column("备注", "note", False, 24, ""),
    ]
    notes = [
        "1. 第一行为列名，请勿修改；从第二行起每行一名督学。",
        "2. 按手机号匹配本督导室的督学；已登记的出勤将被更新。",
        "3. 缺席、请假的督学不认定学时。",
        "4. 只要有一行有错误，整个文件都不会导入。",
        "5. 请勿使用公式。",
    ]

    def __init__(self, office, params=None):
        super().__init__(office, params)
        self.presence_map = cells.label_map(Presence.choices, PRESENCE_ALIASES)

    @property
    def session(self) -> Session:
        if not hasattr(self, "_session"):
            self._session = (
                Session.objects.unscoped()
                .filter(pk=self.params.get("session"), office=self.office)
                .first()
            )
        return self._session

    def detail_url(self, job) -> str:
        return reverse("imports:job", args=[job.pk])

    def plan(self, sheet, progress=None):
        plan = Plan()
        session = self.session
        if session is None:
            self.error(plan, None, None, _("The training session no longer exists."))
            return plan
        inspectors = {i.phone: i for i in Inspector.objects.unscoped().filter(office=self.office)}
        existing = {
            a.inspector_id: a for a in Attendance.objects.unscoped().filter(session=session)
        }
        seen: dict[str, int] = {}
        converters = {
            "name": cells.text,
            "phone": cells.digits,
            "presence": lambda v: cells.choice(v, self.presence_map, dict(PRESENCE_LABELS)),
            "hours": hours_cell,
            "note": cells.text,
        }
        for index, (number, raw) in enumerate(sheet.rows, start=1):
            tick(progress, index)
            values = self.convert(plan, number, raw, converters)
            if values is None:
                continue
            phone = values["phone"]
            if phone in seen:
                self.error(
                    plan,
                    number,
                    "phone",
                    _("This inspector is already on row %(row)s.") % {"row": seen[phone]},
                )
                continue
            seen[phone] = number
            inspector = self.lookup(
                plan, number, "phone", inspectors, phone, UNKNOWN_INSPECTOR, phone=phone
            )
            if inspector is None:
                continue
            try:
                training.check_attendee(session, inspector)
                credited = training.credited_hours(session, values["presence"], values["hours"])
            except DomainError as error:
                field = "phone" if error.field == "inspector" else error.field
                self.error(plan, number, field, error.message)
                continue
            note = values["note"][:200]
            item = {
                "row": number,
                "inspector": inspector.pk,
                "presence": values["presence"],
                "hours": str(credited),
                "note": note,
            }
            plan.items.append(item)
            before = existing.get(inspector.pk)
            if before is None:
                plan.creates.append(item)
                action = "create"
            elif (before.presence, before.hours, before.note) == (
                values["presence"],
                credited,
                note,
            ):
                plan.unchanged += 1
                action = "unchanged"
            else:
                plan.updates.append((item, None, []))
                action = "update"
            self.preview(
                plan, number, action, f"{inspector.name} {PRESENCE_LABELS[values['presence']]}"
            )
        return plan

    def apply_row(self, item, actor) -> str:
        session = self.session
        if session is None:
            raise RowError(item["row"], _("The training session no longer exists."))
        try:
            _row, result = training.record_attendance(
                actor,
                session,
                item["inspector"],
                presence=item["presence"],
                hours=item["hours"],
                note=item["note"],
            )
        except DomainError as error:
            raise RowError(item["row"], error.message, error.field) from None
        return result

    def export_rows(self, queryset):
        return [
            [
                a.inspector.name,
                a.inspector.phone,
                PRESENCE_LABELS[a.presence],
                a.hours if a.presence == Presence.ATTENDED else None,
                a.note,
            ]
            for a in queryset.select_related("inspector").order_by("inspector__name", "pk")
        ]
