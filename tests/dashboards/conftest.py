import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from dudao.rectification.models import Escalation, FindingStatus
from dudao.visits.models import SixMinimum, Visit
from tests.factories_supervision import FindingFactory, VisitFactory, at


def visit(world, school, day, inspector=None, **kwargs):
    return VisitFactory(
        school=school,
        inspector=inspector,
        created_by=world.admin,
        visited_at=at(day),
        visited_on=day,
        **kwargs,
    )


def finding(school, **kwargs):
    return FindingFactory(school=school, **kwargs)


@dataclass
class Figures:
    world: object
    today: datetime.date
    first: datetime.date  # first day of this month


@pytest.fixture
def figures_world(world):
    """Hand-built visits and findings with known figures.

    This month: 湖滨小学 (school) visited once with all six minimums, 西湖小学 (zone_school)
    twice (two minimums), 城东中学 (far_school) only a draft (does not count) and a visit last
    month; 玄武小学 (other county) visited once.

    Open findings of county A: F1 school area 6 found today; F2 school area 3 found 10 days
    ago, urged, overdue; F3 zone_school area 6 found 40 days ago, notice issued, overdue,
    escalated; F4 far_school area 1 found 100 days ago. Closed with a deadline on the 1st:
    F5 (school) closed 23:00 Beijing that day = on time; F6 (zone_school) closed 00:00 the
    next day = late (still the deadline day in UTC). F7 withdrawn. Other county: F8 open,
    overdue.
    """
    w = world
    today = timezone.localdate()
    first = today.replace(day=1)
    last_month = first - datetime.timedelta(days=1)
    visit(w, w.school, today, w.inspector, minimums=list(SixMinimum.values))
    visit(w, w.zone_school, first, w.other_inspector, minimums=["forum"])
    visit(w, w.zone_school, today, w.other_inspector, minimums=["forum", "class_attended"])
    visit(w, w.far_school, today, None, status=Visit.Status.DRAFT, submitted_at=None)
    visit(w, w.far_school, last_month, w.leader)
    visit(w, w.foreign_school, today, w.foreign_inspector)

    ago = lambda n: today - datetime.timedelta(days=n)  # noqa: E731
    finding(w.school, area=6, found_on=today, inspector=w.inspector)
    finding(
        w.school,
        area=3,
        found_on=ago(10),
        status=FindingStatus.URGED,
        is_overdue=True,
        deadline=ago(1),
        inspector=w.inspector,
    )
    finding(
        w.zone_school,
        area=6,
        found_on=ago(40),
        status=FindingStatus.NOTICE_ISSUED,
        is_overdue=True,
        deadline=ago(5),
        escalated_to=Escalation.COUNTY,
        inspector=w.other_inspector,
    )
    finding(w.far_school, area=1, found_on=ago(100))
    finding(
        w.school,
        area=2,
        found_on=ago(20),
        status=FindingStatus.CLOSED,
        deadline=first,
        closed_at=at(first, 23),
        inspector=w.inspector,
    )
    finding(
        w.zone_school,
        area=2,
        found_on=ago(20),
        status=FindingStatus.CLOSED,
        deadline=first,
        closed_at=at(first + datetime.timedelta(days=1), 0),
        inspector=w.other_inspector,
    )
    finding(w.far_school, area=4, found_on=ago(3), status=FindingStatus.WITHDRAWN)
    finding(w.foreign_school, area=5, found_on=ago(2), is_overdue=True, deadline=ago(1))
    return Figures(world=w, today=today, first=first)
