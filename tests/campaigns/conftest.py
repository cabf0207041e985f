"""Campaign fixtures written straight to the models (the campaign services are another
module's): a published built-in-like checklist of six items, one of each kind, and a
campaign of county A checking `school` and `far_school` (team 1: `inspector`) and
`zone_school` (team 2: `other_inspector`). `build_campaign` is a plain function so the
authorisation matrix (tests/matrix/campaign_checks.py) builds the same."""

import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from dudao.accounts.models import Role
from dudao.campaigns.models import Campaign, CampaignTarget, CampaignTeam, TeamMember
from dudao.checklists.models import (
    AnswerType,
    ChecklistItem,
    ChecklistSection,
    ChecklistTemplate,
)
from tests.factories import UserFactory

KEY = "test-shuangjian"


def build_checklist() -> ChecklistTemplate:
    """A published checklist without an office (as the built-ins), made once per test."""
    existing = ChecklistTemplate.objects.unscoped().filter(office=None, key=KEY).first()
    if existing:
        return existing
    template = ChecklistTemplate.objects.unscoped().create(
        office=None,
        key=KEY,
        title="“双减”专项督导检查表",
        status=ChecklistTemplate.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    homework = ChecklistSection.objects.create(template=template, position=1, title="作业管理")
    safety = ChecklistSection.objects.create(template=template, position=2, title="校园安全")
    rows = [
        (homework, "1.1", "是否建立作业公示制度", AnswerType.YES_NO, {"compliant": [True]}),
        (
            homework,
            "1.2",
            "作业设计质量",
            AnswerType.LEVEL,
            {"choices": ["好", "较好", "一般", "差"], "compliant": ["好", "较好"]},
        ),
        (
            homework,
            "1.3",
            "书面作业平均完成时间",
            AnswerType.NUMBER,
            {"unit": "分钟", "standard_max": Decimal("60")},
        ),
        (
            safety,
            "2.1",
            "门卫值守情况",
            AnswerType.CHOICE,
            {
                "choices": ["有人值守", "无人值守"],
                "compliant": ["有人值守"],
                "evidence_required": True,
                "supervision_item": 6,
            },
        ),
        (safety, "2.2", "其他情况", AnswerType.TEXT, {}),
        (
            safety,
            "2.3",
            "初中是否设心理辅导室",
            AnswerType.YES_NO,
            {"compliant": [True], "school_types": ["junior"]},
        ),
    ]
    for position, (section, code, question, kind, extra) in enumerate(rows, 1):
        extra.setdefault("supervision_item", 4)
        ChecklistItem.objects.create(
            template=template,
            section=section,
            position=position,
            code=code,
            question=question,
            answer_type=kind,
            guidance="查阅资料，询问学生",
            **extra,
        )
    return template


@dataclass
class CampaignWorld:
    campaign: Campaign
    team1: CampaignTeam
    team2: CampaignTeam
    items: dict  # code → ChecklistItem
    targets: dict = field(default_factory=dict)  # "school", "zone_school", "far_school"


def build_campaign(w, *, status=Campaign.Status.RUNNING, unannounced=False, title="双减专项督导"):
    today = timezone.localdate()
    checklist = build_checklist()
    campaign = Campaign.objects.unscoped().create(
        office=w.office,
        title=title,
        theme="双减",
        starts_on=today - datetime.timedelta(days=7),
        ends_on=today + datetime.timedelta(days=7),
        checklist=checklist,
        unannounced=unannounced,
        status=status,
        created_by=w.admin,
    )
    team1 = CampaignTeam.objects.create(campaign=campaign, name="第一组", position=1)
    team2 = CampaignTeam.objects.create(campaign=campaign, name="第二组", position=2)
    TeamMember.objects.create(team=team1, inspector=w.inspector, is_leader=True)
    TeamMember.objects.create(team=team2, inspector=w.other_inspector, is_leader=True)
    result = CampaignWorld(
        campaign=campaign,
        team1=team1,
        team2=team2,
        items={i.code: i for i in ChecklistItem.objects.filter(template=checklist)},
    )
    for position, (name, school, team) in enumerate(
        [
            ("school", w.school, team1),
            ("zone_school", w.zone_school, team2),
            ("far_school", w.far_school, team1),
        ],
        1,
    ):
        result.targets[name] = CampaignTarget.objects.unscoped().create(
            campaign=campaign, office=w.office, school=school, team=team, position=position
        )
    return result


def build_foreign_campaign(w) -> CampaignTarget:
    """County B's running campaign at `foreign_school`, checked by `foreign_inspector`."""
    today = timezone.localdate()
    campaign = Campaign.objects.unscoped().create(
        office=w.other_office,
        title="玄武区专项督导",
        starts_on=today - datetime.timedelta(days=7),
        ends_on=today + datetime.timedelta(days=7),
        checklist=build_checklist(),
        status=Campaign.Status.RUNNING,
    )
    team = CampaignTeam.objects.create(campaign=campaign, name="第一组")
    TeamMember.objects.create(team=team, inspector=w.foreign_inspector)
    return CampaignTarget.objects.unscoped().create(
        campaign=campaign, office=w.other_office, school=w.foreign_school, team=team
    )


def set_status(campaign, status) -> Campaign:
    """Move a fixture's campaign (the campaign workflow is another module's)."""
    Campaign.objects.unscoped().filter(pk=campaign.pk).update(status=status)
    campaign.refresh_from_db()
    return campaign


def png_bytes(color=(0, 90, 160)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(out, "PNG")
    return out.getvalue()


def png_upload(name="门卫.png", color=(0, 90, 160)):
    return SimpleUploadedFile(name, png_bytes(color), content_type="image/png")


@pytest.fixture(autouse=True)
def campaign_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def running_campaign(world) -> CampaignWorld:
    return build_campaign(world)


@pytest.fixture
def other_inspector_user(world):
    """A user for `world.other_inspector` (team 2: `zone_school`)."""
    return UserFactory(
        username="other_inspector",
        role=Role.INSPECTOR,
        office=world.office,
        inspector=world.other_inspector,
    )
