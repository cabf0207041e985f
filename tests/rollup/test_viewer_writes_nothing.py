"""A city or province viewer can never change a county's data (docs/rules.md §28): the
write services behind every figure of the roll-up refuse it (NotPermitted) and leave the
database as it was. (Each app's guard tests also list the viewer among the strangers.)"""

import datetime
import uuid

import pytest
from django.utils import timezone

from dudao.core.errors import NotPermitted
from dudao.inspectors import services as inspector_services
from dudao.monitoring import services as monitoring_services
from dudao.rectification import services as finding_services
from dudao.rectification.workflow import TRANSITIONS, Action
from dudao.reports import services as report_services
from dudao.schools import services as school_services
from dudao.visits import services as visit_services
from tests.core.test_guards import assert_refused, database_state
from tests.rectification.helpers import PRECONDITIONS, perform, put

pytestmark = pytest.mark.django_db


@pytest.fixture
def county_rows(world):
    visit = visit_services.submit_visit(
        world.inspector_user,
        uuid.uuid4(),
        school=world.school,
        visited_at=timezone.now(),
        methods=["campus_walk"],
    )
    draft = visit_services.save_draft(world.inspector_user, world.school, uuid.uuid4())
    finding = finding_services.create_finding(
        world.inspector_user,
        school=world.school,
        visit=visit,
        area=6,
        description="消防通道堆放杂物",
        deadline_kind="by_date",
        deadline=timezone.localdate() + datetime.timedelta(days=7),
    )
    return visit, draft, finding


def calls(world, visit, draft, finding):
    today = timezone.localdate()
    return {
        "visits.save_draft": lambda a: visit_services.save_draft(a, world.school, uuid.uuid4()),
        "visits.submit_visit": lambda a: visit_services.submit_visit(
            a, uuid.uuid4(), school=world.school, visited_at=timezone.now(), methods=["x"]
        ),
        "visits.submit_draft": lambda a: visit_services.submit_visit(
            a, draft.client_uuid, visited_at=timezone.now()
        ),
        "visits.delete_draft": lambda a: visit_services.delete_draft(a, draft),
        "visits.issue_feedback_letter": lambda a: visit_services.issue_feedback_letter(a, visit),
        "visits.create_focus_point": lambda a: visit_services.create_focus_point(
            a, office=world.office, year=today.year, month=today.month, title="要点"
        ),
        "rectification.create_finding": lambda a: finding_services.create_finding(
            a,
            school=world.school,
            visit=visit,
            area=3,
            description="问题",
            deadline_kind="on_the_spot",
        ),
        "reports.save_report_text": lambda a: report_services.save_report_text(
            a, office=world.office, year=today.year, month=today.month, highlights="亮点"
        ),
        "monitoring.take_monthly_return": lambda a: monitoring_services.take_monthly_return(
            a, world.office
        ),
        "schools.update_school": lambda a: school_services.update_school(
            a, world.school, name="改名小学"
        ),
        "inspectors.create_zone": lambda a: inspector_services.create_zone(
            a, world.office, name="第九责任区"
        ),
        "inspectors.update_zone": lambda a: inspector_services.update_zone(
            a, world.zone, name="改名责任区"
        ),
    }


SERVICES = [
    "visits.save_draft",
    "visits.submit_visit",
    "visits.submit_draft",
    "visits.delete_draft",
    "visits.issue_feedback_letter",
    "visits.create_focus_point",
    "rectification.create_finding",
    "reports.save_report_text",
    "monitoring.take_monthly_return",
    "schools.update_school",
    "inspectors.create_zone",
    "inspectors.update_zone",
]


@pytest.mark.parametrize("service", SERVICES)
def test_the_viewer_is_refused_and_nothing_is_written(world, county_rows, service):
    assert_refused(calls(world, *county_rows)[service], world.viewer)


@pytest.mark.parametrize("action", sorted(Action.values))
def test_the_viewer_takes_no_action_on_a_county_finding(world, county_rows, action):
    """Every action of the findings' workflow (notice, response, follow-up, urging,
    escalation, withdrawal, reopening…), taken on a finding in a status where the action is
    legal: refused, the database (the finding, its counters) unchanged."""
    _visit, _draft, finding = county_rows
    status = sorted(s for (s, a) in TRANSITIONS if a == action)[0]
    put(finding, status, **PRECONDITIONS.get(action, {}))  # set-up, behind the services
    before = database_state()
    with pytest.raises(NotPermitted):
        perform(action, finding, world.viewer)
    assert database_state() == before
