"""A confirmed problem becomes a finding in the rectification ledger, linked both ways
(the complaint's `finding`, the finding's `complaints`), and the finding names no sender."""

import datetime

import pytest
from django.urls import reverse

from dudao.accounts import scoping
from dudao.complaints import services
from dudao.complaints.models import ComplaintEvent
from dudao.core.errors import DomainError, IllegalTransition, NotPermitted
from dudao.rectification.models import Finding
from tests.factories import SchoolFactory

from .helpers import assigned, fresh, investigating, receive

pytestmark = pytest.mark.django_db

NAME, PHONE = "王秀英", "13912345678"


def raise_it(actor, complaint, today, **kwargs):
    kwargs.setdefault("area", 2)
    kwargs.setdefault("description", "学校违规组织周六补课并收取资料费。")
    return services.raise_finding(
        actor,
        complaint,
        expected_version=complaint.version,
        deadline=today + datetime.timedelta(days=30),
        **kwargs,
    )


def test_the_office_raises_a_finding_linked_both_ways(world, today):
    complaint = investigating(world, name=NAME, phone=PHONE)
    finding = raise_it(world.admin, complaint, today)
    complaint = fresh(complaint)
    assert complaint.finding == finding
    assert list(finding.complaints.all()) == [complaint]
    assert finding.school == world.school and finding.area == 2
    assert ComplaintEvent.objects.filter(complaint=complaint, action="finding_raised").exists()
    # The school reads the finding, and nothing in it names the sender.
    seen = scoping.findings_for(world.school_user).get(pk=finding.pk)
    assert NAME not in str(vars(seen)) and PHONE not in str(vars(seen))
    # A second call returns the same finding.
    assert raise_it(world.admin, complaint, today) == finding
    assert Finding.objects.unscoped().count() == 1


def test_the_school_s_responsible_inspector_may_raise_it(world, today):
    complaint = investigating(world)
    finding = raise_it(world.inspector_user, complaint, today)
    assert finding.created_by == world.inspector_user


def test_an_inspector_not_responsible_for_the_school_may_not(world, today):
    complaint = receive(world, school="far_school")
    complaint = services.assign(
        world.admin, complaint, expected_version=complaint.version, inspector=world.inspector
    )
    with pytest.raises(NotPermitted):
        raise_it(world.inspector_user, complaint, today)
    assert not Finding.objects.unscoped().exists() and fresh(complaint).finding is None


@pytest.mark.parametrize("who", ["school_user", "zone_leader", "other_admin", "superuser"])
def test_others_may_not(world, today, who):
    complaint = assigned(world)
    with pytest.raises(NotPermitted):
        raise_it(getattr(world, who), complaint, today)
    assert not Finding.objects.unscoped().exists()


def test_a_merged_complaint_raises_none(world, today):
    first = receive(world, text="第一份投诉材料")
    second = receive(world, text="第二份投诉材料")
    second = services.merge(world.admin, second, expected_version=second.version, original=first)
    with pytest.raises(IllegalTransition):
        raise_it(world.admin, second, today)


def test_a_complaint_about_no_school_names_it_here(world, today):
    complaint = receive(world, school=None, office=world.office, text="某校外培训机构违规授课")
    with pytest.raises(DomainError) as refused:
        raise_it(world.admin, complaint, today)
    assert refused.value.field == "school"
    with pytest.raises(DomainError):
        raise_it(world.admin, complaint, today, school=world.foreign_school)
    finding = raise_it(world.admin, fresh(complaint), today, school=world.far_school)
    assert fresh(complaint).school == world.far_school and finding.school == world.far_school


def test_a_kindergarten_s_finding_is_on_its_areas(world, today):
    kindergarten = SchoolFactory(office=world.office, type="kindergarten", name="阳光幼儿园")
    complaint = receive(world, school=kindergarten, text="幼儿园食堂卫生差")
    with pytest.raises(DomainError) as refused:
        raise_it(world.admin, complaint, today, area=2)
    assert refused.value.field == "area"
    assert raise_it(world.admin, fresh(complaint), today, area=10).area == 10


def test_the_finding_form(world, client, today):
    complaint = investigating(world)
    client.force_login(world.admin)
    url = reverse("complaints:raise_finding", args=[complaint.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "expected_version": complaint.version,
            "school": world.school.pk,
            "area": 2,
            "description": "学校违规补课。",
            "severity": "general",
            "deadline": (today + datetime.timedelta(days=20)).isoformat(),
        },
    )
    finding = Finding.objects.unscoped().get()
    assert response.status_code == 302
    assert response.url == reverse("rectification:finding_detail", args=[finding.pk])
    # Once raised, the complaint's page links to it and the form leads there.
    page = client.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
    assert 'data-testid="finding-link"' in page
    assert client.get(url).status_code == 302
