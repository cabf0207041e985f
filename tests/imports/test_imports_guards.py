"""The import pipeline's write services check the acting user (dudao/core/guards.py): only the
office admin of the job's office uploads, confirms and applies; everyone else gets
NotPermitted and nothing changes. The background apply re-checks the actor who confirmed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dudao.core.errors import NotPermitted
from dudao.core.guards import SYSTEM
from dudao.imports import services
from dudao.imports.models import ImportJob
from dudao.schools.models import School
from tests.core.test_guards import NOT_THE_ADMIN, assert_refused, database_state

from .helpers import school_row, schools_file


def _file():
    return SimpleUploadedFile("schools.xlsx", schools_file([school_row("3300099001", "导入小学")]))


@pytest.fixture
def previewed(world):
    job = services.create_job(world.admin, world.office, "schools", _file())
    assert job.status == ImportJob.Status.PREVIEW, job.errors
    return job


@pytest.mark.parametrize("persona", NOT_THE_ADMIN)
def test_only_the_office_admin_uploads(world, persona):
    assert_refused(
        lambda actor: services.create_job(actor, world.office, "schools", _file()),
        world.personas()[persona],
    )


@pytest.mark.parametrize("persona", NOT_THE_ADMIN)
def test_only_the_office_admin_confirms(world, previewed, persona):
    assert_refused(lambda actor: services.confirm_job(actor, previewed), world.personas()[persona])


def test_the_system_does_not_upload(world):
    """A job records who uploaded it: a person."""
    assert_refused(
        lambda actor: services.create_job(actor, world.office, "schools", _file()), SYSTEM
    )


def test_the_office_admin_imports(world, previewed):
    assert services.confirm_job(world.admin, previewed)
    previewed.refresh_from_db()
    assert previewed.status == ImportJob.Status.DONE
    assert School.all_objects.filter(code="3300099001", office=world.office).exists()


def _applying(job):
    ImportJob.all_objects.filter(pk=job.pk).update(status=ImportJob.Status.APPLYING)
    job.refresh_from_db()
    return job


@pytest.mark.parametrize("persona", [*NOT_THE_ADMIN, None])
def test_the_apply_refuses_an_actor_who_may_not_import(world, previewed, persona):
    """The task runs later, with the confirming actor's id: an actor who is not (or no longer)
    the office admin imports nothing; the job says why instead of staying "applying"."""
    job = _applying(previewed)
    actor_id = world.personas()[persona].pk if persona else None
    job = services.apply_job(job.pk, actor_id)
    assert job.status == ImportJob.Status.INVALID
    assert job.file_error
    assert not School.all_objects.filter(code="3300099001").exists()


def test_the_apply_refuses_an_admin_deactivated_since_the_confirm(world, previewed):
    job = _applying(previewed)
    world.admin.is_active = False
    world.admin.save()
    assert services.apply_job(job.pk, world.admin.pk).status == ImportJob.Status.INVALID
    assert not School.all_objects.filter(code="3300099001").exists()


def test_the_apply_by_the_office_admin(world, previewed):
    job = services.apply_job(_applying(previewed).pk, world.admin.pk)
    assert job.status == ImportJob.Status.DONE


def test_the_other_countys_admin_cannot_confirm_into_this_county(world, previewed):
    before = database_state()
    with pytest.raises(NotPermitted):
        services.confirm_job(world.other_admin, previewed)
    assert database_state() == before
    previewed.refresh_from_db()
    assert previewed.status == ImportJob.Status.PREVIEW
