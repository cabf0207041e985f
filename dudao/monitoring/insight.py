"""Beyond the rules: which schools drive a CV, the smallest additions that bring it under its
limit, and the year-over-year trend. All functions read a `Result` from engine.evaluate (its
numpy arrays) and never change it. Methods are explained in docs/monitoring.md."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .engine import Result, at_most, weighted_stats
from .fields import FIELD_BY_KEY


def _indicator_position(result: Result, key: str) -> int:
    keys = [ind["key"] for ind in result.ruleset.indicators]
    return keys.index(key)


def contributions(result: Result, level: str, key: str, top: int | None = None) -> list[dict]:
    """Each school part's share of the indicator's variance S² = Σ (P_i/P)(X_i − X̄)², largest
    first: "which schools contribute most to the CV". Unweighted rule sets use 1/n for P_i/P."""
    arrays = result.arrays[level]
    if not len(arrays.index):
        return []
    j = _indicator_position(result, key)
    x = arrays.x[:, j]
    p = arrays.enrolment
    w = p / p.sum() if result.weighted_cv else np.full(len(x), 1.0 / len(x))
    mean = float(arrays.mean[j])
    terms = w * (x - mean) ** 2
    total = float(terms.sum())
    order = np.argsort(-terms, kind="stable")
    if top is not None:
        order = order[:top]
    data = result.data
    out = []
    for r in order.tolist():
        i = int(arrays.index[r])
        out.append(
            {
                "code": data.codes[i],
                "name": data.names[i],
                "row": data.rows[i],
                "enrolment": float(p[r]),
                "value": float(x[r]),
                "mean": mean,
                "weight": float(w[r]),
                "contribution": float(terms[r]),
                "share": float(terms[r] / total) if total > 0 else 0.0,
                "direction": "below" if x[r] < mean else "above" if x[r] > mean else "equal",
            }
        )
    return out


@dataclass
class Addition:
    code: str
    name: str
    row: int
    resource: str  # the input field (teachers_primary, floor_area...)
    resource_label: str  # its Chinese header
    unit: str
    amount: float  # added to the part (the level's share of the school)
    whole_school_amount: float  # for split resources: what the whole school must add
    value_before: float
    value_after: float

    def to_dict(self):
        return dict(self.__dict__)


@dataclass
class AdditionsPlan:
    level: str
    key: str
    cv_before: float | None
    target: float
    cv_after: float | None
    floor: float | None  # L: every part below it is raised to it (before rounding up)
    resource: str
    unit: str
    total: float
    items: list[Addition] = field(default_factory=list)
    needed: bool = True
    method: str = "water-filling"

    def to_dict(self):
        data = dict(self.__dict__)
        data["items"] = [a.to_dict() for a in self.items]
        return data


def _cv(x, p, weighted):
    _mean, _sd, cv = weighted_stats(x[:, None], p, weighted)
    value = float(cv[0])
    return None if math.isnan(value) else value


def smallest_additions(
    result: Result, level: str, key: str, target: float | None = None, max_items: int | None = None
) -> AdditionsPlan:
    """The smallest additions that bring the indicator's CV to `target` or below.

    Method ("water-filling", docs/monitoring.md): raise every school part whose value is below
    a floor L to exactly L; the CV falls strictly as L rises (while L is below the mean), so a
    binary search finds the smallest L that reaches the target. With the enrolment-weighted CV
    this is also the cheapest way overall, counted in the resource's own unit: at the optimum
    every school that gets something ends at the same value, the lowest ones first. The
    additions are then rounded up to whole units (teachers, m², yuan, computers...) and the CV
    is checked again with the rounded figures.

    `target` defaults to the indicator's CV limit (2017) or the level's composite limit (2012).
    For split resources `amount` is the part's addition and `whole_school_amount` what the
    whole school must add for its part to receive it (amount / share)."""
    ruleset = result.ruleset
    arrays = result.arrays[level]
    j = _indicator_position(result, key)
    indicator = ruleset.indicators[j]
    spec = ruleset.levels[level]
    if target is None:
        target = spec.get("cv_max") if ruleset.regime == "quality" else spec["composite_cv_max"]
    numerator = indicator["numerator"]
    resource = numerator[level] if isinstance(numerator, dict) else numerator
    field_ = FIELD_BY_KEY[resource]
    x = arrays.x[:, j].copy()
    p = arrays.enrolment
    factor = arrays.factor[:, j]
    weighted = result.weighted_cv
    before = _cv(x, p, weighted)
    plan = AdditionsPlan(
        level, key, before, float(target), before, None, resource, field_.unit, 0.0
    )
    if not len(x) or (before is not None and at_most(before, target)):
        plan.needed = False
        return plan

    def cv_at(floor):
        return _cv(np.maximum(x, floor), p, weighted)

    low, high = float(x.min()), float(x.max())
    if high <= 0:
        return plan  # nothing to raise toward: every school has none of the resource
    for _ in range(100):
        mid = (low + high) / 2
        cv = cv_at(mid)
        if cv is not None and at_most(cv, target):
            high = mid
        else:
            low = mid
        if high - low <= 1e-12 * max(1.0, high):
            break
    floor = high

    def additions_for(floor_value):
        raw = np.maximum(floor_value - x, 0.0) / factor  # in resource units, for the part
        return np.ceil(raw - 1e-9)  # whole teachers, computers, m², yuan

    amounts = additions_for(floor)
    new_x = x + amounts * factor
    after = _cv(new_x, p, weighted)
    # Rounding up can (rarely) push a school above the others; step the floor up until the
    # rounded plan meets the target.
    step = (float(x.max()) - floor) / 1000 or 1e-6
    while after is None or not at_most(after, target):
        floor = min(floor + step, float(x.max()))
        amounts = additions_for(floor)
        new_x = x + amounts * factor
        after = _cv(new_x, p, weighted)
        if floor >= float(x.max()):
            break
    plan.floor = floor
    plan.cv_after = after
    data = result.data
    items = []
    share = arrays.share
    split = bool(indicator.get("split")) and not isinstance(numerator, dict)
    for r in np.flatnonzero(amounts > 0).tolist():
        i = int(arrays.index[r])
        amount = float(amounts[r])
        whole = math.ceil(amount / share[r] - 1e-9) if split and share[r] > 0 else amount
        items.append(
            Addition(
                code=data.codes[i],
                name=data.names[i],
                row=data.rows[i],
                resource=resource,
                resource_label=field_.header,
                unit=field_.unit,
                amount=amount,
                whole_school_amount=float(whole),
                value_before=float(x[r]),
                value_after=float(new_x[r]),
            )
        )
    items.sort(key=lambda a: -a.amount)
    plan.total = float(sum(a.amount for a in items))
    plan.items = items[:max_items] if max_items else items
    return plan


def trend(results) -> dict:
    """Per level and indicator, the series of (year, mean, cv) over several years' results
    (a list or a {year: result} dict), in year order; plus the composite CV (2012) and the
    conclusion per year. A result is a `Result` or its stored `to_dict()` JSON."""
    if isinstance(results, dict):
        results = [r for _year, r in sorted(results.items(), key=lambda kv: kv[0])]
    docs = [r.to_dict() if isinstance(r, Result) else r for r in results]
    docs.sort(key=lambda d: (d.get("year") is None, d.get("year") or 0))
    out = {
        "years": [d.get("year") for d in docs],
        "passed": [d["conclusion"]["passed"] for d in docs],
        "levels": {},
    }
    for doc in docs:
        year = doc.get("year")
        for level, lv in doc["levels"].items():
            level_out = out["levels"].setdefault(
                level, {"indicators": {}, "composite_cv": [], "passed": []}
            )
            level_out["composite_cv"].append({"year": year, "value": lv.get("composite_cv")})
            level_out["passed"].append({"year": year, "value": lv["passed"]})
            for ind in lv["indicators"]:
                level_out["indicators"].setdefault(ind["key"], []).append(
                    {"year": year, "mean": ind["mean"], "cv": ind["cv"]}
                )
    return out


def standard_shortfalls(result: Result, level: str, failing_only: bool = True) -> list[dict]:
    """2017: for each school part (the failing ones by default), what each unmet indicator
    lacks, in the resource's own unit and rounded up: `to_standard` reaches the standard value,
    `to_share` reaches share × standard (the floor for the one indicator allowed to miss)."""
    ruleset = result.ruleset
    if ruleset.regime != "quality":
        return []
    arrays = result.arrays[level]
    share_rule = float(ruleset.school_rule.get("remaining_share", 0.85))
    data = result.data
    out = []
    lv = result.levels[level]
    for r, school in enumerate(lv.schools):
        if failing_only and school.passed:
            continue
        items = []
        for j, indicator in enumerate(ruleset.indicators):
            standard = float(indicator["standard"][level])
            value = float(arrays.x[r, j])
            if value >= standard:
                continue
            numerator = indicator["numerator"]
            resource = numerator[level] if isinstance(numerator, dict) else numerator
            factor = float(arrays.factor[r, j])
            items.append(
                {
                    "key": indicator["key"],
                    "value": value,
                    "standard": standard,
                    "resource": resource,
                    "resource_label": FIELD_BY_KEY[resource].header,
                    "unit": FIELD_BY_KEY[resource].unit,
                    "to_standard": float(math.ceil((standard - value) / factor - 1e-9)),
                    "to_share": float(
                        max(0, math.ceil((share_rule * standard - value) / factor - 1e-9))
                    ),
                }
            )
        i = int(arrays.index[r])
        out.append(
            {
                "code": data.codes[i],
                "name": data.names[i],
                "row": data.rows[i],
                "passed": school.passed,
                "met_count": school.met_count,
                "items": items,
            }
        )
    return out
