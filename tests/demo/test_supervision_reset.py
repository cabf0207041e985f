"""The demo's reset and determinism (`seed_demo --reset`), on the default pinned day."""

import datetime
import io

import pytest
from django.core.management import call_command

from dudao.demo import generator
from dudao.demo.supervision import school_months
from dudao.organisations.models import Office
from dudao.rectification.models import Finding, FindingEvent
from dudao.visits.models import Visit
from tests.clock import DEFAULT_NOW

from .conftest import shared_build

SCHOOLS = 40
TODAY = DEFAULT_NOW.date()

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-reset")]


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, demo_media):
    with shared_build(DEFAULT_NOW, demo_media, django_db_blocker):
        yield generator.DemoBuilder(seed=1, schools=SCHOOLS).build()


def test_deterministic(db):
    generator.DemoBuilder(seed=4, schools=20, today=TODAY).build()
    first = generator.fingerprint()
    counts = (Visit.all_objects.count(), Finding.all_objects.count(), FindingEvent.objects.count())
    generator.DemoBuilder.reset()
    assert not Visit.all_objects.exists() and not Finding.all_objects.exists()
    generator.DemoBuilder(seed=4, schools=20, today=TODAY).build()
    assert generator.fingerprint() == first
    assert (
        Visit.all_objects.count(),
        Finding.all_objects.count(),
        FindingEvent.objects.count(),
    ) == (counts)


def test_reset_then_seed_again_through_the_command(built):
    out = io.StringIO()
    call_command("seed_demo", schools=SCHOOLS, seed=2, reset=True, stdout=out)
    assert "Demo data loaded" in out.getvalue()
    assert Visit.all_objects.exists() and Finding.all_objects.exists()
    assert Office.objects.count() == 2
    out = io.StringIO()
    call_command("seed_demo", if_empty=True, stdout=out)
    assert "not seeding" in out.getvalue()


def test_reset_keeps_supervision_outside_the_demo(built):
    from tests.factories import OfficeFactory, RegionFactory, SchoolFactory, UserFactory
    from tests.factories_supervision import VisitFactory

    office = OfficeFactory(region=RegionFactory(code="339999", name="外县", level="county"))
    school = SchoolFactory(office=office)
    visit = VisitFactory(school=school, created_by=UserFactory(office=office))
    generator.DemoBuilder.reset()
    assert Visit.all_objects.filter(pk=visit.pk).exists()
    assert not Visit.all_objects.exclude(pk=visit.pk).exists()


def test_school_months_skip_the_holidays():
    assert school_months(datetime.date(2026, 11, 23), 6) == [
        (2026, 4),
        (2026, 5),
        (2026, 6),
        (2026, 9),
        (2026, 10),
        (2026, 11),
    ]
    # The 2026 winter holiday (Spring Festival 17 February) fills February; in 2027 a week
    # of it is left (22-26 February).
    assert school_months(datetime.date(2026, 3, 2), 3) == [(2025, 12), (2026, 1), (2026, 3)]
    assert school_months(datetime.date(2027, 3, 2), 3) == [(2027, 1), (2027, 2), (2027, 3)]
