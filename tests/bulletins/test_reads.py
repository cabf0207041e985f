"""Recipients and read receipts: who a rule reaches (all schools, a zone's, the inspectors,
chosen schools; inactive ones left out), receipts per user made once on opening, who has
read and who has not per school and inspector (a recipient without an account marked), and
the reminder to the rest (once a day each, notifications after commit)."""

import datetime

import pytest
from django.urls import reverse

from dudao.accounts.models import Role
from dudao.bulletins import queries, services
from dudao.bulletins.models import Audience, BulletinRead, BulletinRecipient, Kind
from dudao.core.errors import DomainError
from dudao.notifications.models import Notification
from tests.factories import InspectorFactory, SchoolFactory

from .conftest import inspector_account, publish, school_account, write


def recipients(bulletin):
    rows = BulletinRecipient.objects.unscoped().filter(bulletin=bulletin)
    return {str(r.school or r.inspector) for r in rows.select_related("school", "inspector")}


def test_rules_resolve_to_the_offices_active_schools_or_inspectors(world):
    closed = SchoolFactory(office=world.office, name="已撤并小学", is_active=False, zone=world.zone)
    retired = InspectorFactory(office=world.office, name="退休督学", is_active=False)
    assert recipients(publish(world)) == {"湖滨小学", "西湖小学", "城东中学"}
    assert recipients(publish(world, audience=Audience.ZONE, zone=world.zone)) == {
        "湖滨小学",
        "西湖小学",
    }
    assert recipients(publish(world, audience=Audience.INSPECTORS)) == {
        "李组长",
        "张督学",
        "赵督学",
    }
    chosen = publish(
        world, audience=Audience.SCHOOLS, schools=[world.far_school, world.school, closed]
    )
    assert recipients(chosen) == {"湖滨小学", "城东中学"}
    assert closed.name not in recipients(publish(world)) and retired.name


def test_reading_makes_one_receipt_per_user(world, client, to_schools, clock):
    url = reverse("bulletins:detail", args=[to_schools.pk])
    client.force_login(world.school_user)
    assert client.get(url).status_code == 200
    first = BulletinRead.objects.unscoped().get(bulletin=to_schools, user=world.school_user)
    clock.shift(datetime.timedelta(hours=2))
    client.get(url)
    assert BulletinRead.objects.unscoped().filter(bulletin=to_schools).count() == 1
    assert BulletinRead.objects.unscoped().get(pk=first.pk).read_at == first.read_at
    assert first.recipient.school_id == world.school.pk
    # The office and a viewer reading it make no receipt.
    for user in (world.admin, world.viewer):
        client.force_login(user)
        assert client.get(url).status_code == 200
    assert BulletinRead.objects.unscoped().filter(bulletin=to_schools).count() == 1


def test_mark_read_only_for_recipients(world, to_zone):
    assert services.mark_read(world.admin, to_zone) is None
    far = school_account(world.far_school, "far")
    assert services.mark_read(far, to_zone) is None  # not a recipient of the zone's notice
    assert services.mark_read(world.school_user, to_zone).recipient.school == world.school
    assert services.mark_read(world.inspector_user, to_zone) is None


def test_who_has_read_and_who_has_not(world, to_schools, zone_school_user):
    other = school_account(world.school, "school2")
    services.mark_read(other, to_schools)
    services.mark_read(world.school_user, to_schools)
    rows = {row["recipient"].name: row for row in queries.receipts(to_schools)}
    assert rows["湖滨小学"]["is_read"] and [r.user.username for r in rows["湖滨小学"]["reads"]] == [
        "school2",
        "school",
    ]
    assert not rows["西湖小学"]["is_read"] and rows["西湖小学"]["accounts"] == [zone_school_user]
    assert not rows["城东中学"]["accounts"]  # no account: cannot read it
    assert queries.receipt_counts(list(rows.values())) == {
        "total": 3,
        "read": 1,
        "unread": 2,
        "no_account": 1,
    }


def test_inspectors_read_as_themselves(world, client):
    bulletin = publish(
        world,
        audience=Audience.INSPECTORS,
        kind=Kind.NOTICE,
        title="督学培训通知",
        topic="training",
    )
    client.force_login(world.inspector_user)
    client.get(reverse("bulletins:detail", args=[bulletin.pk]))
    client.force_login(world.zone_leader)
    client.get(reverse("bulletins:detail", args=[bulletin.pk]))
    rows = {row["recipient"].name: row["is_read"] for row in queries.receipts(bulletin)}
    assert rows == {"张督学": True, "李组长": True, "赵督学": False}


def test_reminders_reach_the_unread_once_a_day(
    world, to_schools, zone_school_user, clock, django_capture_on_commit_callbacks
):
    services.mark_read(world.school_user, to_schools)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.remind_unread(world.admin, to_schools) == 1  # 城东中学 has no account
    reminded = Notification.objects.unscoped().filter(kind="bulletin.remind")
    assert list(reminded.values_list("recipient__username", flat=True)) == ["zone_school"]
    assert services.remind_unread(world.admin, to_schools) == 0  # again today: nobody
    clock.shift(datetime.timedelta(days=1))
    assert services.remind_unread(world.admin, to_schools) == 1
    row = BulletinRecipient.objects.unscoped().get(bulletin=to_schools, school=world.zone_school)
    assert row.reminders_sent == 2


def test_reminders_only_for_published_documents(world):
    with pytest.raises(DomainError):
        services.remind_unread(world.admin, write(world))
    bulletin = services.withdraw_bulletin(world.admin, publish(world), note="撤回")
    with pytest.raises(DomainError):
        services.remind_unread(world.admin, bulletin)


def test_withdrawn_documents_leave_the_recipients(world, client, to_schools):
    services.withdraw_bulletin(world.admin, to_schools, note="撤回")
    client.force_login(world.school_user)
    assert client.get(reverse("bulletins:detail", args=[to_schools.pk])).status_code == 404
    assert to_schools.title not in client.get(reverse("bulletins:mine")).content.decode()
    client.force_login(world.admin)
    assert client.get(reverse("bulletins:detail", args=[to_schools.pk])).status_code == 200


def test_a_new_account_of_a_recipient_school_reads_it(world, to_schools):
    late = school_account(world.far_school, "far_new")
    assert services.mark_read(late, to_schools).recipient.school == world.far_school


def test_an_inspector_account_of_the_wrong_role_is_not_a_reader(world):
    bulletin = publish(world, audience=Audience.INSPECTORS)
    leader = inspector_account(world.other_inspector, "other", role=Role.ZONE_LEADER)
    assert services.mark_read(leader, bulletin).recipient.inspector == world.other_inspector
