"""The demo county, built once per test module (and per pinned day) instead of once per test.

The build runs inside a transaction that is rolled back when the module is done; each test
runs in a savepoint inside it (pytest-django's `db`), so a test that resets or re-seeds the
demo changes nothing for the next one. All tests of a demo module go to one xdist worker
(`xdist_group`, run with `--dist loadgroup`), so each build happens once per session.
"""

import contextlib

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings


@contextlib.contextmanager
def rolled_back_afterwards():
    """A transaction for data shared by a module's tests, rolled back at the end."""
    atomic = transaction.atomic()
    atomic.__enter__()
    try:
        yield
    finally:
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@contextlib.contextmanager
def shared_build(moment, media_root, django_db_blocker):
    """Run the body (a demo build) at `moment` with files under `media_root`, and keep what
    it wrote in the database until the module is done."""
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media_root),
        rolled_back_afterwards(),
        time_machine.travel(moment, tick=True),
    ):
        yield


@pytest.fixture(scope="module")
def demo_media(tmp_path_factory):
    """Files the module's demo build wrote (inspectors' photos, visit photos)."""
    return tmp_path_factory.mktemp("demo-media")


@pytest.fixture(autouse=True)
def media(settings, demo_media):
    settings.MEDIA_ROOT = demo_media
