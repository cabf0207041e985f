"""The demo's training step (issue 15 §1–§2): terms, certificates and two sessions with
attendance for the demo county. Built once for the module on the default pinned day, on the
registry alone (the later modules' steps have their own demo tests)."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from dudao.accounts.models import Role, User
from dudao.demo import generator
from dudao.demo import training as demo
from dudao.demo.generator import DemoScope
from dudao.inspectors import term_services
from dudao.inspectors.models import Certificate, Inspector, Term
from dudao.organisations.models import Office
from dudao.training import queries
from dudao.training.models import Attendance, Session
from tests.clock import DEFAULT_NOW
from tests.demo.conftest import shared_build

SCHOOLS = 40
REGISTRY = {
    "regions and offices",
    "government units",
    "zones",
    "schools",
    "inspectors",
    "conflicts of interest",
    "assignments",
    "users",
}
Presence = Attendance.Presence

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-training")]


@pytest.fixture(autouse=True)
def media(settings, demo_media):
    settings.MEDIA_ROOT = demo_media


@pytest.fixture(scope="module")
def demo_media(tmp_path_factory):
    return tmp_path_factory.mktemp("demo-training-media")


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, demo_media):
    with shared_build(DEFAULT_NOW, demo_media, django_db_blocker):
        skip = tuple(s.name for s in generator.DemoBuilder.steps if s.name not in REGISTRY)
        ctx = generator.DemoBuilder(seed=1, schools=SCHOOLS, skip=skip).build()
        with translation.override(settings.LANGUAGE_CODE):
            demo.build_step(ctx)
        yield ctx


@pytest.fixture
def office(built):
    return Office.objects.get(region__code=generator.MAIN_COUNTY.code)


@pytest.fixture
def active(office):
    return set(
        Inspector.objects.unscoped()
        .filter(office=office, is_active=True)
        .values_list("pk", flat=True)
    )


def test_the_step_is_wired_before_the_summary():
    names = [s.name for s in generator.DemoBuilder.steps]
    assert names.index("training") < names.index("summary")


def test_every_active_inspector_has_a_term_and_one_ends_soon(office, active, today):
    terms = Term.objects.unscoped().filter(office=office)
    assert set(terms.values_list("inspector_id", flat=True)) == active
    assert all(
        t.end_date == t.start_date.replace(year=t.start_date.year + 3) - datetime.timedelta(days=1)
        for t in terms
    )
    assert all(t.letter_number.startswith("清督〔") for t in terms)
    soon = [t for t in terms if 0 <= (t.end_date - today).days <= 60]
    assert len(soon) == 1
    assert Certificate.objects.unscoped().filter(office=office).count() == (len(active) + 2) // 3


def test_two_sessions_before_today_with_attendance(office, active, today):
    sessions = list(Session.objects.unscoped().filter(office=office).order_by("date"))
    assert len(sessions) == 2
    assert all(s.date < today for s in sessions)
    for session in sessions:
        rows = list(Attendance.objects.unscoped().filter(session=session))
        assert {a.inspector_id for a in rows} == active
        by = {p: [a for a in rows if a.presence == p] for p in Presence.values}
        assert len(by[Presence.ABSENT]) == 2 and len(by[Presence.EXCUSED]) == 2
        partial = [a for a in by[Presence.ATTENDED] if a.hours < session.hours]
        assert len(partial) == 1 and partial[0].hours == session.hours / 2
        assert all(a.hours == 0 for a in by[Presence.ABSENT] + by[Presence.EXCUSED])


def test_the_daily_reminder_has_something_to_say(office):
    sent = term_services.send_reminders()
    assert sent == {"terms": 1, "certificates": 1}
    assert term_services.send_reminders() == {"terms": 0, "certificates": 0}


def test_the_office_reads_the_sessions_and_the_hours(office, client, today):
    admin = User.objects.filter(office=office, role=Role.OFFICE_ADMIN).order_by("pk").first()
    figures = queries.training_figures(
        office, today.replace(month=1, day=1) - datetime.timedelta(days=365), today
    )
    assert figures["sessions"] == 2
    rows = queries.yearly_table(admin, today.year)
    assert rows and sum(r.hours for r in rows) == sum(
        queries.hours_by_inspector(office, today.year).values()
    )
    client.force_login(admin)
    session = Session.objects.unscoped().filter(office=office).latest("date")
    page = client.get(reverse("training:detail", args=[session.pk]))
    assert page.status_code == 200
    assert client.get(reverse("training:list")).status_code == 200


def test_the_reset_removes_the_steps_records(office):
    demo.reset_step(DemoScope.current())
    assert not Session.objects.unscoped().filter(office=office).exists()
    assert not Term.objects.unscoped().filter(office=office).exists()
    assert not Certificate.objects.unscoped().filter(office=office).exists()
