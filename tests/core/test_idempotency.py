"""Creates that happen once (dudao.core.idempotency): a form's one-time key makes a second
submission of the same create form find the first object, for the campaign, the periodic
return and the checklist forms; keys are per user and kept a week."""

import datetime
import threading
import uuid

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from dudao.audit.models import AuditEntry
from dudao.campaigns import services as campaign_services
from dudao.campaigns.models import Campaign
from dudao.checklists.models import ChecklistTemplate
from dudao.core import idempotency
from dudao.core.errors import DomainError
from dudao.core.models import RequestKey
from dudao.returns.models import PeriodicReturn
from tests.campaigns.test_setup_helpers import published_checklist
from tests.returns.conftest import make_checklist

pytestmark = pytest.mark.django_db


def campaign_fields(today, checklist):
    return {
        "title": "“双减”专项督导",
        "starts_on": today.isoformat(),
        "ends_on": (today + datetime.timedelta(days=7)).isoformat(),
        "checklist": checklist.pk,
    }


def test_the_create_form_carries_a_new_key_each_time(world, login):
    client = login(world.admin)
    first = client.get(reverse("campaigns:create")).context["form"]["request_key"].value()
    second = client.get(reverse("campaigns:create")).context["form"]["request_key"].value()
    assert uuid.UUID(str(first)) != uuid.UUID(str(second))
    body = client.get(reverse("campaigns:create")).content.decode()
    assert 'type="hidden" name="request_key"' in body


def test_a_campaign_form_sent_twice_makes_one_campaign(world, login, today):
    client = login(world.admin)
    data = campaign_fields(today, published_checklist()) | {"request_key": str(uuid.uuid4())}
    first = client.post(reverse("campaigns:create"), data)
    second = client.post(reverse("campaigns:create"), data)
    campaign = Campaign.objects.unscoped().get()
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == reverse("campaigns:detail", args=[campaign.pk])
    assert AuditEntry.objects.unscoped().filter(target_type="campaigns.Campaign").count() == 1
    # A new form (a new key) is a new campaign.
    client.post(reverse("campaigns:create"), data | {"request_key": str(uuid.uuid4())})
    assert Campaign.objects.unscoped().count() == 2


def test_a_form_without_a_key_still_creates(world, login, today):
    client = login(world.admin)
    data = campaign_fields(today, published_checklist())
    client.post(reverse("campaigns:create"), data)
    client.post(reverse("campaigns:create"), data)
    assert Campaign.objects.unscoped().count() == 2


def test_a_refused_create_leaves_the_key_free(world, login, today):
    """The first submission fails validation in the service; the corrected one with the same
    key creates."""
    client = login(world.admin)
    key = str(uuid.uuid4())
    data = campaign_fields(today, published_checklist()) | {"request_key": key}
    bad = data | {"ends_on": (today - datetime.timedelta(days=1)).isoformat()}
    assert client.post(reverse("campaigns:create"), bad).status_code == 200
    assert not RequestKey.objects.exists()
    assert client.post(reverse("campaigns:create"), data).status_code == 302
    assert Campaign.objects.unscoped().count() == 1


def test_keys_are_per_user(world, today):
    """Another admin's same key is another create (a key is only a form's, never a lookup)."""
    from tests.factories import UserFactory

    other_admin = UserFactory(office=world.office, role=world.admin.role)
    checklist = published_checklist()
    key = uuid.uuid4()
    fields = {
        "title": "开学工作督查",
        "starts_on": today,
        "ends_on": today,
        "checklist": checklist,
        "request_key": key,
    }
    one = campaign_services.create_campaign(world.admin, world.office, **fields)
    two = campaign_services.create_campaign(other_admin, world.office, **fields)
    again = campaign_services.create_campaign(world.admin, world.office, **fields)
    assert one.pk != two.pk and again.pk == one.pk


def test_a_malformed_key_is_a_clear_refusal(world, today):
    with pytest.raises(DomainError, match="表单标识无效"):
        campaign_services.create_campaign(
            world.admin,
            world.office,
            title="x",
            starts_on=today,
            ends_on=today,
            checklist=published_checklist(),
            request_key="not-a-uuid",
        )
    assert not Campaign.objects.unscoped().exists()


def test_a_return_form_sent_twice_makes_one_return(world, login, today):
    checklist = make_checklist(key="sj-once")
    data = {
        "title": "“双减”工作半月报",
        "checklist": checklist.pk,
        "schedule": "half_monthly",
        "starts_on": today.isoformat(),
        "remind_days_before": "1",
        "zones": [world.zone.pk],
        "request_key": str(uuid.uuid4()),
    }
    client = login(world.admin)
    first = client.post(reverse("returns:create"), data)
    second = client.post(reverse("returns:create"), data)
    item = PeriodicReturn.objects.unscoped().get()
    assert first.url == second.url == reverse("returns:detail", args=[item.pk])


def test_a_checklist_form_sent_twice_makes_one_draft(world, login):
    data = {"title": "课后服务检查", "purpose": "campaign", "request_key": str(uuid.uuid4())}
    client = login(world.admin)
    first = client.post(reverse("checklists:create"), data)
    second = client.post(reverse("checklists:create"), data)
    drafts = ChecklistTemplate.objects.unscoped().filter(office=world.office)
    assert drafts.count() == 1
    assert first.url == second.url


def test_old_keys_are_deleted_after_a_week(world, clock, today):
    checklist = published_checklist()
    key = uuid.uuid4()
    fields = {"title": "t", "starts_on": today, "ends_on": today, "checklist": checklist}
    campaign_services.create_campaign(world.admin, world.office, request_key=key, **fields)
    now = timezone.now()
    assert idempotency.delete_old_keys(now + datetime.timedelta(days=6)) == 0
    assert idempotency.delete_old_keys(now + datetime.timedelta(days=7, seconds=1)) == 1
    # After that the same key would create again: a week is longer than any retry.
    campaign_services.create_campaign(world.admin, world.office, request_key=key, **fields)
    assert Campaign.objects.unscoped().count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_make_one_campaign(world, today):
    """Two requests with the same key at once (PostgreSQL: real concurrency; the second waits
    on the key's unique index and finds the first campaign)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the concurrent path needs PostgreSQL")
    checklist = published_checklist()
    key = uuid.uuid4()
    fields = {"title": "t", "starts_on": today, "ends_on": today, "checklist": checklist}
    barrier = threading.Barrier(2)
    results, errors = [], []

    def submit():
        try:
            barrier.wait()
            campaign = campaign_services.create_campaign(
                world.admin, world.office, request_key=key, **fields
            )
            results.append(campaign.pk)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(results)) == 1 and Campaign.objects.unscoped().count() == 1
