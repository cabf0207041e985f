import pytest
from django.utils import translation

from dudao.imports import services

from .helpers import upload


@pytest.fixture
def run_import(world):
    """Upload `data` as the office admin (English messages); returns the validated job."""

    def _run(kind, data, name="data.xlsx", user=None):
        with translation.override("en"):
            return services.create_job(user or world.admin, world.office, kind, upload(data, name))

    return _run


@pytest.fixture
def confirm(world):
    def _confirm(job, user=None):
        with translation.override("en"):
            services.confirm_job(user or world.admin, job)
        job.refresh_from_db()
        return job

    return _confirm
