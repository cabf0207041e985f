"""Campaign checks and results (issue 12 §4–§5). The campaign (tests/campaigns/conftest.py)
runs in county A: `school` is checked by team 1 (`inspector`), `zone_school` by team 2; the
zone leader is on no team. Results are the office's and the viewers'; a school reads its
own result once the campaign is published."""

from .common import AS_GET, everyone, only, writes


def _campaign(w, **kwargs):
    from tests.campaigns.conftest import build_campaign

    return build_campaign(w, **kwargs)


def target(w):
    return [_campaign(w).targets["school"].pk]


def target_item(w):
    cw = _campaign(w)
    return [cw.targets["school"].pk, cw.items["2.1"].pk]


def evidence(w):
    from dudao.campaigns import checks
    from tests.campaigns.conftest import png_upload

    cw = _campaign(w)
    file = checks.add_evidence(
        w.inspector_user, cw.targets["school"], cw.items["2.1"], png_upload()
    )
    return [file.pk]


def campaign(w):
    return [_campaign(w).campaign.pk]


def published_target(w):
    from dudao.campaigns.models import Campaign

    return [_campaign(w, status=Campaign.Status.PUBLISHED).targets["school"].pk]


def team2_target(w):
    return [_campaign(w).targets["zone_school"].pk]


def foreign_target(w):
    from tests.campaigns.conftest import build_foreign_campaign

    return [build_foreign_campaign(w).pk]


def foreign_campaign(w):
    from tests.campaigns.conftest import build_foreign_campaign

    return [build_foreign_campaign(w).campaign_id]


def running_target_of_school(w):
    return [_campaign(w).targets["school"].pk]


# The checkers: the office admin and the target's team; the zone leader (on no team), the
# other county and the superuser (who checks nothing) do not find it.
CHECKERS = {
    "admin": 200,
    "inspector": 200,
    "zone_leader": 404,
    "other_admin": 404,
    "superuser": 404,
}
CHECKERS_BACK = {k: (302 if v == 200 else v) for k, v in CHECKERS.items()}
POST_ONLY_CHECKERS = only(
    {"admin": 405, "inspector": 405, "zone_leader": 405, "other_admin": 405, "superuser": 405}
)
RESULTS = only({"admin": 200, "viewer": 200, "superuser": 200, "other_admin": 404})

MATRIX = {
    "campaigns:my_checks": (
        None,
        only({"inspector": 200, "zone_leader": 200, "superuser": 200}),
        AS_GET,
    ),
    # an empty POST saves nothing and comes back to the form
    "campaigns:check": (target, only(CHECKERS), only(CHECKERS_BACK)),
    "campaigns:check_autosave": (target, POST_ONLY_CHECKERS, only(CHECKERS)),
    "campaigns:check_visited": (
        target,
        POST_ONLY_CHECKERS,
        only(
            {
                "admin": writes(302),
                "inspector": writes(302),
                "zone_leader": 404,
                "other_admin": 404,
                "superuser": 404,
            }
        ),
    ),
    # no file / no answer: back to the form with a message
    "campaigns:check_evidence": (target_item, POST_ONLY_CHECKERS, only(CHECKERS_BACK)),
    "campaigns:check_finding": (target_item, POST_ONLY_CHECKERS, only(CHECKERS_BACK)),
    # the team and the office; a school only once the results are published
    "campaigns:check_evidence_file": (
        evidence,
        everyone(200) | {"zone_leader": 404, "school": 404, "other_admin": 404},
        AS_GET,
    ),
    "campaigns:check_evidence_delete": (
        evidence,
        POST_ONLY_CHECKERS,
        only(
            {
                "admin": writes(302),
                "inspector": writes(302),
                "zone_leader": 404,
                "other_admin": 404,
                "superuser": 404,
            }
        ),
    ),
    "campaigns:results": (campaign, RESULTS, AS_GET),
    "campaigns:results_xlsx": (campaign, RESULTS, AS_GET),
    "campaigns:school_results": (None, only({"school": 200, "superuser": 200}), AS_GET),
    "campaigns:school_result": (
        published_target,
        only({"school": 200, "superuser": 200}),
        AS_GET,
    ),
}

OUT_OF_SCOPE = [
    # another team's school: not found for an inspector
    ("campaigns:check", team2_target, ["inspector"]),
    # the other county's campaign
    ("campaigns:check", foreign_target, ["admin", "inspector"]),
    ("campaigns:results", foreign_campaign, ["admin", "viewer"]),
    ("campaigns:results_xlsx", foreign_campaign, ["admin", "viewer"]),
    # a running campaign's result is not the school's yet
    ("campaigns:school_result", running_target_of_school, ["school"]),
]

WRITES: dict = {}
