"""Two experts scoring the same target at the same time, each in its own thread and
transaction through the scoring service, lose nothing (issue 13 §7): both experts' score rows
exist with the values each saved last, and the target's progress counts both raters.
PostgreSQL only: SQLite serialises writers."""

import threading

import pytest
from django.db import connection

from dudao.evaluations import round_queries, round_services
from dudao.evaluations.models import Rater, Round, RoundTarget, Score

from .round_fixtures import build_round

CODES = ("A1.1", "A1.2", "A2.1", "A2.2", "V1")
PASSES = 4  # each expert saves the whole sheet this many times, the values changing


def sheet(n: int, pass_: int) -> dict:
    """Expert n's values on pass `pass_` (distinct per expert and pass)."""
    return {
        "A1.1": {"value": str(10 + n * 5 + pass_), "comment": f"专家{n}第{pass_}次"},
        "A1.2": {"value": "ABCD"[(n + pass_) % 4]},
        "A2.1": {"value": "yes" if (n + pass_) % 2 else "no"},
        "A2.2": {"value": str(20 + n * 3 + pass_)},
        "V1": {"value": "yes"},
    }


@pytest.mark.django_db(transaction=True)
def test_two_experts_scoring_one_target_at_once_lose_nothing(world):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the concurrent path needs PostgreSQL")
    round_ = build_round(world, stage=Round.Stage.EXPERT_SCORING)
    target = RoundTarget.objects.unscoped().get(round=round_, school=world.school)
    experts = [r.user for r in Rater.objects.filter(round=round_).order_by("pk")]
    assert len(experts) == 2
    barrier = threading.Barrier(len(experts))
    errors = []

    def run(n, user):
        try:
            for pass_ in range(PASSES):
                barrier.wait(timeout=30)
                round_services.save_scores(user, target.pk, sheet(n, pass_), group="expert")
        except Exception as error:
            errors.append(error)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n, u)) for n, u in enumerate(experts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors

    rows = Score.objects.filter(target=target, group="expert")
    assert rows.count() == len(experts) * len(CODES)
    last = PASSES - 1
    for n, user in enumerate(experts):
        saved = dict(rows.filter(rater=user).values_list("code", "value"))
        assert saved == {code: entry["value"] for code, entry in sheet(n, last).items()}
        comment = rows.get(rater=user, code="A1.1").comment
        assert comment == f"专家{n}第{last}次"

    spec = round_services.spec_of(round_.framework)
    progress = round_queries.target_progress(round_, [target], spec)[target.pk]
    (experts_row,) = progress["groups"]
    assert experts_row["group"] == "expert"
    assert experts_row["raters"] == 2 and experts_row["leaves"] == len(CODES)
    result = round_services.compute_results(round_, [target])[target.pk]
    assert result.raters == {"expert": 2} and result.missing == ()
