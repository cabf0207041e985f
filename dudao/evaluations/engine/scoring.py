"""Scoring (评分汇总): the raters' scores of each target combined into indicator scores, a
total, the veto (一票否决) and a grade — the one implementation shared by the web app and
`dudao evaluation score` (docs/evaluation.md, "The method").

    entries = read_scores_file("scores.csv", framework)   # or parse_scores_rows(rows, framework)
    results = score_targets(framework, entries, weights=parse_weights("expert=0.6,self=0.4"),
                            grades=parse_grades("优秀=90,良好=80,合格=60"))
    results[0].total, results[0].grade, results[0].indicators["A1"]

The rules, per target:

1. A rater's value gives points: a number from 0 to the maximum (`points`); a level's share of
   the maximum (`levels`); the maximum for yes and 0 for no (`yesno`); the formula on the
   numbers entered, kept within 0 and the maximum (`formula`); nothing for a veto item.
2. Per leaf and rater group, the mean of the group's raters, without the single highest and
   the single lowest score when the group has five raters or more.
3. The groups' means combined by their weights, renormalised over the groups that scored the
   leaf (equal weights when none are given); rounded half up to two decimals. A leaf that no
   group scored (or only groups of weight 0) counts 0 and is listed as missing.
4. A parent's score is the sum of its children's, the total the sum of the top level's.
5. Vetoed when, for any veto item, more than half of the raters who answered it said no.
6. The grade is the highest whose threshold (a percentage of the framework's maximum) the
   total reaches; 不合格 below the lowest threshold or when vetoed.

Arithmetic is exact (fractions) up to each leaf's score, which is rounded once; parents and
totals are sums of those rounded scores, so every published number adds up.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from dudao.evaluations.engine.formula import (
    EngineError,
    FormulaError,
    compile_formula,
    gettext_noop,
    round_half_up,
    to_fraction,
)
from dudao.evaluations.engine.framework import (
    REQUIRED,
    FrameworkSpec,
    IndicatorSpec,
    InputInvalid,
    RowError,
    cell,
    file_error,
    numbered_rows,
    parse_decimal,
    plain,
    read_sheet,
)

SCORE_COLUMNS = ("target", "rater", "group", "code", "value")
OPTIONAL_SCORE_COLUMNS = ("comment",)
FAIL_GRADE = "不合格"
DEFAULT_GRADES: tuple[tuple[str, Decimal], ...] = (
    ("优秀", Decimal(90)),
    ("良好", Decimal(80)),
    ("合格", Decimal(60)),
)
DROP_EXTREMES_FROM = 5  # raters in a group from which the highest and lowest are dropped
DISAGREEMENT = Decimal("0.3")  # a spread above this share of the maximum is flagged
YES = ("yes", "y", "是", "true")
NO = ("no", "n", "否", "false")
LIST_SEPARATOR = re.compile(r"[,，;；]")
PAIR_SEPARATOR = re.compile(r"[=＝:：]")


class ScoresInvalid(InputInvalid):
    """The scores are refused; `errors` lists every problem (RowError)."""

    code_name = "scores"
    summary = gettext_noop("The scores have %(count)s error(s).")


def to_decimal(value: Fraction) -> Decimal:
    """An exact value rounded half up to two decimals, as a Decimal with two decimals."""
    rounded = round_half_up(Fraction(value), 2)
    return Decimal(rounded.numerator * (100 // rounded.denominator)).scaleb(-2)


# ---- options -------------------------------------------------------------------------------


def _pairs(text: str, code: str, example: str) -> list[tuple[str, str]]:
    pairs = []
    for part in LIST_SEPARATOR.split(cell(text)):
        part = part.strip()
        if not part:
            continue
        pieces = PAIR_SEPARATOR.split(part)
        if len(pieces) != 2 or not pieces[0].strip():
            raise EngineError(
                code,
                gettext_noop("Write name=number, separated by commas, such as %(example)s."),
                example=example,
            )
        pairs.append((pieces[0].strip(), pieces[1].strip()))
    if not pairs:
        raise EngineError(
            code,
            gettext_noop("Write name=number, separated by commas, such as %(example)s."),
            example=example,
        )
    return pairs


def parse_weights(text: str) -> dict[str, Decimal]:
    """ "expert=0.6,self=0.2,peer=0.2" → {"expert": 0.6, …}: each rater group's weight, 0 or
    more, at least one above 0; they need not add up to 1 (they are renormalised)."""
    weights: dict[str, Decimal] = {}
    for name, value in _pairs(text, "weights", "expert=0.6,self=0.2,peer=0.2"):
        try:
            weight = parse_decimal(value)
        except ValueError:
            weight = Decimal(-1)
        if weight < 0:
            raise EngineError(
                "weights",
                gettext_noop(
                    "The weight of %(group)s must be a number of 0 or more, not “%(value)s”."
                ),
                group=name,
                value=value,
            )
        if name in weights:
            raise EngineError(
                "weights", gettext_noop("The group %(group)s is given twice."), group=name
            )
        weights[name] = weight
    if not any(weights.values()):
        raise EngineError("weights", gettext_noop("At least one weight must be above 0."))
    return weights


def parse_grades(text: str) -> tuple[tuple[str, Decimal], ...]:
    """ "优秀=90,良好=80,合格=60" → (("优秀", 90), ("良好", 80), ("合格", 60)): each grade's
    threshold, a percentage (0 to 100) of the framework's maximum; highest first."""
    grades: list[tuple[str, Decimal]] = []
    for name, value in _pairs(text, "grades", "优秀=90,良好=80,合格=60"):
        try:
            threshold = parse_decimal(value)
        except ValueError:
            threshold = Decimal(-1)
        if not 0 <= threshold <= 100:
            raise EngineError(
                "grades",
                gettext_noop(
                    "The threshold of %(grade)s must be a percentage from 0 to 100, not "
                    "“%(value)s”."
                ),
                grade=name,
                value=value,
            )
        if any(name == other for other, _t in grades):
            raise EngineError(
                "grades", gettext_noop("The grade %(grade)s is given twice."), grade=name
            )
        for other, other_threshold in grades:
            if other_threshold == threshold:
                raise EngineError(
                    "grades",
                    gettext_noop("%(grade)s and %(other)s have the same threshold %(value)s."),
                    grade=name,
                    other=other,
                    value=plain(threshold),
                )
        grades.append((name, threshold))
    return tuple(sorted(grades, key=lambda g: g[1], reverse=True))


def parse_disagreement(text) -> Decimal:
    """The share of a leaf's maximum (0 to 1) above which a spread is flagged: "0.3"."""
    try:
        share = parse_decimal(text)
    except ValueError:
        share = None
    if share is None or not 0 <= share <= 1:
        raise EngineError(
            "disagreement",
            gettext_noop(
                "The disagreement threshold must be a share of the maximum from 0 to 1, not "
                "“%(value)s”."
            ),
            value=cell(text),
        )
    return share


def check_grades(grades) -> tuple[tuple[str, Decimal], ...]:
    """Grades as `score_targets` takes them (None: DEFAULT_GRADES; a text: `parse_grades`;
    (name, percentage) pairs), checked like `parse_grades` and sorted highest first."""
    if grades is None:
        return DEFAULT_GRADES
    if isinstance(grades, str):
        return parse_grades(grades)
    return parse_grades(",".join(f"{name}={plain(Decimal(t))}" for name, t in grades))


# ---- a rater's value -----------------------------------------------------------------------


def yes_no(value: str) -> bool | None:
    """True for yes (yes, y, 是, true), False for no (no, n, 否, false), None otherwise."""
    text = cell(value).casefold()
    if text in YES:
        return True
    if text in NO:
        return False
    return None


def formula_numbers(value: str) -> dict[str, Fraction]:
    """ "teachers=20;pupils=380" → {"teachers": 20, "pupils": 380}; EngineError otherwise."""
    numbers: dict[str, Fraction] = {}
    for name, text in _pairs(value, "value", "teachers=20;pupils=380"):
        try:
            numbers[name] = to_fraction(text)
        except ValueError:
            raise EngineError(
                "value",
                gettext_noop("%(name)s must be a number, not “%(value)s”."),
                name=name,
                value=text,
            ) from None
    return numbers


def points(indicator: IndicatorSpec, value: str) -> Fraction:
    """The points a rater's value gives on a leaf (exact); 0 for a veto item. EngineError
    (code "value") when the value does not suit the indicator's method."""
    text = cell(value)
    method = indicator.method
    maximum = Fraction(indicator.max_score)
    if not text:
        raise EngineError("required", REQUIRED)
    if method == "points":
        try:
            number = to_fraction(text)
        except ValueError:
            number = None
        if number is None or not 0 <= number <= maximum:
            raise EngineError(
                "value",
                gettext_noop("The score must be a number from 0 to %(max)s, not “%(value)s”."),
                max=plain(indicator.max_score),
                value=text,
            )
        return number
    if method == "levels":
        share = indicator.level_share(text)
        if share is None:
            raise EngineError(
                "value",
                gettext_noop("The level must be one of %(levels)s, not “%(value)s”."),
                levels=", ".join(name for name, _share in indicator.levels),
                value=text,
            )
        return Fraction(share) * maximum
    if method in ("yesno", "veto"):
        answer = yes_no(text)
        if answer is None:
            raise EngineError(
                "value", gettext_noop("Answer yes or no, not “%(value)s”."), value=text
            )
        return maximum if answer and method == "yesno" else Fraction(0)
    if method == "formula":
        formula = compile_formula(indicator.formula)
        numbers = formula_numbers(text)
        unknown = [name for name in numbers if name not in formula.names]
        if unknown:
            raise EngineError(
                "value",
                gettext_noop("The formula reads %(names)s, not %(unknown)s."),
                names=", ".join(formula.names),
                unknown=", ".join(unknown),
            )
        try:
            result = formula.evaluate(numbers)
        except FormulaError as exc:
            raise EngineError("value", exc.template, **exc.params) from None
        return min(max(result, Fraction(0)), maximum)
    raise EngineError("value", gettext_noop("This indicator is not scored by raters."))


# ---- the scores ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreEntry:
    """One rater's value for one leaf of one target. `row`: where it was read (messages)."""

    target: str
    rater: str
    group: str
    code: str
    value: str
    row: int | None = field(default=None, compare=False)
    comment: str = field(default="", compare=False)


@dataclass(frozen=True)
class _Scored:
    entry: ScoreEntry
    points: Fraction
    no: bool  # a veto item answered no


class _Frameworks:
    """The framework of each target: the base, or the base with the target's own indicators."""

    def __init__(self, base: FrameworkSpec, extra: Mapping[str, FrameworkSpec] | None):
        self.base = base
        self.extra = extra or {}
        self.merged: dict[str, FrameworkSpec] = {}

    def __call__(self, target: str) -> FrameworkSpec:
        if target not in self.extra:
            return self.base
        if target not in self.merged:
            self.merged[target] = self.base.merged(self.extra[target])
        return self.merged[target]


def _check_entries(entries: Iterable[ScoreEntry], frameworks: _Frameworks):
    """Every entry checked: ([_Scored], [RowError])."""
    scored: list[_Scored] = []
    errors: list[RowError] = []
    seen: dict[tuple[str, str, str], int | None] = {}
    groups: dict[tuple[str, str], tuple[str, int | None]] = {}
    for entry in entries:
        row = entry.row

        def error(column, code, template, /, _row=row, _entry=entry, **params):
            errors.append(RowError(_row, column, code, template, indicator=_entry.code, **params))

        complete = True
        for column in ("target", "rater", "group", "code"):
            if not getattr(entry, column):
                error(column, "required", REQUIRED)
                complete = False
        if not complete:
            continue
        framework = frameworks(entry.target)
        if entry.code not in framework:
            error(
                "code",
                "unknown_code",
                gettext_noop("Unknown indicator code %(code)s: it is not in the framework."),
                code=entry.code,
            )
            continue
        indicator = framework.get(entry.code)
        if not indicator.is_leaf:
            error(
                "code",
                "not_leaf",
                gettext_noop("%(code)s has sub-indicators: score them, its score is their sum."),
                code=entry.code,
            )
            continue
        key = (entry.target, entry.rater, entry.code)
        if key in seen:
            first = seen[key]
            error(
                "code",
                "duplicate_score",
                gettext_noop("%(rater)s already scored %(code)s of %(target)s on row %(row)s.")
                if first is not None
                else gettext_noop("%(rater)s scored %(code)s of %(target)s twice."),
                rater=entry.rater,
                code=entry.code,
                target=entry.target,
                row=first,
            )
            continue
        seen[key] = row
        group, group_row = groups.setdefault((entry.target, entry.rater), (entry.group, row))
        if group != entry.group:
            error(
                "group",
                "rater_group",
                gettext_noop(
                    "%(rater)s rates %(target)s in the group %(group)s (row %(row)s): a rater "
                    "is in one group per target."
                ),
                rater=entry.rater,
                target=entry.target,
                group=group,
                row=group_row if group_row is not None else "?",
            )
            continue
        try:
            value = points(indicator, entry.value)
        except EngineError as exc:
            error("value", exc.code, exc.template, **exc.params)
            continue
        no = indicator.method == "veto" and yes_no(entry.value) is False
        scored.append(_Scored(entry, value, no))
    errors.sort(key=lambda e: e.row if e.row is not None else 0)
    return scored, errors


def parse_scores_rows(
    rows: Iterable[Mapping[str, object]],
    framework: FrameworkSpec,
    *,
    first_row_number: int = 2,
    extra: Mapping[str, FrameworkSpec] | None = None,
) -> list[ScoreEntry]:
    """The entries of a scores file's rows (records keyed by SCORE_COLUMNS, or (row number,
    record) pairs), every problem raised at once in ScoresInvalid: a missing cell, an unknown
    code, a code with sub-indicators, a value that does not suit the method, a rater scoring
    the same code of a target twice, a rater in two groups for one target."""
    entries = [
        ScoreEntry(
            target=cell(record.get("target")),
            rater=cell(record.get("rater")),
            group=cell(record.get("group")),
            code=cell(record.get("code")),
            value=cell(record.get("value")),
            row=number,
            comment=cell(record.get("comment")),
        )
        for number, record in numbered_rows(rows, first_row_number)
    ]
    _scored, errors = _check_entries(entries, _Frameworks(framework, extra))
    if errors:
        raise ScoresInvalid(errors)
    return entries


def read_scores_file(
    source,
    framework: FrameworkSpec,
    *,
    filename: str | None = None,
    extra: Mapping[str, FrameworkSpec] | None = None,
) -> list[ScoreEntry]:
    """The entries of a CSV or XLSX scores file (SCORE_COLUMNS, optionally `comment`);
    ScoresInvalid with every problem (a file that cannot be read: one error, row None)."""
    from dudao.core.spreadsheets import SheetError

    try:
        rows = read_sheet(source, SCORE_COLUMNS, OPTIONAL_SCORE_COLUMNS, filename=filename)
    except SheetError as exc:
        raise ScoresInvalid([file_error(exc)]) from None
    return parse_scores_rows(rows, framework, extra=extra)


# ---- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Disagreement:
    """A leaf whose raters disagree: the spread (highest − lowest) of the raters' points and
    of the groups' means, and who gave the lowest and the highest points."""

    code: str
    rater_spread: Decimal
    group_spread: Decimal
    low: tuple[str, ...]
    high: tuple[str, ...]

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "rater_spread": _number(self.rater_spread),
            "group_spread": _number(self.group_spread),
            "low": list(self.low),
            "high": list(self.high),
        }


@dataclass(frozen=True)
class TargetResult:
    """One target's result. `indicators`: every indicator's score (framework order, two
    decimals); `by_group`: each group's mean per leaf it scored, and per parent the sum over
    the children it scored; `missing`: the leaves nobody scored (counted 0); `vetoes`: per
    veto item answered, (raters who said no, raters who answered); `vetoed_by`: the veto items
    that vetoed; `disagreements`: the leaves flagged (see `Disagreement`)."""

    target: str
    total: Decimal
    max: Decimal
    grade: str
    vetoed: bool
    indicators: dict[str, Decimal]
    by_group: dict[str, dict[str, Decimal]]
    missing: tuple[str, ...] = ()
    disagreements: tuple[Disagreement, ...] = ()
    vetoed_by: tuple[str, ...] = ()
    vetoes: dict[str, tuple[int, int]] = field(default_factory=dict)
    raters: dict[str, int] = field(default_factory=dict)  # raters per group

    @property
    def passed(self) -> bool:
        return self.grade != FAIL_GRADE

    def to_dict(self, *, details: bool = False) -> dict:
        doc = {
            "target": self.target,
            "total": _number(self.total),
            "max": _number(self.max),
            "grade": self.grade,
            "vetoed": self.vetoed,
            "indicators": {code: _number(v) for code, v in self.indicators.items()},
        }
        if details:
            doc["by_group"] = {
                group: {code: _number(v) for code, v in scores.items()}
                for group, scores in self.by_group.items()
            }
            doc["raters"] = dict(self.raters)
            doc["missing"] = list(self.missing)
            doc["vetoed_by"] = list(self.vetoed_by)
            doc["vetoes"] = {
                code: {"no": no, "answered": answered}
                for code, (no, answered) in self.vetoes.items()
            }
            doc["disagreements"] = [d.to_dict() for d in self.disagreements]
        return doc


def _number(value: Decimal):
    """A JSON number: an int when whole (95), else a float of two decimals at most (95.5)."""
    return int(value) if value == value.to_integral_value() else float(value)


def results_to_dict(results: Sequence[TargetResult], *, details: bool = False) -> dict:
    return {"targets": [result.to_dict(details=details) for result in results]}


def results_to_json(
    results: Sequence[TargetResult], *, details: bool = False, indent: int | None = 2
) -> str:
    return json.dumps(results_to_dict(results, details=details), ensure_ascii=False, indent=indent)


def group_mean(values: Sequence[Fraction]) -> Fraction:
    """The mean of a group's points, without the single highest and single lowest when there
    are DROP_EXTREMES_FROM (5) or more."""
    ordered = sorted(values)
    if len(ordered) >= DROP_EXTREMES_FROM:
        ordered = ordered[1:-1]
    return sum(ordered, Fraction(0)) / len(ordered)


def combine(means: Mapping[str, Fraction], weights: Mapping[str, Decimal] | None):
    """The groups' means combined by their weights, renormalised over these groups (equal
    weights without `weights`); None when their weights add up to 0."""
    if weights is None:
        shares = dict.fromkeys(means, Fraction(1))
    else:
        shares = {group: Fraction(weights[group]) for group in means}
    total = sum(shares.values(), Fraction(0))
    if not total:
        return None
    return sum((shares[g] * means[g] for g in means), Fraction(0)) / total


def _score_one(
    target: str,
    framework: FrameworkSpec,
    scored: Sequence[_Scored],
    weights,
    grades,
    threshold: Fraction,
) -> TargetResult:
    by_leaf: dict[str, dict[str, list[_Scored]]] = {}
    raters: dict[str, set[str]] = {}
    for item in scored:
        entry = item.entry
        by_leaf.setdefault(entry.code, {}).setdefault(entry.group, []).append(item)
        raters.setdefault(entry.group, set()).add(entry.rater)

    leaf_scores: dict[str, Decimal] = {}
    group_scores: dict[str, dict[str, Decimal]] = {group: {} for group in raters}
    missing: list[str] = []
    vetoes: dict[str, tuple[int, int]] = {}
    disagreements: list[Disagreement] = []
    for leaf in framework.leaves:
        groups = by_leaf.get(leaf.code, {})
        if leaf.method == "veto":
            answers = [item for items in groups.values() for item in items]
            if answers:
                vetoes[leaf.code] = (sum(item.no for item in answers), len(answers))
            else:
                missing.append(leaf.code)
            leaf_scores[leaf.code] = Decimal("0.00")
            continue
        means = {group: group_mean([i.points for i in items]) for group, items in groups.items()}
        for group, mean in means.items():
            group_scores[group][leaf.code] = to_decimal(mean)
        combined = combine(means, weights) if means else None
        if combined is None:
            missing.append(leaf.code)
            combined = Fraction(0)
        leaf_scores[leaf.code] = to_decimal(combined)
        flagged = _disagreement(leaf, groups, means, threshold)
        if flagged:
            disagreements.append(flagged)

    indicators = _sums(framework, leaf_scores)
    by_group = {
        group: _sums(framework, scores, partial=True)
        for group, scores in group_scores.items()
        if scores
    }
    total = sum((indicators[spec.code] for spec in framework.roots), Decimal("0.00"))
    maximum = framework.total_max
    vetoed_by = tuple(code for code, (no, answered) in vetoes.items() if 2 * no > answered)
    vetoed = bool(vetoed_by)
    grade = FAIL_GRADE
    if not vetoed:
        for name, percent in grades:
            if Fraction(total) * 100 >= Fraction(percent) * Fraction(maximum):
                grade = name
                break
    return TargetResult(
        target=target,
        total=total,
        max=maximum,
        grade=grade,
        vetoed=vetoed,
        indicators=indicators,
        by_group=by_group,
        missing=tuple(missing),
        disagreements=tuple(disagreements),
        vetoed_by=vetoed_by,
        vetoes=vetoes,
        raters={group: len(names) for group, names in raters.items()},
    )


def _disagreement(leaf, groups, means, threshold) -> Disagreement | None:
    given = [(item.points, item.entry.rater) for items in groups.values() for item in items]
    if len(given) < 2:
        return None
    low = min(p for p, _r in given)
    high = max(p for p, _r in given)
    rater_spread = high - low
    group_spread = max(means.values()) - min(means.values())
    limit = threshold * Fraction(leaf.max_score)
    if rater_spread <= limit and group_spread <= limit:
        return None
    return Disagreement(
        code=leaf.code,
        rater_spread=to_decimal(rater_spread),
        group_spread=to_decimal(group_spread),
        low=tuple(sorted({r for p, r in given if p == low})),
        high=tuple(sorted({r for p, r in given if p == high})),
    )


def _sums(framework: FrameworkSpec, leaves: Mapping[str, Decimal], *, partial=False):
    """Every indicator's score (framework order) from the leaves': a parent's is the sum of its
    children's. `partial`: only the leaves given and the parents with one of them below."""
    scores: dict[str, Decimal] = {}

    def visit(spec: IndicatorSpec) -> Decimal | None:
        if spec.is_leaf:
            value = leaves.get(spec.code)
            if value is None and not partial:
                value = Decimal("0.00")
        else:
            values = [visit(child) for child in framework.children(spec.code)]
            present = [v for v in values if v is not None]
            value = sum(present, Decimal("0.00")) if present else None
        if value is not None:
            scores[spec.code] = value
        return value

    for root in framework.roots:
        visit(root)
    return {spec.code: scores[spec.code] for spec in framework if spec.code in scores}


def score_targets(
    framework: FrameworkSpec,
    entries: Iterable[ScoreEntry],
    *,
    weights: Mapping[str, Decimal] | None = None,
    grades: Sequence[tuple[str, Decimal]] | None = None,
    extra: Mapping[str, FrameworkSpec] | None = None,
    targets: Sequence[str] | None = None,
    disagreement: Decimal = DISAGREEMENT,
) -> list[TargetResult]:
    """Each target's result (the module's rules). `weights`: per rater group (None: equal);
    every group that scored needs one (EngineError "weights_missing"). `grades`: (name,
    percentage) pairs (None: DEFAULT_GRADES). `extra`: a target's own indicators, added to the
    framework for it ("合格+订单"). `targets`: results for these first, in this order, even
    unscored; then the other targets in order of first appearance. `disagreement`: the share
    of a leaf's maximum above which a spread is flagged. Invalid entries: ScoresInvalid."""
    frameworks = _Frameworks(framework, extra)
    scored, errors = _check_entries(list(entries), frameworks)
    if errors:
        raise ScoresInvalid(errors)
    if weights is not None:
        weights = {str(group): Decimal(weight) for group, weight in weights.items()}
        unweighted = sorted({s.entry.group for s in scored} - set(weights))
        if unweighted:
            raise EngineError(
                "weights_missing",
                gettext_noop("These groups have scores but no weight: %(groups)s."),
                groups=", ".join(unweighted),
            )
    grades = check_grades(grades)
    threshold = Fraction(Decimal(disagreement))
    order: dict[str, list[_Scored]] = {target: [] for target in targets or ()}
    for item in scored:
        order.setdefault(item.entry.target, []).append(item)
    return [
        _score_one(target, frameworks(target), items, weights, grades, threshold)
        for target, items in order.items()
    ]


__all__ = [
    "DEFAULT_GRADES",
    "DISAGREEMENT",
    "DROP_EXTREMES_FROM",
    "FAIL_GRADE",
    "OPTIONAL_SCORE_COLUMNS",
    "SCORE_COLUMNS",
    "Disagreement",
    "ScoreEntry",
    "ScoresInvalid",
    "TargetResult",
    "check_grades",
    "combine",
    "formula_numbers",
    "group_mean",
    "parse_disagreement",
    "parse_grades",
    "parse_scores_rows",
    "parse_weights",
    "points",
    "read_scores_file",
    "results_to_dict",
    "results_to_json",
    "score_targets",
    "to_decimal",
    "yes_no",
]
