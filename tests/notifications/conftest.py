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
def new_finding(world):
    """Record a finding at the world's school through the services, from a visit the
    world's inspector submits today (a new visit each time)."""

    def make(**kwargs):
        visit = visit_services.submit_visit(
            world.inspector_user,
            uuid.uuid4(),
            school=world.school,
            visited_at=timezone.now(),
            methods=["campus_walk"],
        )
        defaults = {
            "school": world.school,
            "visit": visit,
            "area": 6,
            "description": "消防通道堆放杂物",
            "deadline_kind": "by_date",
            "deadline": timezone.localdate() + datetime.timedelta(days=7),
        }
        defaults.update(kwargs)
        return services.create_finding(world.inspector_user, **defaults)

    return make
