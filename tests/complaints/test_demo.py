"""The demo's complaints (dudao/demo/complaints.py) on pinned days: every state of the
workflow, overdue and urged ones, a finding linked both ways, both kinds of merge, nothing
dated at or after today's midnight, the demo inspector's own, and the same data again after
a reset (deterministic). The registry and this step alone are built, once per module and
day."""

import datetime

import pytest

from dudao.accounts.models import User
from dudao.accounts.scoping import complaints_for
from dudao.complaints.models import Complaint, ComplaintEvent, Status
from dudao.demo import complaints as demo
from dudao.demo import generator
from dudao.organisations.models import Office
from tests.clock import SHANGHAI, TODAYS, moment
from tests.demo.conftest import shared_build

DAYS = {
    "default": moment(2026, 11, 23),
    "new-year": TODAYS["new-year"],
    "summer-holiday": TODAYS["summer-holiday"],
    "half-past-midnight": TODAYS["half-past-midnight"],
}

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-complaints")]


@pytest.fixture(scope="module", params=list(DAYS.values()), ids=list(DAYS))
def demo_day(request):
    return request.param


@pytest.fixture
def clock_now(demo_day):
    return demo_day


@pytest.fixture(scope="module")
def demo_media(tmp_path_factory):
    return tmp_path_factory.mktemp("demo-complaints-media")


@pytest.fixture(scope="module")
def built(demo_day, django_db_setup, django_db_blocker, demo_media):
    skip = tuple(
        step.name
        for step in generator.DemoBuilder.steps
        if step.name
        not in {
            "regions and offices",
            "zones",
            "schools",
            "inspectors",
            "conflicts of interest",
            "assignments",
            "users",
        }
    )
    with shared_build(demo_day, demo_media, django_db_blocker):
        ctx = generator.DemoBuilder(seed=1, schools=40, skip=skip).build()
        demo.build_complaints(ctx)
        yield ctx


@pytest.fixture
def office(built):
    return Office.objects.get(region__code=generator.MAIN_COUNTY.code)


@pytest.fixture
def rows(office):
    return Complaint.objects.unscoped().filter(office=office)


def test_every_state(rows):
    assert set(rows.values_list("status", flat=True)) == set(Status.values)
    assert rows.filter(is_overdue=True).count() >= 2
    assert rows.filter(urge_count__gte=2).exists()
    assert rows.filter(anonymous=True).exists() and rows.filter(photos__isnull=False).exists()


def test_findings_linked_both_ways(rows):
    linked = rows.filter(finding__isnull=False)
    assert linked.count() == 2
    for complaint in linked:
        assert complaint in complaint.finding.complaints.all()
        assert (
            complaint.sender_name not in complaint.finding.description or not complaint.sender_name
        )


def test_both_kinds_of_merge(rows):
    merged = rows.filter(status=Status.MERGED)
    assert merged.count() == 2
    by = set(
        ComplaintEvent.objects.filter(complaint__in=merged, action="merge").values_list(
            "actor_name", flat=True
        )
    )
    assert len(by) == 2  # the platform, and the office's admin


def test_nothing_after_today_s_midnight(rows, demo_day):
    midnight = datetime.datetime.combine(
        demo_day.astimezone(SHANGHAI).date(), datetime.time(), tzinfo=SHANGHAI
    )
    assert not rows.filter(received_at__gte=midnight).exists()
    assert not ComplaintEvent.objects.filter(complaint__in=rows, at__gte=midnight).exists()


def test_the_demo_inspector_has_complaints(built):
    inspector = User.objects.get(username="inspector")
    assert complaints_for(inspector).exists()


def test_the_same_again_after_a_reset(built):
    scope = generator.DemoScope.current()
    before = demo.complaints_fingerprint(scope)
    demo.reset_complaints(scope)
    assert not Complaint.objects.unscoped().filter(office__in=scope.office_ids).exists()
    demo.build_complaints(built)
    assert demo.complaints_fingerprint(scope) == before
