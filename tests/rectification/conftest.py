import datetime
import uuid

import pytest
from django.utils import timezone

from dudao.rectification import services
from dudao.visits import services as visit_services


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def visit(world):
    """A visit the world's inspector submitted to the world's school today."""
    return visit_services.submit_visit(
        world.inspector_user,
        uuid.uuid4(),
        school=world.school,
        visited_at=timezone.now(),
        methods=["campus_walk"],
    )


@pytest.fixture
def new_finding(world, visit):
    """Make a finding from the inspector's visit (on the spot by default)."""

    def make(**kwargs):
        defaults = {
            "school": world.school,
            "visit": visit,
            "area": 6,
            "description": "消防通道堆放杂物",
            "deadline_kind": "on_the_spot",
        }
        defaults.update(kwargs)
        return services.create_finding(world.inspector_user, **defaults)

    return make


@pytest.fixture
def finding(new_finding):
    return new_finding()


def in_a_week() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=7)
