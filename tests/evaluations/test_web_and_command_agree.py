"""The web and the command give the same result (issue 13 §5): a round scored in the web, its
framework and scores written out as the files an office would hand over, and `dudao evaluation
score` run on them in a bare process (no settings, no database) — the same totals, grades and
vetoes as the stored results."""

import csv
import io
import json
from decimal import Decimal

import pytest

from dudao.evaluations import round_services
from dudao.evaluations.framework_services import spec_of
from dudao.evaluations.models import Round, Score
from tests.factories import UserFactory

from .round_fixtures import build_round
from .test_cli import Bare
from .test_rounds import FULL_SELF, score, target_of

pytestmark = pytest.mark.django_db


def as_csv(rows, columns) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_the_command_scores_a_published_round_as_the_web_did(world, tmp_path):
    round_ = build_round(world, stage=Round.Stage.SELF_ASSESSMENT)
    hubin, xihu = target_of(round_, world.school), target_of(round_, world.zone_school)
    xihu_user = UserFactory(role="school", office=world.office, school=world.zone_school)
    score(world.school_user, hubin, "self", **FULL_SELF)
    score(xihu_user, xihu, "self", A1_1="22", A1_2="B", A2_1="no", A2_2="30", V1="yes")
    round_ = round_services.take_action(world.admin, round_, "start_scoring")
    one, two = [r.user for r in round_.raters.order_by("pk")]
    score(one, hubin, "expert", A1_1="20", A1_2="B", A2_1="yes", A2_2="30", V1="yes")
    score(two, hubin, "expert", A1_1="24", A1_2="C", A2_1="no", A2_2="34", V1="yes")
    score(one, xihu, "expert", A1_1="18", A1_2="C", A2_1="no", A2_2="25", V1="no")
    score(two, xihu, "expert", A1_1="15", A1_2="D", A2_1="no", A2_2="20", V1="no")
    for action in ("start_review", "publish"):
        round_ = round_services.take_action(world.admin, round_, action)

    bare = Bare(tmp_path)
    framework_rows = spec_of(round_.framework).to_rows()
    bare.write("framework.csv", as_csv(framework_rows, list(framework_rows[0])))
    scores = [
        {
            "target": s.target_id,
            "rater": s.rater.username,
            "group": s.group,
            "code": s.code,
            "value": s.value,
        }
        for s in Score.objects.filter(target__round=round_).select_related("rater")
    ]
    bare.write("scores.csv", as_csv(scores, ["target", "rater", "group", "code", "value"]))
    done = bare.run(
        "score",
        "--framework",
        "framework.csv",
        "--scores",
        "scores.csv",
        "--weights",
        "expert=0.6,self=0.4",
        "--format",
        "json",
    )
    assert done.returncode == 0, done.stderr
    by_target = {str(t["target"]): t for t in json.loads(done.stdout)["targets"]}
    for target in (target_of(round_, world.school), target_of(round_, world.zone_school)):
        result = by_target[str(target.pk)]
        assert Decimal(str(result["total"])) == target.total
        assert Decimal(str(result["max"])) == target.max_total
        assert (result["grade"], result["vetoed"]) == (target.grade, target.vetoed)
        assert {k: Decimal(str(v)) for k, v in result["indicators"].items()} == {
            k: Decimal(v) for k, v in target.scores.items()
        }
