"""The roll-up's figures (docs/rules.md §28): each county's figures equal the same figures
counted from its own rows, the region's figures are the sum of its counties', the counties
that have not submitted their monthly figures are listed, and a viewer sees only its
region."""

import datetime
import uuid

import pytest
from django.utils import timezone

from dudao.core.dates import last_complete_month
from dudao.rectification import services as finding_services
from dudao.rectification.models import ACTIVE_STATUSES, Finding, FindingStatus
from dudao.rectification.queries import on_time_rate
from dudao.reports import services as report_services
from dudao.rollup import figures
from dudao.schools.models import School
from dudao.visits import services as visit_services
from dudao.visits.models import Visit
from tests.factories_supervision import FindingFactory, VisitFactory, at

pytestmark = pytest.mark.django_db


def last_month():
    return last_complete_month(timezone.localdate())


def in_last_month(day: int) -> datetime.datetime:
    year, month = last_month()
    return at(datetime.date(year, month, day), hour=10)


@pytest.fixture
def region(world, second_county):
    """Visits and findings in both counties of the viewer's city, and in the other
    province's county (which the viewer must not see)."""
    office_b, schools_b, _inspector = second_county
    year, month = last_month()
    first = datetime.date(year, month, 1)
    for school, days in (
        (world.school, (3, 10)),
        (world.zone_school, (4,)),
        (schools_b[0], (5,)),
        (world.foreign_school, (6,)),
    ):
        for day in days:
            VisitFactory(school=school, created_by=world.admin, visited_at=in_last_month(day))
    VisitFactory(  # a draft does not count
        school=schools_b[1],
        created_by=world.admin,
        status=Visit.Status.DRAFT,
        visited_at=in_last_month(7),
    )
    deadline = first + datetime.timedelta(days=12)
    rows = [
        (world.school, FindingStatus.OPEN, None, True),
        (world.school, FindingStatus.CLOSED, deadline - datetime.timedelta(days=2), False),
        (world.zone_school, FindingStatus.CLOSED, deadline + datetime.timedelta(days=3), False),
        (schools_b[0], FindingStatus.RESPONDED, None, True),
        (schools_b[0], FindingStatus.WITHDRAWN, None, False),
        (world.foreign_school, FindingStatus.OPEN, None, True),
    ]
    for school, status, closed_on, overdue in rows:
        FindingFactory(
            school=school,
            created_by=world.admin,
            found_on=first + datetime.timedelta(days=1),
            deadline=deadline,
            status=status,
            is_overdue=overdue,
            closed_at=at(closed_on, 15) if closed_on else None,
        )
    return office_b, schools_b


def test_each_county_equals_its_own_rows_and_the_total_is_their_sum(world, region):
    office_b, _schools = region
    year, month = last_month()
    first = datetime.date(year, month, 1)
    last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    data = figures.overview(world.viewer, year, month)
    by_office = {row["id"]: row for row in data["rows"]}
    assert set(by_office) == {world.office.pk, office_b.pk}  # not the other province's
    for office in (world.office, office_b):
        row = by_office[office.pk]
        visits = Visit.all_objects.filter(
            office=office, status="submitted", visited_on__gte=first, visited_on__lte=last
        )
        findings = Finding.all_objects.filter(office=office)
        assert row["visits"] == visits.count()
        assert row["visited"] == visits.values("school").distinct().count()
        assert row["schools"] == School.all_objects.filter(office=office, is_active=True).count()
        assert row["open"] == findings.filter(status__in=ACTIVE_STATUSES).count()
        assert (
            row["overdue"] == findings.filter(status__in=ACTIVE_STATUSES, is_overdue=True).count()
        )
        assert row["found"] == (
            findings.filter(found_on__gte=first, found_on__lte=last)
            .exclude(status=FindingStatus.WITHDRAWN)
            .count()
        )
        expected = on_time_rate(findings, {"m": (first, last)}, timezone.localdate())["m"]
        assert (row["due"], row["on_time"]) == (expected["due"], expected["on_time"])
    assert by_office[world.office.pk]["visits"] == 3
    assert by_office[world.office.pk]["visited"] == 2
    assert by_office[world.office.pk]["on_time"] == 1
    assert by_office[world.office.pk]["due"] == 3
    total = data["total"]
    for key in figures.COUNT_KEYS:
        assert total[key] == sum(row[key] for row in data["rows"]), key
    assert total["coverage"] == figures.rate(total["visited"], total["schools"])
    assert total["on_time_rate"] == figures.rate(total["on_time"], total["due"])


def test_the_annual_summary_is_the_sum_of_the_counties_months(world, region):
    year, month = last_month()
    annual = figures.summary(world.viewer, year, None)
    monthly = figures.summary(world.viewer, year, month)
    for key in figures.COUNT_KEYS:
        assert annual["total"][key] == sum(row[key] for row in annual["rows"]), key
    # Only last month has visits and findings here: the year holds exactly them.
    for key in ("visits", "visited", "found", "due", "on_time", "open"):
        assert annual["total"][key] == monthly["total"][key], key


def test_an_inactive_school_visited_is_not_covered(world, region):
    year, month = last_month()
    before = figures.overview(world.viewer, year, month)["total"]
    School.all_objects.filter(pk=world.zone_school.pk).update(is_active=False)
    after = figures.overview(world.viewer, year, month)["total"]
    assert after["schools"] == before["schools"] - 1
    assert after["visited"] == before["visited"] - 1


def test_counties_without_their_monthly_summary_are_listed_as_not_submitted(world, region):
    office_b, _schools = region
    year, month = last_month()
    data = figures.overview(world.viewer, year, month)
    assert {c["id"] for c in data["not_submitted"]} == {world.office.pk, office_b.pk}
    report_services.save_report_text(
        world.admin,
        office=world.office,
        inspector=None,
        year=year,
        month=month,
        highlights="亮点",
        suggestions="建议",
    )
    data = figures.overview(world.viewer, year, month)
    assert [c["id"] for c in data["not_submitted"]] == [office_b.pk]
    assert data["total"]["submitted"] == 1


def test_an_office_admin_or_inspector_has_no_roll_up(world):
    assert figures.can_view(world.viewer)
    assert figures.can_view(world.superuser)
    for user in (world.admin, world.inspector_user, world.school_user, world.zone_leader):
        assert not figures.can_view(user)


def test_writes_through_the_services_show_in_the_roll_up_at_once(world):
    year, month = timezone.localdate().year, timezone.localdate().month
    visit = visit_services.submit_visit(
        world.inspector_user,
        uuid.uuid4(),
        school=world.school,
        visited_at=timezone.now(),
        methods=["campus_walk"],
    )
    finding_services.create_finding(
        world.inspector_user,
        school=world.school,
        visit=visit,
        area=6,
        description="消防通道堆放杂物",
        deadline_kind="on_the_spot",
    )
    row = figures.county_rows(world.viewer, year, month)[0][0]
    assert (row["visits"], row["visited"], row["found"], row["open"]) == (1, 1, 1, 1)
