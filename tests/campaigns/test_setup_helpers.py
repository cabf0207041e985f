"""Shared builders for the campaign set-up and workflow tests (no tests here): a published
checklist written directly (checklists have their own services elsewhere) and campaigns made
through `dudao.campaigns.services`."""

import datetime
import itertools

from django.utils import timezone

from dudao.campaigns import services
from dudao.checklists.models import ChecklistItem, ChecklistSection, ChecklistTemplate

_keys = itertools.count(1)


def published_checklist(office=None, key=None, status="published", purpose="campaign"):
    key = key or f"shuangjian-{next(_keys)}"
    template = ChecklistTemplate.all_objects.create(
        office=office,
        key=key,
        title="“双减”专项督导检查表",
        status=status,
        purpose=purpose,
        published_at=timezone.now() if status == "published" else None,
    )
    section = ChecklistSection.objects.create(template=template, position=1, title="作业管理")
    for position, code in enumerate(["1.1", "1.2"], start=1):
        ChecklistItem.objects.create(
            template=template,
            section=section,
            position=position,
            code=code,
            question=f"作业总量是否符合要求 {code}",
            answer_type="yes_no",
            compliant=[True],
        )
    return template


def new_campaign(world, checklist=None, **fields):
    today = timezone.localdate()
    values = {
        "title": "2026年秋季“双减”专项督导",
        "theme": "双减",
        "legal_basis": "临教督〔2026〕5号",
        "starts_on": today,
        "ends_on": today + datetime.timedelta(days=14),
        "checklist": checklist or published_checklist(),
    }
    values.update(fields)
    return services.create_campaign(world.admin, world.office, **values)


def ready_campaign(world, **fields):
    """A draft campaign with two schools (`school`, `zone_school`) on one team whose member
    is `inspector` (responsible for `school`, free of conflict with both)."""
    campaign = new_campaign(world, **fields)
    services.choose_targets(
        world.admin, campaign, "list", schools=[world.school, world.zone_school]
    )
    team = services.create_team(world.admin, campaign)
    services.add_member(world.admin, team, world.inspector, is_leader=True)
    for target in campaign.targets.all():
        services.assign_team(world.admin, target, team)
    campaign.refresh_from_db()
    return campaign, team
