"""The monitoring computation: indicator values per school part, weighted means and coefficients
of variation per level, the 2012 composite and the 2017 school and indicator tests.

    result = evaluate(data, "basic-2012", year=2025)      # data: inputs.SchoolData
    result.to_json()

    monitor = Monitor(data, "quality-2017", year=2025)   # keeps the arrays for fast what-ifs
    monitor.what_if({"3301020001": {"小学专任教师数": 3}})

Everything is vectorised with numpy: the per-school values are one matrix per level (parts x
indicators); the aggregates are matrix products. The formulas are docs/rules.md
§16-§18 (see docs/monitoring.md).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from django.utils.translation import gettext as _

from .fields import COLUMN, ENROLMENT, FIELD_BY_HEADER, FIELD_BY_KEY, FIELD_KEYS, SCHOOL_TYPES
from .inputs import (
    NUMBER,
    Exclusion,
    InputError,
    InputRefused,
    SchoolData,
    _check_levels,
    below_minimum,
)
from .rules import LEVELS, RuleSet, load_ruleset

TOLERANCE = 1e-9  # relative: absorbs binary rounding (3.825 vs 0.85 x 4.5) in comparisons


def round_half_up(value: float | None, decimals: int = 3) -> float | None:
    """Round as a person (and Excel's ROUND) does: 0.59175 -> 0.592."""
    if value is None:
        return None
    quantum = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))


def at_most(value: float | None, limit: float) -> bool:
    return value is not None and value <= limit * (1 + TOLERANCE) + 1e-15


def at_least(value, limit):
    """Element-wise value >= limit, with the tolerance (numpy arrays)."""
    return value >= limit * (1 - TOLERANCE) - 1e-15


def composite_cv(cvs) -> float | None:
    """The 2012 composite: the simple mean of the indicators' CVs (None if one is missing)."""
    cvs = list(cvs)
    if not cvs or any(cv is None for cv in cvs):
        return None
    return math.fsum(cvs) / len(cvs)


def weighted_stats(x: np.ndarray, p: np.ndarray, weighted: bool = True):
    """mean, S and CV of each column of x (n x k) over the rows, weighted by p (n,) as in
    docs/rules.md §16: mean = Σ p·x / Σ p; S = sqrt(Σ (p/P)(x - mean)²); CV = S / mean.
    Unweighted: the plain mean and the population standard deviation. CV is nan where the mean
    is 0."""
    if x.shape[0] == 0:
        nan = np.full(x.shape[1], np.nan)
        return nan, nan, nan
    w = p / p.sum() if weighted else np.full(x.shape[0], 1.0 / x.shape[0])
    mean = w @ x
    var = w @ (x - mean) ** 2
    s = np.sqrt(np.maximum(var, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = np.where(mean > 0, s / np.where(mean > 0, mean, 1.0), np.nan)
    return mean, s, cv


# Result objects ------------------------------------------------------------------------------


def _num(value):
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


@dataclass
class IndicatorResult:
    key: str
    label: str
    unit: str
    mean: float | None
    cv: float | None
    cv_rounded: float | None
    sd: float | None
    threshold: float | None = None  # 2017: the CV limit
    standard: float | None = None  # 2017: the per-school standard value
    passed: bool | None = None  # 2017: CV within the limit
    schools_meeting_standard: int | None = None

    def to_dict(self):
        data = dict(self.__dict__)
        if self.standard is None:  # 2012: no per-indicator standard or limit
            for key in ("threshold", "standard", "passed", "schools_meeting_standard"):
                data.pop(key)
        return data


@dataclass
class SchoolResult:
    code: str
    name: str
    school_type: str
    row: int
    level: str
    enrolment: float
    share: float  # the part's share of the split whole-school resources (1 for one-level schools)
    values: dict[str, float]
    below_mean: list[str] = field(default_factory=list)
    # 2017
    standards_met: dict[str, bool] | None = None
    met_count: int | None = None
    unmet: list[str] | None = None
    below_share: list[str] | None = None  # unmet and below share x standard
    passed: bool | None = None

    def to_dict(self):
        data = dict(self.__dict__)
        if self.standards_met is None:
            for key in ("standards_met", "met_count", "unmet", "below_share", "passed"):
                data.pop(key)
        return data


@dataclass
class LevelResult:
    level: str
    label: str
    school_count: int
    enrolment: float
    indicators: list[IndicatorResult]
    schools: list[SchoolResult]
    passed: bool | None  # None: no schools at this level
    composite_cv: float | None = None  # 2012
    composite_cv_rounded: float | None = None
    composite_threshold: float | None = None
    cv_threshold: float | None = None  # 2017
    failing_indicators: list[str] = field(default_factory=list)
    failing_schools: list[str] = field(default_factory=list)
    note: str = ""

    def indicator(self, key: str) -> IndicatorResult:
        return next(i for i in self.indicators if i.key == key)

    def school(self, code: str) -> SchoolResult:
        return next(s for s in self.schools if s.code == code)

    def to_dict(self, regime: str):
        data = {
            "level": self.level,
            "label": self.label,
            "school_count": self.school_count,
            "enrolment": self.enrolment,
            "passed": self.passed,
            "note": self.note,
            "indicators": [i.to_dict() for i in self.indicators],
        }
        if regime == "basic":
            data.update(
                composite_cv=self.composite_cv,
                composite_cv_rounded=self.composite_cv_rounded,
                composite_threshold=self.composite_threshold,
            )
        else:
            data.update(
                cv_threshold=self.cv_threshold,
                failing_indicators=self.failing_indicators,
                failing_schools=self.failing_schools,
            )
        data["schools"] = [s.to_dict() for s in self.schools]
        return data


@dataclass
class LevelArrays:
    """The numbers behind a LevelResult, kept for the insight functions."""

    index: np.ndarray  # rows of SchoolData
    enrolment: np.ndarray  # P_i
    share: np.ndarray
    x: np.ndarray  # parts x indicators
    factor: np.ndarray  # x = factor * numerator (the resource), parts x indicators
    mean: np.ndarray
    sd: np.ndarray
    cv: np.ndarray


@dataclass
class Result:
    rule_set: dict
    year: int | None
    regime: str
    weighted_cv: bool
    levels: dict[str, LevelResult]
    passed: bool
    excluded: list[Exclusion]
    failing_indicators: list[dict] = field(default_factory=list)
    failing_schools: list[dict] = field(default_factory=list)
    empty_levels: list[str] = field(default_factory=list)
    parameters: dict = field(default_factory=dict)
    arrays: dict[str, LevelArrays] = field(default_factory=dict, repr=False, compare=False)
    data: SchoolData | None = field(default=None, repr=False, compare=False)
    ruleset: RuleSet | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict:
        return {
            "rule_set": self.rule_set,
            "year": self.year,
            "regime": self.regime,
            "weighted_cv": self.weighted_cv,
            "parameters": self.parameters,
            "conclusion": {
                "passed": self.passed,
                "failing_indicators": self.failing_indicators,
                "failing_schools": self.failing_schools,
                "empty_levels": self.empty_levels,
            },
            "levels": {k: v.to_dict(self.regime) for k, v in self.levels.items()},
            "excluded": [e.to_dict() for e in self.excluded],
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)


# The computation -----------------------------------------------------------------------------


class _Plan:
    """What a rule set asks for, resolved to matrix columns once."""

    def __init__(self, ruleset: RuleSet):
        self.ruleset = ruleset
        self.indicators = ruleset.indicators
        self.keys = [ind["key"] for ind in self.indicators]
        self.levels = [lv for lv in LEVELS if lv in ruleset.levels]
        self.type_weights = {}
        for school_type, levels in SCHOOL_TYPES.items():
            ratios = ruleset.split_ratios.get(school_type, {})
            self.type_weights[school_type] = {lv: float(ratios.get(lv, 1.0)) for lv in levels}


def _split_shares(data: SchoolData, plan: _Plan):
    """share[level] per school: w_l·P_l / Σ_k w_k·P_k over the school's levels (0 elsewhere)."""
    n = len(data)
    types = np.array(data.types, dtype=object)
    weights = {lv: np.zeros(n) for lv in ("primary", "junior", "senior")}
    for school_type, type_weights in plan.type_weights.items():
        mask = types == school_type
        if not mask.any():
            continue
        for lv, w in type_weights.items():
            weights[lv][mask] = w
    student_eq = {lv: weights[lv] * data.column(ENROLMENT[lv]) for lv in weights}
    total = student_eq["primary"] + student_eq["junior"] + student_eq["senior"]
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = {
            lv: np.where(total > 0, student_eq[lv] / np.where(total > 0, total, 1), 0.0)
            for lv in weights
        }
    has = {lv: weights[lv] > 0 for lv in weights}
    all_enrolment = (
        data.column("enrol_primary") + data.column("enrol_junior") + data.column("enrol_senior")
    )
    return shares, has, all_enrolment


def compute_arrays(data: SchoolData, plan: _Plan) -> dict[str, LevelArrays]:
    shares, has, all_enrolment = _split_shares(data, plan)
    weighted = plan.ruleset.weighted_cv
    out = {}
    for level in plan.levels:
        index = np.flatnonzero(has[level])
        p = data.column(ENROLMENT[level])[index]
        share = shares[level][index]
        k = len(plan.indicators)
        numerators = np.empty((len(index), k))
        factor = np.empty((len(index), k))
        for j, ind in enumerate(plan.indicators):
            per = float(ind.get("per_students", 1))
            numerator = ind["numerator"]
            if isinstance(numerator, dict):
                numerators[:, j] = data.values[index, COLUMN[numerator[level]]]
                factor[:, j] = per / p
            else:
                numerators[:, j] = data.values[index, COLUMN[numerator]]
                if ind.get("split", False):
                    factor[:, j] = share * per / p
                else:  # the whole school's resource per student, the same for every part
                    factor[:, j] = per / all_enrolment[index]
        x = numerators * factor
        mean, sd, cv = weighted_stats(x, p, weighted)
        out[level] = LevelArrays(index, p, share, x, factor, mean, sd, cv)
    return out


def _level_result(level, arrays: LevelArrays, data: SchoolData, plan: _Plan) -> LevelResult:
    ruleset = plan.ruleset
    spec = ruleset.levels[level]
    label = spec.get("label", level)
    n = len(arrays.index)
    decimals = ruleset.cv_decimals
    keys = plan.keys
    quality = ruleset.regime == "quality"
    cv_limit = spec.get("cv_max") if quality else None

    def cv_passes(cv):
        if cv is None:
            return False
        return at_most(round_half_up(cv, decimals) if ruleset.compare_rounded else cv, cv_limit)

    met = None
    if quality and n:
        standards = np.array([float(ind["standard"][level]) for ind in plan.indicators])
        share = float(ruleset.school_rule.get("remaining_share", 0.85))
        min_met = int(ruleset.school_rule.get("min_standards_met", len(keys) - 1))
        met = at_least(arrays.x, standards)
        near = at_least(arrays.x, share * standards)
        met_count = met.sum(axis=1)
        school_pass = (met_count >= min_met) & near.all(axis=1)

    indicators = []
    for j, ind in enumerate(plan.indicators):
        cv = _num(arrays.cv[j]) if n else None
        item = IndicatorResult(
            key=ind["key"],
            label=ind["label"],
            unit=ind.get("unit", ""),
            mean=_num(arrays.mean[j]) if n else None,
            cv=cv,
            cv_rounded=round_half_up(cv, decimals),
            sd=_num(arrays.sd[j]) if n else None,
        )
        if quality:
            item.threshold = cv_limit
            item.standard = float(ind["standard"][level])
            item.passed = cv_passes(cv) if n else None
            item.schools_meeting_standard = int(met[:, j].sum()) if n else 0
        indicators.append(item)

    schools = []
    if n:
        x_list = arrays.x.tolist()
        below = (arrays.x < arrays.mean).tolist()
        enrol = arrays.enrolment.tolist()
        share_list = arrays.share.tolist()
        met_list = met.tolist() if met is not None else None
        near_list = near.tolist() if met is not None else None
        for r, i in enumerate(arrays.index.tolist()):
            row_values = x_list[r]
            school = SchoolResult(
                code=data.codes[i],
                name=data.names[i],
                school_type=data.types[i],
                row=data.rows[i],
                level=level,
                enrolment=enrol[r],
                share=share_list[r],
                values=dict(zip(keys, row_values, strict=True)),
                below_mean=[k for k, b in zip(keys, below[r], strict=True) if b],
            )
            if met_list is not None:
                m = met_list[r]
                school.standards_met = dict(zip(keys, m, strict=True))
                school.met_count = int(sum(m))
                school.unmet = [k for k, ok in zip(keys, m, strict=True) if not ok]
                school.below_share = [k for k, ok in zip(keys, near_list[r], strict=True) if not ok]
                school.passed = bool(school_pass[r])
            schools.append(school)

    result = LevelResult(
        level=level,
        label=label,
        school_count=n,
        enrolment=float(arrays.enrolment.sum()),
        indicators=indicators,
        schools=schools,
        passed=None,
    )
    if not n:
        result.note = _("No schools at this level: nothing to evaluate.")
        return result
    if quality:
        result.cv_threshold = cv_limit
        result.failing_indicators = [i.key for i in indicators if not i.passed]
        result.failing_schools = [s.code for s in schools if not s.passed]
        result.passed = not result.failing_indicators and not result.failing_schools
    else:
        composite = composite_cv(i.cv for i in indicators)
        result.composite_cv = composite
        result.composite_cv_rounded = round_half_up(composite, decimals)
        result.composite_threshold = spec["composite_cv_max"]
        compared = result.composite_cv_rounded if ruleset.compare_rounded else composite
        result.passed = composite is not None and at_most(compared, spec["composite_cv_max"])
        if composite is None:
            result.note = _(
                "A coefficient of variation cannot be computed: an indicator's mean is 0."
            )
    if any(i.cv is None for i in indicators) and quality:
        result.note = _("A coefficient of variation cannot be computed: an indicator's mean is 0.")
    return result


def build_result(data: SchoolData, plan: _Plan, year, arrays=None) -> Result:
    ruleset = plan.ruleset
    arrays = arrays if arrays is not None else compute_arrays(data, plan)
    levels = {lv: _level_result(lv, arrays[lv], data, plan) for lv in plan.levels}
    evaluated = [lv for lv in levels.values() if lv.passed is not None]
    empty = [lv.level for lv in levels.values() if lv.passed is None]
    failing_indicators = []
    failing_schools = []
    for lv in levels.values():
        if ruleset.regime == "quality":
            failing_indicators += [{"level": lv.level, "key": k} for k in lv.failing_indicators]
            failing_schools += [
                {
                    "level": lv.level,
                    "code": s.code,
                    "name": s.name,
                    "unmet": s.unmet,
                    "below_share": s.below_share,
                }
                for s in lv.schools
                if not s.passed
            ]
        elif lv.passed is False:
            failing_indicators.append({"level": lv.level, "key": "composite_cv"})
    parameters = {
        "levels": ruleset.levels,
        "split_ratios": ruleset.split_ratios,
        "exclusions": ruleset.exclusions,
        "compare_rounded": ruleset.compare_rounded,
        "cv_decimals": ruleset.cv_decimals,
        "on_bad_row": ruleset.on_bad_row,
    }
    if ruleset.regime == "quality":
        parameters["school_rule"] = ruleset.school_rule
    return Result(
        rule_set=ruleset.summary(),
        year=year,
        regime=ruleset.regime,
        weighted_cv=ruleset.weighted_cv,
        levels=levels,
        passed=bool(evaluated) and all(lv.passed for lv in evaluated),
        excluded=list(data.excluded),
        failing_indicators=failing_indicators,
        failing_schools=failing_schools,
        empty_levels=empty,
        parameters=parameters,
        arrays=arrays,
        data=data,
        ruleset=ruleset,
    )


def evaluate(data: SchoolData, ruleset: RuleSet | str | dict = "basic-2012", year=None) -> Result:
    """Evaluate checked school data against a rule set."""
    ruleset = load_ruleset(ruleset)
    return build_result(data, _Plan(ruleset), year)


# What-if -------------------------------------------------------------------------------------


def _field_key(name: str) -> str | None:
    field_ = FIELD_BY_HEADER.get(name) or FIELD_BY_KEY.get(name)
    return field_.key if field_ is not None and field_.key in COLUMN else None


def apply_changes(data: SchoolData, changes: dict) -> SchoolData:
    """A copy of `data` with `changes` applied: {school code: {column: change}}, the column a
    header (小学专任教师数) or a field key (teachers_primary); the change a number to add (+3,
    -2, 500, or the same as text: "+3") or {"set": value}. The changed rows are checked
    again: InputRefused lists every problem (unknown school or column, a negative result, no
    teachers left...)."""
    changed = data.copy()
    errors = []
    touched = []
    for code, fields_ in changes.items():
        try:
            i = data.index(code)
        except KeyError:
            left_out = next((e for e in data.excluded if e.code == code), None)
            if left_out is not None:
                errors.append(
                    InputError(
                        left_out.row,
                        None,
                        _("%(name)s is left out of this evaluation: %(reason)s")
                        % {"name": left_out.name or code, "reason": left_out.reason},
                        "excluded",
                        code,
                    )
                )
                continue
            errors.append(
                InputError(
                    None,
                    None,
                    _("No school with the code %(code)s.") % {"code": code},
                    "unknown_school",
                    code,
                )
            )
            continue
        row = data.rows[i]
        for name, change in fields_.items():
            key = _field_key(name)
            if key is None:
                errors.append(
                    InputError(
                        row, name, _("This column cannot be changed."), "unknown_column", code
                    )
                )
                continue
            column = COLUMN[key]
            current = changed.values[i, column]
            new = change["set"] if isinstance(change, dict) and "set" in change else change
            if isinstance(new, str):  # from a form: "+3", "-2", "500", "1,200"
                text = new.replace(",", "").replace("，", "").strip()
                if NUMBER.fullmatch(text):
                    new = float(text)
            if isinstance(new, bool) or not isinstance(new, (int, float)) or new != new:
                errors.append(
                    InputError(
                        row,
                        FIELD_BY_KEY[key].header,
                        _("“%(value)s” is not a number.") % {"value": new},
                        "text",
                        code,
                    )
                )
                continue
            value = float(new) if isinstance(change, dict) else current + float(new)
            if value < 0:
                errors.append(
                    InputError(
                        row,
                        FIELD_BY_KEY[key].header,
                        _("Enter a number of zero or more (%(value)s).") % {"value": f"{value:g}"},
                        "negative",
                        code,
                    )
                )
                continue
            if FIELD_BY_KEY[key].integer and not float(value).is_integer():
                errors.append(
                    InputError(
                        row,
                        FIELD_BY_KEY[key].header,
                        _("Enter a whole number, not a decimal (%(value)s).")
                        % {"value": f"{value:g}"},
                        "decimal",
                        code,
                    )
                )
                continue
            changed.values[i, column] = value
        touched.append(i)
    for i in touched:

        def error(column, err_code, message, school_code="", _row=data.rows[i]):
            errors.append(InputError(_row, column, message, err_code, school_code))

        values = dict(zip(FIELD_KEYS, changed.values[i].tolist(), strict=True))
        _check_levels(data.types[i], SCHOOL_TYPES[data.types[i]], values, error, data.codes[i])
    if errors:
        raise InputRefused(errors)
    changed._index = getattr(data, "_index", None) or {c: i for i, c in enumerate(data.codes)}
    return changed


def reapply_exclusions(data: SchoolData, ruleset: RuleSet, codes) -> SchoolData:
    """The rule set's exclusions applied again to the schools a what-if changed. Only the
    minimum enrolment depends on figures (a school's type, 办学性质 and 举办者 are not what-if
    figures, so schools excluded for them stay out and cannot be changed): a school whose
    students fall below the minimum leaves the evaluation, as a fresh computation would."""
    exclusions = ruleset.exclusions
    minimum = exclusions.get("min_enrolment")
    if minimum is None:
        return data
    types = set(exclusions.get("min_enrolment_school_types") or []) or set(SCHOOL_TYPES)
    drop = {}
    for code in codes:
        try:
            i = data.index(code)
        except KeyError:
            continue
        if data.types[i] not in types:
            continue
        total = float(
            sum(data.values[i, COLUMN[ENROLMENT[lv]]] for lv in SCHOOL_TYPES[data.types[i]])
        )
        if total < minimum:
            drop[i] = below_minimum(total, minimum)
    if not drop:
        return data
    keep = [i for i in range(len(data)) if i not in drop]
    excluded = list(data.excluded) + [
        Exclusion(data.rows[i], data.codes[i], data.names[i], data.types[i], "min_enrolment", text)
        for i, text in drop.items()
    ]
    return SchoolData(
        codes=[data.codes[i] for i in keep],
        names=[data.names[i] for i in keep],
        types=[data.types[i] for i in keep],
        rows=[data.rows[i] for i in keep],
        values=data.values[keep],
        excluded=excluded,
        source=data.source,
    )


class Monitor:
    """One county's data under one rule set, ready for repeated what-ifs."""

    def __init__(self, data: SchoolData, ruleset: RuleSet | str | dict = "basic-2012", year=None):
        self.data = data
        self.ruleset = load_ruleset(ruleset)
        self.year = year
        self.plan = _Plan(self.ruleset)
        self._base = None

    def evaluate(self) -> Result:
        if self._base is None:
            self._base = build_result(self.data, self.plan, self.year)
        return self._base

    def what_if(self, changes: dict) -> Result:
        changed = apply_changes(self.data, changes)
        changed = reapply_exclusions(changed, self.ruleset, changes)
        return build_result(changed, self.plan, self.year)


def what_if(data: SchoolData, changes: dict, ruleset="basic-2012", year=None) -> Result:
    """The result with `changes` applied (see apply_changes); `data` is not modified."""
    return Monitor(data, ruleset, year).what_if(changes)
