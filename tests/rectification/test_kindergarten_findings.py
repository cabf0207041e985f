"""Findings on the kindergarten areas (docs/rules.md §4): a kindergarten is supervised on items
9–13, and a problem found there is a finding on that item, recorded in the visit form's one
pass and by `create_finding`; no item outside the catalogue (1–13) is accepted."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from dudao.core.errors import DomainError
from dudao.rectification import services
from dudao.rectification.models import Finding
from dudao.visits import services as visit_services
from dudao.visits.models import AreaCheck, Visit
from tests.factories import AssignmentFactory, SchoolFactory

pytestmark = pytest.mark.any_day


@pytest.fixture
def kindergarten(world):
    """湖滨幼儿园, in the world's zone, assigned to the world's inspector."""
    kg = SchoolFactory(
        office=world.office,
        zone=world.zone,
        name="湖滨幼儿园",
        type="kindergarten",
        enrolment_primary=0,
        enrolment_kindergarten=200,
    )
    AssignmentFactory(inspector=world.inspector, school=kg, start_date=world.assignment.start_date)
    return kg


def in_days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def test_a_problem_on_a_kindergarten_area_is_recorded_in_one_pass(world, client, kindergarten):
    client.force_login(world.inspector_user)
    key = uuid.uuid4()
    response = client.post(
        reverse("visits:new", args=[kindergarten.pk]),
        {
            "client_uuid": str(key),
            "visited_at": (timezone.localtime() - datetime.timedelta(minutes=5)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "methods": ["campus_walk"],
            "area_9_status": "problem",
            "area_9_note": "户外活动场地地面破损",
            "area_9_severity": "general",
            "area_9_deadline_kind": "by_date",
            "area_9_deadline": in_days(14).isoformat(),
            "area_9_required_action": "修补户外活动场地地面",
            "area_10_status": "fine",
            "submit": "1",
        },
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    visit = Visit.objects.unscoped().get(client_uuid=key)
    assert visit.status == Visit.Status.SUBMITTED
    finding = Finding.objects.unscoped().get(visit=visit)
    assert (finding.area, finding.description, finding.deadline) == (
        9,
        "户外活动场地地面破损",
        in_days(14),
    )
    assert finding.school == kindergarten and finding.inspector_id == world.inspector.pk
    checks = dict(visit.area_checks.values_list("area", "status"))
    assert checks == {
        9: AreaCheck.Status.PROBLEM,
        10: AreaCheck.Status.FINE,
        11: AreaCheck.Status.NOT_CHECKED,
        12: AreaCheck.Status.NOT_CHECKED,
        13: AreaCheck.Status.NOT_CHECKED,
    }
    # The ledger's item filter offers the kindergarten areas and finds it.
    client.force_login(world.admin)
    ledger = client.get(reverse("rectification:ledger"), {"area": 9})
    assert ledger.status_code == 200
    assert "户外活动场地地面破损" in ledger.content.decode()
    assert (
        "户外活动场地地面破损"
        not in client.get(reverse("rectification:ledger"), {"area": 6}).content.decode()
    )


def test_create_finding_takes_items_1_to_13_and_refuses_14(world, kindergarten):
    visit = visit_services.submit_visit(
        world.inspector_user,
        uuid.uuid4(),
        school=kindergarten,
        visited_at=timezone.now() - datetime.timedelta(minutes=5),
        methods=["campus_walk"],
    )

    def record(area, description="午睡室通风不良"):
        return services.create_finding(
            world.inspector_user,
            school=kindergarten,
            visit=visit,
            area=area,
            description=description,
            deadline_kind="on_the_spot",
        )

    for area in (9, 13):
        finding = record(area)
        assert finding.area == area
        finding.full_clean()  # the model's validators and choices take it
    assert visit.area_checks.get(area=13).status == AreaCheck.Status.PROBLEM
    for bad in (0, 14):
        with pytest.raises(DomainError) as refused, translation.override("en"):
            record(bad)
        assert refused.value.field == "area"
        assert str(refused.value) == "Choose one of the supervision items."
    assert Finding.objects.unscoped().filter(visit=visit).count() == 2

    finding.area = 14
    with pytest.raises(ValidationError) as invalid:
        finding.full_clean()
    assert "area" in invalid.value.message_dict
    # The database refuses it too (finding_area_range).
    with pytest.raises(IntegrityError), transaction.atomic():
        Finding.objects.unscoped().filter(pk=finding.pk).update(area=14)
