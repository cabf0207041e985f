"""An evaluation round's documents (issue 13 §6), from review on: the summary report, the
bulletin and the results workbook are the office's and the viewers' above it; a target's
report (反馈意见书) theirs too, and its own school's once the round is published — an expert,
an inspector or a zone leader who sees the target finds no report (404). The documents' own
words are edited by the round office's admin only. The other county finds nothing, and
nothing exists before review."""

from .common import AS_GET, only


def _round(w, *, stage="published", foreign=False):
    from dudao.evaluations import round_services
    from dudao.evaluations.models import Round
    from tests.evaluations.round_fixtures import build_framework, build_round

    if not foreign:
        return build_round(w, stage=stage)
    round_ = round_services.create_round(
        w.other_admin,
        w.other_office,
        framework=build_framework(w.other_office),
        title="玄武区学校督导评估",
        year=2026,
    )
    round_services.add_targets(w.other_admin, round_, schools=[w.foreign_school])
    for action in ("open", "start_scoring", "start_review", "publish"):
        round_ = round_services.take_action(w.other_admin, round_, action)
    return Round.objects.unscoped().get(pk=round_.pk)


def _target(round_, school):
    from dudao.evaluations.models import RoundTarget

    return RoundTarget.objects.unscoped().get(round=round_, school=school)


def published(w):
    return [_round(w).pk]


def published_target(w):
    round_ = _round(w)
    return [round_.pk, _target(round_, w.school).pk]


def foreign(w):
    return [_round(w, foreign=True).pk]


def foreign_target(w):
    round_ = _round(w, foreign=True)
    return [round_.pk, _target(round_, w.foreign_school).pk]


def scoring(w):
    return [_round(w, stage="expert_scoring").pk]


def scoring_target(w):
    round_ = _round(w, stage="expert_scoring")
    return [round_.pk, _target(round_, w.school).pk]


def review_target(w):
    round_ = _round(w, stage="review")
    return [round_.pk, _target(round_, w.school).pk]


READERS = only({"admin": 200, "viewer": 200, "superuser": 200, "other_admin": 404})
TARGET_READERS = only(
    {
        "admin": 200,
        "viewer": 200,
        "superuser": 200,
        "school": 200,  # its own, published
        "inspector": 404,  # sees the school's target once published, not its report
        "zone_leader": 404,
        "other_admin": 404,
    }
)
# office_admin_required: the superuser has no office to write in; the other county's admin
# does not find the round. An empty POST is a form with errors (200), saving nothing.
WRITER = only({"admin": 200, "other_admin": 404})

MATRIX = {
    "evaluations:round_report": (published, READERS, AS_GET),
    "evaluations:round_bulletin": (published, READERS, AS_GET),
    "evaluations:results_xlsx": (published, READERS, AS_GET),
    "evaluations:target_report": (published_target, TARGET_READERS, AS_GET),
    "evaluations:report_text": (published, WRITER, WRITER),
    "evaluations:target_report_text": (published_target, WRITER, WRITER),
}

OUT_OF_SCOPE = [
    # the other county's published round
    ("evaluations:round_report", foreign, ["admin", "viewer"]),
    ("evaluations:round_bulletin", foreign, ["admin", "viewer"]),
    ("evaluations:results_xlsx", foreign, ["admin", "viewer"]),
    ("evaluations:target_report", foreign_target, ["admin", "viewer", "school"]),
    ("evaluations:report_text", foreign, ["admin"]),
    ("evaluations:target_report_text", foreign_target, ["admin"]),
    # no document before review
    ("evaluations:round_report", scoring, ["admin", "viewer"]),
    ("evaluations:results_xlsx", scoring, ["admin", "viewer"]),
    ("evaluations:target_report", scoring_target, ["admin", "viewer", "school", "inspector"]),
    ("evaluations:report_text", scoring, ["admin"]),
    ("evaluations:target_report_text", scoring_target, ["admin"]),
    # in review: the office's; the school waits for publication
    ("evaluations:target_report", review_target, ["school"]),
]

WRITES = {
    "evaluations:report_text": published,
    "evaluations:target_report_text": published_target,
}
