"""Campaign set-up screens (issue 12 §2–§3): the list, the form, the campaign's page, its
schools, teams, the draw and the workflow's actions, and the public results page. The
world's campaign (county A, draft) checks `school` and `zone_school` with one team whose
member is `inspector`; the zone leader is on no team. The check and results screens have
their rows in campaign_checks.py."""

from .common import (
    ADMIN_A_ACTION,
    ADMIN_ONLY,
    AS_GET,
    LOGIN,
    POST_ONLY_ADMIN,
    everyone,
    only,
    writes,
)


def _campaign(w):
    from tests.campaigns.test_setup_helpers import ready_campaign

    campaign, team = ready_campaign(w)
    return campaign, team


def campaign(w):
    return [_campaign(w)[0].pk]


def running(w):
    """The world's campaign started: its teams see it (a draft is the office's alone)."""
    from dudao.campaigns import services

    campaign, _team = _campaign(w)
    services.start_campaign(w.admin, campaign)
    return [campaign.pk]


def team(w):
    return [_campaign(w)[1].pk]


def member(w):
    return [_campaign(w)[1].pk, w.inspector.pk]


def target(w):
    from dudao.campaigns.models import CampaignTarget

    return [CampaignTarget.all_objects.filter(campaign=_campaign(w)[0]).first().pk]


def action(w):
    return [_campaign(w)[0].pk, "close"]


def foreign_campaign(w):
    from django.utils import timezone

    from dudao.campaigns import services
    from tests.campaigns.test_setup_helpers import published_checklist

    today = timezone.localdate()
    return [
        services.create_campaign(
            w.other_admin,
            w.other_office,
            title="玄武区专项督导",
            starts_on=today,
            ends_on=today,
            checklist=published_checklist(),
        ).pk
    ]


def unteamed_campaign(w):
    """County A's campaign whose team is `other_inspector` alone."""
    from dudao.campaigns import services
    from tests.campaigns.test_setup_helpers import new_campaign

    campaign = new_campaign(w, title="无关的专项督导")
    services.choose_targets(w.admin, campaign, "list", schools=[w.zone_school])
    team = services.create_team(w.admin, campaign)
    services.add_member(w.admin, team, w.other_inspector)
    return [campaign.pk]


def published(w):
    from dudao.campaigns import services

    campaign, _team = _campaign(w)
    services.start_campaign(w.admin, campaign)
    services.close_campaign(w.admin, campaign)
    services.publish_campaign(w.admin, campaign)
    return [campaign.pk]


READERS = {
    "anon": LOGIN,
    "admin": 200,
    "zone_leader": 200,
    "inspector": 200,
    "school": 403,
    "viewer": 200,
    "other_admin": 200,
    "superuser": 200,
}
# the campaign's page: its office, the viewers above it, the superuser and its team members
DETAIL = READERS | {"zone_leader": 404, "other_admin": 404}
ADMIN_A = only({"admin": 200, "other_admin": 404})
# an allowed POST that needs no data and writes (a team named 第N组, a team deleted, a
# member taken off)
ADMIN_A_WRITES = only({"admin": writes(302), "other_admin": 404})

MATRIX = {
    "campaigns:list": (None, READERS, AS_GET),
    "campaigns:create": (None, ADMIN_ONLY, ADMIN_ONLY),
    "campaigns:detail": (running, DETAIL, AS_GET),
    "campaigns:edit": (campaign, ADMIN_A, ADMIN_A),
    # close a draft: refused by the workflow, back to the page with a message
    "campaigns:action": (action, POST_ONLY_ADMIN, ADMIN_A_ACTION),
    "campaigns:targets": (campaign, POST_ONLY_ADMIN, ADMIN_A_ACTION),
    "campaigns:draw": (campaign, POST_ONLY_ADMIN, ADMIN_A_ACTION),
    "campaigns:team_create": (campaign, POST_ONLY_ADMIN, ADMIN_A_WRITES),
    "campaigns:team_rename": (team, POST_ONLY_ADMIN, ADMIN_A_ACTION),
    "campaigns:team_delete": (team, POST_ONLY_ADMIN, ADMIN_A_WRITES),
    "campaigns:member_add": (team, POST_ONLY_ADMIN, ADMIN_A_ACTION),
    "campaigns:member_remove": (member, POST_ONLY_ADMIN, ADMIN_A_WRITES),
    # without a team named, a school is never taken from its team
    "campaigns:target_team": (target, POST_ONLY_ADMIN, ADMIN_A_ACTION),
    "campaigns_public:detail": (published, everyone(200) | {"anon": 200}, AS_GET),
}

OUT_OF_SCOPE = [
    ("campaigns:detail", foreign_campaign, ["admin", "viewer", "zone_leader", "inspector"]),
    ("campaigns:edit", foreign_campaign, ["admin"]),
    ("campaigns:detail", unteamed_campaign, ["inspector", "zone_leader"]),
    # not published yet: nobody finds the public page
    ("campaigns_public:detail", campaign, ["admin", "inspector", "school", "viewer"]),
]

WRITES = {
    "campaigns:edit": campaign,
    "campaigns:action": action,
    "campaigns:targets": campaign,
    "campaigns:draw": campaign,
    "campaigns:team_create": campaign,
    "campaigns:team_rename": team,
    "campaigns:team_delete": team,
    "campaigns:member_add": team,
    "campaigns:member_remove": member,
    "campaigns:target_team": target,
}
