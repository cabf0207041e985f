"""Evaluation rounds (评估轮次): the office admin of county A sets up and runs its rounds; the
viewer above it and the superuser read them; a school reads and self-assesses its own target
once the round is open; the world's inspector and zone leader rate nothing here, so they see a
target only once its round is published (their schools'). The rounds come from
tests/evaluations/round_fixtures.py: county A, `school` and `zone_school`, two experts."""

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


def _round(w, stage="draft", **fields):
    """One round per world and stage (the fixture names its experts, so it is built once)."""
    from tests.evaluations.round_fixtures import build_round

    made = w.__dict__.setdefault("_evaluation_rounds", {})
    key = (stage, tuple(sorted(fields.items())))
    if key not in made:
        if made:  # build_round's experts are named expert1, expert2: rename the earlier ones
            from dudao.accounts.models import User

            for user in User.objects.filter(username__in=["expert1", "expert2"]):
                user.username = f"{user.username}-{len(made)}"
                user.save(update_fields=["username"])
        made[key] = build_round(w, stage=stage, **fields)
    return made[key]


def _target(w, round_, school=None):
    from dudao.evaluations.models import RoundTarget

    return RoundTarget.all_objects.get(round=round_, school=school or w.school)


def draft(w):
    return [_round(w).pk]


def open_round(w):
    return [_round(w, "self_assessment").pk]


def action(w):
    return [_round(w).pk, "start_review"]  # not from preparation: refused with a message


def rater(w):
    from dudao.evaluations.models import Rater

    return [Rater.objects.filter(round=_round(w)).first().pk]


def draft_target(w):
    return [_target(w, _round(w)).pk]


def open_target(w):
    return [_target(w, _round(w, "self_assessment")).pk]


def other_school_target(w):
    return [_target(w, _round(w, "self_assessment"), w.zone_school).pk]


def own_target(w):
    return [_target(w, _round(w, "self_assessment", own_indicators=True)).pk]


def published_target(w):
    return [_target(w, _round(w, "published")).pk]


def evidence(w):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dudao.evaluations import round_services

    target = _target(w, _round(w, "self_assessment"))
    upload = SimpleUploadedFile("台账.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    return [round_services.add_evidence(w.school_user, target, "A1.1", upload).pk]


def foreign_round(w):
    from dudao.evaluations import round_services
    from tests.evaluations.round_fixtures import build_framework

    return [
        round_services.create_round(
            w.other_admin,
            w.other_office,
            framework=build_framework(),
            title="玄武区评估",
            year=2026,
        ).pk
    ]


# Who sees an open round's target (school's own): the office, the viewer, the superuser and
# the school; the inspector and zone leader rate nothing and it is not published.
SEES_TARGET = {
    "anon": LOGIN,
    "admin": 200,
    "zone_leader": 404,
    "inspector": 404,
    "school": 200,
    "viewer": 200,
    "other_admin": 404,
    "superuser": 200,
}
ADMIN_A = only({"admin": 200, "other_admin": 404})
ADMIN_A_WRITES = only({"admin": writes(302), "other_admin": 404})
NOT_FOUND_ELSE = {role: 404 for role in SEES_TARGET if role != "anon"} | {"anon": LOGIN}

MATRIX = {
    "evaluations:round_list": (None, everyone(200), AS_GET),
    # an empty form is shown again with its errors
    "evaluations:round_create": (None, ADMIN_ONLY, ADMIN_ONLY),
    "evaluations:round_detail": (open_round, SEES_TARGET, AS_GET),
    "evaluations:round_edit": (draft, ADMIN_A, ADMIN_A),
    "evaluations:round_action": (action, POST_ONLY_ADMIN, ADMIN_A_ACTION),
    # without a target ticked: back with a message
    "evaluations:round_targets": (draft, ADMIN_A, ADMIN_A_ACTION),
    "evaluations:round_rater_add": (draft, POST_ONLY_ADMIN, ADMIN_A_ACTION),
    "evaluations:round_rater_remove": (rater, POST_ONLY_ADMIN, ADMIN_A_WRITES),
    "evaluations:round_results": (
        open_round,
        only({"admin": 200, "viewer": 200, "superuser": 200, "other_admin": 404}),
        AS_GET,
    ),
    # nothing to save (or nothing the user scores now): back to the sheet with a message
    "evaluations:round_target": (
        open_target,
        SEES_TARGET,
        SEES_TARGET | {"admin": 302, "school": 302, "viewer": 302, "superuser": 302},
    ),
    # htmx: a status line (nothing saved) for those who see the target
    "evaluations:round_target_save": (open_target, everyone(405), SEES_TARGET),
    "evaluations:round_target_reopen": (open_target, POST_ONLY_ADMIN, ADMIN_A_WRITES),
    "evaluations:round_target_remove": (draft_target, POST_ONLY_ADMIN, ADMIN_A_WRITES),
    # the target itself or its office; an empty form is shown again
    "evaluations:round_own_indicators": (
        own_target,
        SEES_TARGET | {"viewer": 403, "superuser": 403},
        SEES_TARGET | {"viewer": 403, "superuser": 403},
    ),
    # published: the inspector and zone leader read their schools' results too
    "evaluations:round_target_result": (
        published_target,
        everyone(200) | {"other_admin": 404},
        AS_GET,
    ),
    # without a file: back to the sheet with a message
    "evaluations:round_evidence_add": (
        open_target,
        everyone(405),
        SEES_TARGET | {"admin": 302, "school": 302, "viewer": 302, "superuser": 302},
    ),
    "evaluations:round_evidence_file": (evidence, SEES_TARGET, AS_GET),
    # the school and its office delete during self-assessment; the others are refused
    "evaluations:round_evidence_delete": (
        evidence,
        everyone(405),
        SEES_TARGET
        | {"admin": writes(302), "school": writes(302), "viewer": 302, "superuser": 302},
    ),
}

OUT_OF_SCOPE = [
    ("evaluations:round_detail", foreign_round, ["admin", "viewer", "school", "inspector"]),
    ("evaluations:round_edit", foreign_round, ["admin"]),
    ("evaluations:round_results", foreign_round, ["admin", "viewer"]),
    # in preparation: the office's alone
    ("evaluations:round_detail", draft, ["school", "inspector", "zone_leader"]),
    # another school's target
    ("evaluations:round_target", other_school_target, ["school"]),
    ("evaluations:round_target_result", other_school_target, ["school"]),
    # not yet published: the target does not read its result
    ("evaluations:round_target_result", open_target, ["school"]),
]

WRITES = {
    "evaluations:round_edit": draft,
    "evaluations:round_action": lambda w: [_round(w).pk, "open"],
    "evaluations:round_targets": draft,
    "evaluations:round_rater_add": draft,
    "evaluations:round_rater_remove": rater,
    "evaluations:round_target_remove": draft_target,
    "evaluations:round_target_reopen": open_target,
}
