"""Helpers to write, publish and read bulletins as the office and the recipients do (through
the services), and the accounts a recipient needs: the world's school has `school_user`; the
zone's other school gets one here when a test asks."""

import pytest

from dudao.accounts.models import Role
from dudao.bulletins import services
from dudao.bulletins.models import Audience, Kind
from tests.factories import UserFactory

BODY = (
    "为贯彻落实“双减”工作要求，县教育督导室于11月组织开展了专项督导，现将有关情况通报如下。\n"
    "一、总体情况\n"
    "各学校高度重视，作业管理、课后服务、校外培训治理等工作有序推进，绝大多数学校作业总量和时长符合规定要求。\n"
    "二、存在问题\n"
    "个别学校作业公示制度落实不到位，课后服务内容较为单一，部分教师对作业设计研究不够深入。\n"
    "三、工作要求\n"
    "各学校要对照问题立即整改，并于12月15日前将整改情况书面报送县教育督导室。\n"
)


def write(world, *, kind=Kind.BULLETIN, title="关于“双减”工作专项督导情况的通报", **fields):
    fields.setdefault("topic", "results" if kind != Kind.NOTICE else "campaign")
    fields.setdefault("body", BODY)
    return services.create_bulletin(world.admin, world.office, kind=kind, title=title, **fields)


def publish(world, bulletin=None, **fields):
    bulletin = bulletin or write(world, **fields)
    return services.publish_bulletin(world.admin, bulletin, expected_version=bulletin.version)


def school_account(school, username):
    return UserFactory(username=username, role=Role.SCHOOL, office=school.office, school=school)


def inspector_account(inspector, username, role=Role.INSPECTOR):
    return UserFactory(username=username, role=role, office=inspector.office, inspector=inspector)


@pytest.fixture
def zone_school_user(world):
    return school_account(world.zone_school, "zone_school")


@pytest.fixture
def to_schools(world):
    """A published 通报 to every school of county A."""
    return publish(world)


@pytest.fixture
def to_zone(world):
    return publish(
        world, audience=Audience.ZONE, zone=world.zone, title="第一责任区工作通知", kind=Kind.NOTICE
    )
