import datetime
import decimal

import pytest

from dudao.training import services


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def make_session(world, day, hours="6", topic="督学业务培训", office=None, admin=None):
    return services.create_session(
        admin or world.admin,
        office or world.office,
        topic=topic,
        date=day,
        hours=decimal.Decimal(hours),
        trainer="主任督学",
        place="县教育局会议室",
    )


@pytest.fixture
def session(world, today):
    return make_session(world, today - datetime.timedelta(days=3))
