"""Two experts scoring the same target at the same time, each in its own thread and
transaction through the scoring service, lose nothing (issue 13 §7): both experts' score rows
exist with the values each saved last, and the target's progress counts both raters.
PostgreSQL only: SQLite serialises writers."""

import contextlib
import threading

import pytest
from django.db import connection
from django.db.models.signals import pre_save

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


@pytest.mark.django_db(transaction=True)
def test_one_rater_s_overlapping_saves_make_one_row(world):
    """The sheet's autosave and its submit can overlap: two saves by the same expert of an
    indicator not saved before. Each insert waits (up to 3 s) for the other save to reach its
    insert too, so without the target's lock both would find no row and one would fail on the
    unique key; with it the second save waits for the first and updates its row."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the concurrent path needs PostgreSQL")
    round_ = build_round(world, stage=Round.Stage.EXPERT_SCORING)
    target = RoundTarget.objects.unscoped().get(round=round_, school=world.school)
    expert = Rater.objects.filter(round=round_).order_by("pk").first().user
    start, inserts = threading.Barrier(2), threading.Barrier(2)
    errors = []

    def both_at_the_insert(sender, instance, **kwargs):
        if instance._state.adding:
            with contextlib.suppress(threading.BrokenBarrierError):
                inserts.wait(timeout=3)

    def run(n):
        try:
            start.wait(timeout=30)
            value = {"A1.1": {"value": str(10 + n)}}
            round_services.save_scores(expert, target.pk, value, group="expert")
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    pre_save.connect(both_at_the_insert, sender=Score)
    try:
        threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        pre_save.disconnect(both_at_the_insert, sender=Score)
    assert not errors, errors
    assert Score.objects.filter(target=target, rater=expert, code="A1.1").count() == 1
