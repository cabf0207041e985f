"""Who may write: the office admin of the return's office runs it; a school writes only its
own report; the other county, other roles and the superuser are refused and nothing is
written. A school sees only its own returns and reports."""

import pytest
from django.urls import reverse

from dudao.audit.models import AuditEntry
from dudao.checklists.models import Purpose
from dudao.core.errors import DomainError, NotPermitted
from dudao.returns import services
from dudao.returns.models import PeriodicReturn, ReturnPeriod, ReturnSubmission

from .conftest import answers, make_checklist, new_return, school_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(world, checklist, today):
    return services.activate_return(world.admin, new_return(world, checklist, starts_on=today))


def rows():
    return (
        PeriodicReturn.objects.unscoped().count(),
        ReturnPeriod.objects.unscoped().count(),
        ReturnSubmission.objects.unscoped().count(),
        AuditEntry.objects.unscoped().count(),
    )


@pytest.mark.parametrize(
    "role", ["zone_leader", "inspector", "school", "viewer", "other_admin", "superuser"]
)
def test_only_the_office_admin_runs_a_return(world, checklist, today, running, role):
    actor = world.personas()[role]
    draft = new_return(world, checklist, starts_on=today)
    before = rows()
    calls = [
        lambda: services.create_return(
            actor, world.office, title="x", checklist=checklist, starts_on=today
        ),
        lambda: services.update_return(
            actor,
            draft,
            title="y",
            checklist=checklist,
            schedule="monthly",
            due_day=None,
            starts_on=today,
            ends_on=None,
            remind_days_before=1,
        ),
        lambda: services.activate_return(actor, draft),
        lambda: services.close_return(actor, running),
        lambda: services.remind_period(actor, running.periods.first()),
    ]
    for call in calls:
        with pytest.raises(NotPermitted):
            call()
    assert rows() == before


def test_a_school_writes_only_its_own_report(world, items, running):
    other = ReturnSubmission.objects.unscoped().get(
        period__periodic_return=running, school=world.zone_school
    )
    for actor in (world.school_user, world.admin, world.inspector_user, world.superuser):
        with pytest.raises(NotPermitted):
            services.submit(actor, other, answers(items))
    other.refresh_from_db()
    assert other.status == ReturnSubmission.Status.PENDING


def test_the_checklist_must_be_a_published_return_checklist(world, today):
    for checklist in (
        make_checklist(key="campaign", purpose=Purpose.CAMPAIGN),
        make_checklist(key="draft", status="draft"),
        make_checklist(world.other_office, key="theirs"),
    ):
        with pytest.raises(DomainError) as refused:
            new_return(world, checklist, starts_on=today)
        assert refused.value.field == "checklist"
    assert new_return(world, make_checklist(world.office, key="ours"), starts_on=today)


def test_schools_are_the_offices_own(world, checklist, today):
    with pytest.raises(DomainError) as refused:
        new_return(world, checklist, starts_on=today, schools=[world.foreign_school])
    assert refused.value.field == "schools"


def test_schools_by_type_zone_or_all_active(world, checklist, today):
    by_zone = services.create_return(
        world.admin,
        world.office,
        title="t",
        checklist=checklist,
        starts_on=today,
        zones=[world.zone],
    )
    assert set(by_zone.schools.all()) == {world.school, world.zone_school}
    by_type = services.create_return(
        world.admin,
        world.office,
        title="t",
        checklist=checklist,
        starts_on=today,
        types=["junior"],
    )
    assert list(by_type.schools.all()) == [world.far_school]
    everyone = services.create_return(
        world.admin, world.office, title="t", checklist=checklist, starts_on=today
    )
    assert everyone.schools.count() == 3


def test_a_school_added_to_a_running_return_reports_from_now(world, checklist, today):
    item = services.activate_return(
        world.admin, new_return(world, checklist, starts_on=today, schools=[world.school])
    )
    services.update_return(
        world.admin,
        item,
        title=item.title,
        checklist=checklist,
        schedule="monthly",
        due_day=None,
        starts_on=today,
        ends_on=None,
        remind_days_before=2,
        schools=[world.school, world.far_school],
    )
    item.refresh_from_db()
    assert item.schedule == "half_monthly"  # the schedule of a running return stays
    assert item.remind_days_before == 2
    assert ReturnSubmission.objects.unscoped().filter(school=world.far_school).count() == 1


def test_a_school_sees_only_its_own(world, running, login, items):
    mine = ReturnSubmission.objects.unscoped().get(
        period__periodic_return=running, school=world.school
    )
    other = ReturnSubmission.objects.unscoped().get(
        period__periodic_return=running, school=world.zone_school
    )
    assert list(ReturnSubmission.objects.visible_to(world.school_user)) == [mine]
    client = login(world.school_user)
    body = client.get(reverse("returns:mine")).content.decode()
    assert reverse("returns:submission", args=[mine.pk]) in body
    assert reverse("returns:submission", args=[other.pk]) not in body
    assert client.get(reverse("returns:submission", args=[other.pk])).status_code == 404
    assert client.get(reverse("returns:detail", args=[running.pk])).status_code == 403
    # A school not asked for this return sees none of it.
    stranger = school_user(world.foreign_school, "stranger")
    assert not ReturnSubmission.objects.visible_to(stranger).exists()
    assert not PeriodicReturn.objects.visible_to(stranger).exists()


def test_an_inspector_sees_only_the_reports_of_their_schools(world, running, login):
    period = running.periods.get()
    body = login(world.inspector_user).get(reverse("returns:period", args=[period.pk]))
    text = body.content.decode()
    assert "湖滨小学" in text and "西湖小学" not in text and "城东中学" not in text
