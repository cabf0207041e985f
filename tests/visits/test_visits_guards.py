"""Visits check the acting user (dudao/core/guards.py): a visit is recorded by the school's
responsible inspector or the office admin; a visit is changed by whoever recorded it or the
office admin of its office. Everyone else gets NotPermitted and nothing changes."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dudao.core.guards import SYSTEM
from dudao.visits import services
from dudao.visits.models import Attachment, Visit
from tests.core.test_guards import assert_refused

from .conftest import png_bytes

# Not the school's responsible inspector nor its office's admin.
STRANGERS = ["other_admin", "zone_leader", "school", "viewer", "superuser"]


def png():
    return SimpleUploadedFile("校门.png", png_bytes(200, 100), content_type="image/png")


def record_calls(world):
    fields = {"visited_at": timezone.now(), "methods": ["campus_walk"]}
    return {
        "save_draft": lambda actor: services.save_draft(
            actor, world.school, uuid.uuid4(), summary="上午"
        ),
        "submit_visit": lambda actor: services.submit_visit(
            actor, uuid.uuid4(), school=world.school, **fields
        ),
    }


@pytest.mark.parametrize("service", ["save_draft", "submit_visit"])
@pytest.mark.parametrize("persona", [*STRANGERS, "other_inspector"])
def test_only_the_responsible_inspector_or_the_office_admin_records(
    world, other_inspector_user, service, persona
):
    actor = other_inspector_user if persona == "other_inspector" else world.personas()[persona]
    assert_refused(record_calls(world)[service], actor)


@pytest.mark.parametrize("service", ["save_draft", "submit_visit"])
@pytest.mark.parametrize("persona", ["inspector", "admin"])
def test_the_recorders(world, service, persona):
    visit = record_calls(world)[service](world.personas()[persona])
    assert visit.school == world.school


@pytest.mark.parametrize("service", ["save_draft", "submit_visit"])
def test_the_system_records_no_visit(world, service):
    assert_refused(record_calls(world)[service], SYSTEM)


# ---- changing a visit someone recorded -------------------------------------------------------


@pytest.fixture
def draft(world):
    return services.save_draft(world.inspector_user, world.school, uuid.uuid4(), summary="草稿")


@pytest.fixture
def attachment(world, draft):
    return services.add_attachment(world.inspector_user, draft, png())


def change_calls(world, draft, attachment):
    return {
        "save_draft": lambda actor: services.save_draft(
            actor, world.school, draft.client_uuid, summary="改写"
        ),
        "submit_visit": lambda actor: services.submit_visit(
            actor, draft.client_uuid, visited_at=timezone.now()
        ),
        "delete_draft": lambda actor: services.delete_draft(actor, draft),
        "add_attachment": lambda actor: services.add_attachment(actor, draft, png()),
        "delete_attachment": lambda actor: services.delete_attachment(actor, attachment),
    }


CHANGES = ["save_draft", "submit_visit", "delete_draft", "add_attachment", "delete_attachment"]


@pytest.mark.parametrize("service", CHANGES)
@pytest.mark.parametrize("persona", [*STRANGERS, "other_inspector"])
def test_only_the_recorder_or_the_office_admin_changes_a_visit(
    world, draft, attachment, other_inspector_user, service, persona
):
    actor = other_inspector_user if persona == "other_inspector" else world.personas()[persona]
    assert_refused(change_calls(world, draft, attachment)[service], actor)


@pytest.mark.parametrize("service", CHANGES)
@pytest.mark.parametrize("persona", ["inspector", "admin"])
def test_the_recorder_and_the_office_admin_change_it(world, draft, attachment, service, persona):
    change_calls(world, draft, attachment)[service](world.personas()[persona])
    if service == "delete_draft":
        assert not Visit.all_objects.filter(pk=draft.pk).exists()
    elif service == "delete_attachment":
        assert not Attachment.objects.filter(pk=attachment.pk).exists()


def test_a_submitted_visit_resubmitted_by_someone_else_is_refused(world):
    key = uuid.uuid4()
    services.submit_visit(world.inspector_user, key, school=world.school, visited_at=timezone.now())
    assert_refused(lambda actor: services.submit_visit(actor, key), world.other_admin)
