"""Inspectors' terms, certificates and training for the demo county (`seed_demo`, step
"training", issue 15 §1–§2).

- **Terms (任期)**: every inspector of the main county was appointed for three years
  (docs/rules.md §31) from a 1 September, by one of the office's letters (清督〔year〕n号);
  the first inspector's term ends within the reminder days, so the daily reminder has
  something to say.
- **Certificates**: every third inspector holds the province's inspector qualification
  certificate (督学岗位资格认定培训合格证), valid five years; one expires within a month.
- **Training (培训)**: two sessions of the office before today, a lecture on the law about
  three months ago and a day's training on listed supervision about three weeks ago, with
  attendance: most attended, one left early, two absent and two excused.

Every write goes through the services as the office admin under the simulated clock
(`supervision.Clock`), so the audit rows lie in the past; nothing is dated today or later.
Deterministic: the step draws from its own random generator seeded by the demo's seed.
"""

from __future__ import annotations

import datetime
import decimal
import random

from django.db import transaction

from dudao.accounts.models import Role, User
from dudao.inspectors import term_services
from dudao.inspectors.models import Certificate, CertificateFile, InspectorRules, Term
from dudao.training import services as training
from dudao.training.models import Attendance, Material, Session, TrainingRules

from . import school_calendar as cal
from .supervision import Clock, at

DAY = datetime.timedelta(days=1)
Presence = Attendance.Presence
SESSIONS = [
    # (days before today, topic, hours, trainer, place)
    (
        92,
        "教育督导法律法规专题讲座",
        decimal.Decimal("3"),
        "市政府教育督导室 督学",
        "县教育局三楼会议室",
    ),
    (
        21,
        "责任督学挂牌督导业务培训：随访规范与问题整改",
        decimal.Decimal("6"),
        "县政府主任督学",
        "县教师进修学校报告厅",
    ),
]


def _working_day_before(day: datetime.date) -> datetime.date:
    while not cal.is_working_day(day):
        day -= DAY
    return day


def _years_later(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later (or earlier); 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _three_years(start: datetime.date) -> datetime.date:
    return _years_later(start, 3) - DAY


class TrainingStory:
    def __init__(self, ctx):
        self.ctx = ctx
        self.today = ctx.today
        self.rng = random.Random(f"training-{ctx.seed}")
        self.office = ctx.main.office
        self.prefix = ctx.main.spec.document_prefix
        self.admin = (
            User.objects.filter(office=self.office, role=Role.OFFICE_ADMIN).order_by("pk").first()
        )
        self.inspectors = sorted(
            (i for i in ctx.main.inspectors if i.is_active), key=lambda i: i.pk
        )
        self.clock = Clock()

    def at_office(self, day: datetime.date, hour: int = 10):
        self.clock.moment = at(day, hour, self.rng.choice(range(0, 60, 5)))

    def build(self) -> None:
        if self.admin is None or not self.inspectors:
            return
        # Nobody reads months-old notifications: none are sent while the story is replayed.
        with self.clock.running(notify_since=at(self.today, 0)):
            self.terms()
            self.certificates()
            self.sessions()

    def terms(self) -> None:
        rules = InspectorRules._meta.get_field("term_reminder_days").default
        for n, inspector in enumerate(self.inspectors):
            if n == 0:  # ends within the reminder days (at least 10 days from today)
                end = self.today + datetime.timedelta(days=self.rng.randint(10, rules - 5))
                start = _years_later(end, -3) + DAY
            else:
                first = self.ctx.anchor.year - self.rng.choice([0, 1, 2])
                start = datetime.date(first, 9, 1)
                end = _three_years(start)
            appointed = _working_day_before(min(start, self.today - DAY) - DAY)
            self.at_office(appointed)
            term_services.create_term(
                self.admin,
                inspector,
                start_date=start,
                end_date=end,
                letter_number=f"{self.prefix}〔{appointed.year}〕{10 + n % 20}号",
                appointed_by="县人民政府教育督导委员会",
            )

    def certificates(self) -> None:
        days = InspectorRules._meta.get_field("certificate_reminder_days").default
        for n, inspector in enumerate(self.inspectors[::3]):
            if n == 0:
                expires = self.today + datetime.timedelta(days=self.rng.randint(5, days - 5))
                issued = _years_later(expires, -5) + DAY
            else:
                issued = _working_day_before(
                    self.today - datetime.timedelta(days=self.rng.randint(200, 1200))
                )
                expires = _years_later(issued, 5) - DAY
            self.at_office(min(issued, self.today - DAY))
            term_services.create_certificate(
                self.admin,
                inspector,
                kind=Certificate.Kind.QUALIFICATION,
                name="督学岗位资格认定培训合格证",
                number=f"DX{issued.year}{self.rng.randint(1000, 9999)}",
                issuer="省人民政府教育督导室",
                issued_on=issued,
                expires_on=expires,
            )

    def sessions(self) -> None:
        for days_before, topic, hours, trainer, place in SESSIONS:
            day = _working_day_before(self.today - datetime.timedelta(days=days_before))
            self.at_office(day - 7 * DAY if day - 7 * DAY < self.today else day, 9)
            session = training.create_session(
                self.admin,
                self.office,
                topic=topic,
                date=day,
                hours=hours,
                trainer=trainer,
                place=place,
                description="全体督学参加；签到表和讲义附后。",
            )
            self.at_office(day, 17)
            order = list(self.inspectors)
            self.rng.shuffle(order)
            for n, inspector in enumerate(order):
                if n < 2:
                    presence, credited, note = Presence.ABSENT, None, ""
                elif n < 4:
                    presence, credited, note = Presence.EXCUSED, None, "因公请假"
                elif n == 4:
                    presence, credited, note = Presence.ATTENDED, hours / 2, "中途离会"
                else:
                    presence, credited, note = Presence.ATTENDED, None, ""
                training.record_attendance(
                    self.admin, session, inspector, presence=presence, hours=credited, note=note
                )


def build_step(ctx) -> None:
    TrainingStory(ctx).build()
    office = ctx.main.office
    ctx.log(
        f"  training: {Session.objects.unscoped().filter(office=office).count()} sessions, "
        f"{Attendance.objects.unscoped().filter(office=office).count()} attendance rows, "
        f"{Term.objects.unscoped().filter(office=office).count()} terms, "
        f"{Certificate.objects.unscoped().filter(office=office).count()} certificates"
    )


def reset_step(scope) -> None:
    """Delete the demo offices' training and inspectors' records, with their files."""
    offices = scope.office_ids
    stored = list(CertificateFile.objects.filter(certificate__office__in=offices))
    stored += list(Material.objects.filter(session__office__in=offices))
    Attendance.objects.unscoped().filter(office__in=offices).delete()
    Material.objects.filter(session__office__in=offices).delete()
    Session.objects.unscoped().filter(office__in=offices).delete()
    CertificateFile.objects.filter(certificate__office__in=offices).delete()
    Certificate.objects.unscoped().filter(office__in=offices).delete()
    Term.objects.unscoped().filter(office__in=offices).delete()
    TrainingRules.objects.filter(office__in=offices).delete()
    InspectorRules.objects.filter(office__in=offices).delete()

    def delete_files():
        for row in stored:
            for field_file in (row.file, row.preview):
                if field_file:
                    field_file.storage.delete(field_file.name)

    if stored:
        transaction.on_commit(delete_files)


def training_fingerprint(scope) -> dict:
    """The step's records by natural keys (phones, dates)."""
    offices = scope.office_ids
    return {
        "terms": sorted(
            Term.objects.unscoped()
            .filter(office__in=offices)
            .values_list("inspector__phone", "start_date", "end_date", "letter_number")
        ),
        "certificates": sorted(
            Certificate.objects.unscoped()
            .filter(office__in=offices)
            .values_list("inspector__phone", "name", "number", "issued_on", "expires_on")
        ),
        "sessions": sorted(
            Session.objects.unscoped()
            .filter(office__in=offices)
            .values_list("topic", "date", "hours", "trainer", "place")
        ),
        "attendance": sorted(
            Attendance.objects.unscoped()
            .filter(office__in=offices)
            .values_list("session__date", "inspector__phone", "presence", "hours", "note")
        ),
    }
