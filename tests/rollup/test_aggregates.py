"""The roll-up counters (dudao/rollup, docs/rules.md §28) stay equal to a fresh count of the
visits and findings, whatever sequence of writes went through the services: a property
test, then the cases one by one (a draft, a moved visit date, the nightly overdue flag, a
deletion, the rebuild)."""

import datetime
import uuid

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dudao.core.errors import DomainError
from dudao.rectification import overdue
from dudao.rectification import services as finding_services
from dudao.rectification.models import Finding
from dudao.rectification.workflow import RULES, TRANSITIONS
from dudao.rollup import aggregates
from dudao.rollup.models import OfficeMonth, SchoolMonth
from dudao.visits import services as visit_services
from dudao.visits.models import Visit
from tests.factories_supervision import FindingFactory, VisitFactory, at
from tests.rectification.helpers import perform, personas

PERSONA_OF_ROLE = {
    "office_admin": "admin",
    "inspector": "inspector",
    "school": "school",
    "system": "system",
}


def assert_in_step():
    assert aggregates.stored() == aggregates.fresh()


def days_ago(n: int) -> datetime.datetime:
    return at(timezone.localdate() - datetime.timedelta(days=n), hour=9)


@pytest.mark.django_db
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), length=st.integers(1, 15))
def test_random_writes_keep_the_counters_equal_to_a_fresh_count(world, data, length):
    actors = personas(world)
    visits: list[Visit] = []
    drafts: list[Visit] = []
    findings: list[Finding] = []
    for _step in range(length):
        kind = data.draw(
            st.sampled_from(
                ["visit", "visit", "draft", "submit_draft", "delete_draft", "finding"]
                + ["transition"] * 4
                + ["overdue"]
            )
        )
        try:
            if kind == "visit":
                school = data.draw(st.sampled_from([world.school, world.zone_school]))
                actor = world.inspector_user if school == world.school else world.admin
                visits.append(
                    visit_services.submit_visit(
                        actor,
                        uuid.uuid4(),
                        school=school,
                        visited_at=days_ago(data.draw(st.integers(0, 70))),
                        methods=["campus_walk"],
                    )
                )
            elif kind == "draft":
                drafts.append(
                    visit_services.save_draft(
                        world.inspector_user,
                        world.school,
                        uuid.uuid4(),
                        visited_at=days_ago(data.draw(st.integers(0, 40))),
                        methods=["campus_walk"],
                    )
                )
            elif kind == "submit_draft" and drafts:
                draft = drafts.pop(data.draw(st.integers(0, len(drafts) - 1)))
                visits.append(
                    visit_services.submit_visit(
                        world.inspector_user,
                        draft.client_uuid,
                        school=world.school,
                        visited_at=days_ago(data.draw(st.integers(0, 40))),
                        methods=["campus_walk"],
                    )
                )
            elif kind == "delete_draft" and drafts:
                draft = drafts.pop(data.draw(st.integers(0, len(drafts) - 1)))
                visit_services.delete_draft(world.inspector_user, draft)
            elif kind == "finding" and visits:
                visit = data.draw(st.sampled_from(visits))
                on_the_spot = data.draw(st.booleans())
                extra = (
                    {"deadline_kind": "on_the_spot"}
                    if on_the_spot
                    else {
                        "deadline_kind": "by_date",
                        "deadline": timezone.localdate()
                        + datetime.timedelta(days=data.draw(st.integers(-40, 40))),
                    }
                )
                findings.append(
                    finding_services.create_finding(
                        world.inspector_user if visit.school == world.school else world.admin,
                        school=visit.school,
                        visit=visit,
                        area=data.draw(st.integers(1, 8)),
                        description="随机问题",
                        **extra,
                    )
                )
            elif kind == "transition" and findings:
                finding = Finding.all_objects.get(pk=data.draw(st.sampled_from(findings)).pk)
                legal = sorted(a for (s, a) in TRANSITIONS if s == finding.status)
                if legal:
                    action = data.draw(st.sampled_from(legal))
                    role = data.draw(st.sampled_from(sorted(RULES[action].roles)))
                    perform(action, finding, actors[PERSONA_OF_ROLE[role]])
            elif kind == "overdue":
                shift = datetime.timedelta(days=data.draw(st.integers(-10, 30)))
                overdue.mark_overdue(timezone.localdate() + shift)
        except DomainError:
            pass  # a refusal writes nothing; the counters must still agree
        assert_in_step()
    # And a rebuild from scratch gives the same counters.
    before = aggregates.stored()
    aggregates.rebuild()
    assert aggregates.stored() == before


def test_a_submitted_visit_counts_once_in_its_school_and_office_month(world):
    visit_services.submit_visit(
        world.inspector_user,
        uuid.uuid4(),
        school=world.school,
        visited_at=days_ago(0),
        methods=["campus_walk"],
    )
    month = timezone.localdate().replace(day=1)
    assert SchoolMonth.all_objects.get(school=world.school, month=month).visits == 1
    assert OfficeMonth.all_objects.get(office=world.office, month=month).visits == 1
    assert_in_step()


def test_a_draft_does_not_count_until_submitted(world):
    draft = visit_services.save_draft(
        world.inspector_user,
        world.school,
        uuid.uuid4(),
        visited_at=days_ago(0),
        methods=["campus_walk"],
    )
    assert aggregates.stored() == ({}, {})
    visit_services.delete_draft(world.inspector_user, draft)
    assert aggregates.stored() == ({}, {})


def test_moving_a_visit_to_another_month_moves_its_count(world):
    visit = VisitFactory(school=world.school, created_by=world.admin, visited_at=days_ago(0))
    visit.visited_on = visit.visited_on - datetime.timedelta(days=40)
    visit.save()
    assert_in_step()
    visit.delete()
    assert_in_step()
    assert aggregates.stored() == ({}, {})


def test_the_nightly_overdue_flag_is_counted_in_the_same_transaction(world):
    finding = FindingFactory(
        school=world.school,
        created_by=world.admin,
        deadline=timezone.localdate() - datetime.timedelta(days=3),
    )
    month = finding.deadline.replace(day=1)
    assert OfficeMonth.all_objects.get(office=world.office, month=month).overdue == 0
    assert overdue.mark_overdue()["marked"] == 1
    assert OfficeMonth.all_objects.get(office=world.office, month=month).overdue == 1
    assert_in_step()


def test_a_finding_changed_in_a_rolled_back_transaction_leaves_the_counters(world):
    from django.db import transaction

    finding = FindingFactory(school=world.school, created_by=world.admin)
    before = aggregates.stored()
    with pytest.raises(RuntimeError), transaction.atomic():
        finding.is_overdue = True
        finding.save()
        assert aggregates.stored() != before
        raise RuntimeError
    assert aggregates.stored() == before


def test_rebuild_rollup_recounts_rows_written_behind_the_services(world):
    VisitFactory(school=world.school, created_by=world.admin, visited_at=days_ago(0))
    FindingFactory(school=world.school, created_by=world.admin)
    SchoolMonth.all_objects.all().delete()
    OfficeMonth.all_objects.all().delete()  # as after a COPY
    assert aggregates.stored() != aggregates.fresh()
    call_command("rebuild_rollup", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert_in_step()
