"""Reads for the evaluation round pages (评估轮次): what each user must do next on the list,
the progress of each target (self-assessment submitted, leaves scored per rater group) and of
each rater, the ranking, a target's areas and its earlier rounds on the same framework.

Callers pass what they already hold in scope (`dudao.accounts.scoping`); every function here
reads a fixed number of queries whatever the number of rounds, targets or raters. The rules of
who scores and reads what are `access`; the arithmetic is the engine's (docs/evaluation.md)."""

from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db.models import Count, Q

from dudao.accounts import scoping
from dudao.accounts.models import Role
from dudao.inspectors.queries import barred_pairs

from . import round_services
from .engine.framework import FrameworkSpec
from .engine.scoring import TargetResult
from .models import OwnIndicator, Rater, RaterGroup, Round, RoundTarget, Score

Stage = Round.Stage
HUNDRED = Decimal(100)


def percent(part, whole) -> Decimal | None:
    """`part` as a percentage of `whole`, one decimal (None without a whole)."""
    if part is None or not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(Decimal("0.1"))


# ---- the list: what each user must do next ----------------------------------------------------


def office_counts(rounds: Sequence[Round]) -> dict[int, dict]:
    """{round id: {"targets": n, "submitted": self-assessments handed in, "passed": n}} for
    the office and the viewers (one query)."""
    rows = (
        RoundTarget.objects.unscoped()
        .filter(round__in=[r.pk for r in rounds])
        .values("round_id")
        .annotate(
            targets=Count("pk"),
            submitted=Count("pk", filter=Q(self_submitted_at__isnull=False)),
            passed=Count("pk", filter=Q(passed=True)),
        )
        .order_by()
    )
    return {row["round_id"]: row for row in rows}


def next_steps(user, rounds: Sequence[Round]) -> dict[int, dict]:
    """{round id: {"kind", "targets": [...], "due", "scored", "rated"}} for a user who takes
    part in rounds (a school, a rater, an inspector reading published results): the targets
    they see in each round and what is theirs to do now. Three queries for any number of
    rounds."""
    ids = [r.pk for r in rounds]
    mine: dict[int, list[RoundTarget]] = {}
    for target in (
        scoping.round_targets_for(user)
        .filter(round_id__in=ids)
        .select_related("school", "unit")
        .order_by("round_id", "position", "pk")
    ):
        mine.setdefault(target.round_id, []).append(target)
    rater_rounds = set(
        Rater.objects.filter(round_id__in=ids, user_id=user.pk).values_list("round_id", flat=True)
    )
    scored: dict[int, int] = {
        row["target__round_id"]: row["targets"]
        for row in Score.objects.filter(target__round_id__in=ids, rater_id=user.pk)
        .exclude(group=RaterGroup.SELF)
        .values("target__round_id")
        .annotate(targets=Count("target", distinct=True))
        .order_by()
    }
    steps = {}
    for round_ in rounds:
        targets = mine.get(round_.pk, [])
        own = [
            t
            for t in targets
            if user.role == Role.SCHOOL and t.school_id and t.school_id == user.school_id
        ]
        step = {"targets": targets, "own": own, "due": None, "scored": 0, "rated": 0}
        if round_.stage == Stage.PUBLISHED:
            step["kind"] = "published"
        elif own and round_.stage == Stage.SELF_ASSESSMENT:
            done = all(t.self_submitted_at for t in own)
            step["kind"] = "self_done" if done else "self_assess"
            step["due"] = round_.self_due
        elif round_.pk in rater_rounds and round_.stage == Stage.EXPERT_SCORING:
            step["kind"] = "score"
            step["due"] = round_.expert_due
            step["scored"] = scored.get(round_.pk, 0)
            step["rated"] = len(targets)
        elif round_.pk in rater_rounds and round_.stage == Stage.SELF_ASSESSMENT:
            step["kind"] = "wait_self"
            step["due"] = round_.expert_due
        else:
            step["kind"] = "wait"
        steps[round_.pk] = step
    return steps


def stage_due(round_: Round):
    """The deadline of the stage the round is at (None in preparation and once published)."""
    return {
        Stage.SELF_ASSESSMENT: round_.self_due,
        Stage.EXPERT_SCORING: round_.expert_due,
        Stage.REVIEW: round_.review_due,
    }.get(round_.stage)


# ---- a round's targets and raters ------------------------------------------------------------


def own_leaf_counts(round_: Round, targets: Iterable[RoundTarget]) -> dict[int, int]:
    """{target id: own indicators (合格+订单)} (one query, none when the round takes none)."""
    if not round_.own_indicators:
        return {}
    return dict(
        OwnIndicator.objects.filter(target__in=[t.pk for t in targets])
        .values("target_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("target_id", "n")
    )


def target_progress(
    round_: Round, targets: Sequence[RoundTarget], spec: FrameworkSpec
) -> dict[int, dict]:
    """{target id: {"leaves": leaves to score, "self": leaves self-assessed, "groups":
    [{"group", "label", "leaves", "raters"}] for the other groups}}: two queries."""
    base = len(spec.leaves)
    own = own_leaf_counts(round_, targets)
    labels = dict(RaterGroup.choices)
    found: dict[int, dict[str, dict]] = {}
    for row in (
        Score.objects.filter(target__in=[t.pk for t in targets])
        .values("target_id", "group")
        .annotate(leaves=Count("code", distinct=True), raters=Count("rater", distinct=True))
        .order_by()
    ):
        found.setdefault(row["target_id"], {})[row["group"]] = row
    progress = {}
    for target in targets:
        groups = found.get(target.pk, {})
        leaves = base + own.get(target.pk, 0)
        self_row = groups.get(RaterGroup.SELF)
        progress[target.pk] = {
            "leaves": leaves,
            "self": self_row["leaves"] if self_row else 0,
            "self_percent": percent(self_row["leaves"] if self_row else 0, leaves),
            "groups": [
                {
                    "group": group,
                    "label": labels.get(group, group),
                    "leaves": groups[group]["leaves"],
                    "raters": groups[group]["raters"],
                }
                for group in RaterGroup.values
                if group != RaterGroup.SELF and group in groups
            ],
        }
    return progress


def my_scores(user, targets: Sequence[RoundTarget]) -> dict[int, int]:
    """{target id: leaves the user has scored as a rater (not self-assessment)} (one query)."""
    return dict(
        Score.objects.filter(target__in=[t.pk for t in targets], rater_id=user.pk)
        .exclude(group=RaterGroup.SELF)
        .values("target_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("target_id", "n")
    )


def _codes_leaves(spec: FrameworkSpec, codes) -> int:
    """Leaves under the codes a rater row names (every leaf without codes)."""
    if not codes:
        return len(spec.leaves)
    wanted = set()
    for code in codes:
        if code in spec:
            wanted.update(i.code for i in spec.walk(code) if i.is_leaf)
            if spec.get(code).is_leaf:
                wanted.add(code)
    return len(wanted)


def rater_progress(
    round_: Round, raters: Sequence[Rater], targets: Sequence[RoundTarget], spec: FrameworkSpec
) -> dict[int, dict]:
    """{rater row id: {"given": scores given, "expected": scores to give}}: the leaves its
    indicators cover on each target it rates, without the targets it must recuse from (回避)
    or its own school. Own indicators (合格+订单) count for a row on every indicator. Four
    queries at most (the scores, and the recusal check)."""
    own = own_leaf_counts(round_, targets) if any(not r.indicator_codes for r in raters) else {}
    pairs = {
        (rater.user.inspector_id, target.school_id)
        for rater in raters
        if rater.user.inspector_id
        for target in targets
        if target.school_id and rater.target_id in (None, target.pk)
    }
    barred = barred_pairs(pairs)
    given: dict[tuple[int, str, int], int] = {}
    for row in (
        Score.objects.filter(target__round=round_)
        .exclude(group=RaterGroup.SELF)
        .values("rater_id", "group", "target_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        given[(row["rater_id"], row["group"], row["target_id"])] = row["n"]
    leaves = {rater.pk: _codes_leaves(spec, rater.indicator_codes) for rater in raters}
    progress = {}
    for rater in raters:
        expected = done = 0
        for target in targets:
            if rater.target_id not in (None, target.pk):
                continue
            if target.school_id and (
                rater.user.school_id == target.school_id
                or (rater.user.inspector_id, target.school_id) in barred
            ):
                continue
            expected += leaves[rater.pk] + (0 if rater.indicator_codes else own.get(target.pk, 0))
            done += given.get((rater.user_id, rater.group, target.pk), 0)
        progress[rater.pk] = {"given": done, "expected": expected}
    return progress


# ---- results ---------------------------------------------------------------------------------


def ranking(
    round_: Round, targets: Sequence[RoundTarget], results: dict[int, TargetResult]
) -> list[dict]:
    """The targets ranked: stored results once the round is published, the engine's live
    results before (provisional). Vetoed targets rank after the others, then by total, then
    in the round's order. Ties share a rank."""
    published = round_.stage == Stage.PUBLISHED
    rows = []
    for target in targets:
        result = results.get(target.pk)
        if published and target.total is not None:
            total, maximum = target.total, target.max_total
            grade, vetoed, passed = target.grade, target.vetoed, bool(target.passed)
        elif result is not None:
            total, maximum = result.total, result.max
            grade, vetoed = result.grade, result.vetoed
            passed = round_services.passes(round_, result)
        else:
            continue
        rows.append(
            {
                "target": target,
                "total": total,
                "max": maximum,
                "percent": percent(total, maximum),
                "grade": grade,
                "vetoed": vetoed,
                "passed": passed,
                "disagreements": len(result.disagreements) if result else 0,
                "missing": len(result.missing) if result else 0,
            }
        )
    rows.sort(key=lambda r: (r["vetoed"], -r["total"], r["target"].position, r["target"].pk))
    rank, last = 0, None
    for index, row in enumerate(rows, start=1):
        key = (row["vetoed"], row["total"])
        if key != last:
            rank, last = index, key
        row["rank"] = rank
    return rows


def areas(spec: FrameworkSpec, scores: dict[str, Decimal]) -> list[dict]:
    """The top-level indicators (areas, 一级指标) with their scores, for the radar: veto items
    (maximum 0) left out."""
    return [
        {
            "code": root.code,
            "title": root.title,
            "score": scores.get(root.code, Decimal(0)),
            "max": root.max_score,
            "percent": percent(scores.get(root.code, Decimal(0)), root.max_score),
        }
        for root in spec.roots
        if root.max_score
    ]


def previous_areas(previous: RoundTarget, codes: Sequence[str]) -> list[Decimal | None] | None:
    """The area percentages of `previous` (a published target of an earlier round, from
    `earlier_results`) in the order of `codes` (this round's areas), for the radar's
    comparison: None for an area its framework revision did not have; None altogether when
    it has no stored result. Two queries (its framework's indicators, its own indicators)."""
    if previous.total is None:
        return None
    scores = {code: Decimal(str(value)) for code, value in (previous.scores or {}).items()}
    by_code = {
        a["code"]: a["percent"] for a in areas(round_services.spec_for_target(previous), scores)
    }
    return [by_code.get(code) for code in codes]


def earlier_results(user, target: RoundTarget, limit: int = 5) -> list[RoundTarget]:
    """The same school or unit in earlier published rounds on the same framework (its key, of
    the same office or built in), newest first, as far as the user may see them (one query)."""
    framework = target.round.framework
    qs = (
        scoping.round_targets_for(user)
        .filter(
            round__stage=Stage.PUBLISHED,
            round__framework__key=framework.key,
            round__framework__office_id=framework.office_id,
        )
        .exclude(round_id=target.round_id)
        .select_related("round__framework")
        .order_by("-round__year", "-round__published_at", "-pk")
    )
    if target.school_id:
        qs = qs.filter(school_id=target.school_id)
    else:
        qs = qs.filter(unit_id=target.unit_id)
    return list(qs[:limit])
