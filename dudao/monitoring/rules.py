"""Rule sets as data: loading, validating and deriving variants.

A rule set is a plain JSON document (see dudao/monitoring/rulesets/*.json and
docs/monitoring.md). `load_ruleset(name_or_path)` returns a validated `RuleSet`;
`variant(base, overrides)` deep-merges a dict of overrides into a copy of a base rule set and
validates the result (an office's provincial copy). Nothing here touches the database: a
future model stores `ruleset.data` (a JSON copy) and rebuilds it with `RuleSet.from_dict`.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from .fields import (
    FIELD_KEYS,
    LEVEL_FIELDS,
    OWNERSHIPS,
    SCHOOL_TYPES,
    SPONSORS,
    WHOLE_SCHOOL_FIELDS,
)

RULESETS_DIR = Path(__file__).resolve().parent / "rulesets"
BUILTIN = ("basic-2012", "quality-2017")
LEVELS = ("primary", "junior")
REGIMES = ("basic", "quality")
BAD_ROW_POLICIES = ("refuse", "exclude")


class RuleSetError(Exception):
    """A rule set that cannot be used; `errors` lists every problem found."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass(frozen=True)
class RuleSet:
    data: dict

    @classmethod
    def from_dict(cls, data: dict) -> RuleSet:
        data = copy.deepcopy(data)
        errors = validate(data)
        if errors:
            raise RuleSetError(errors)
        return cls(data)

    # Convenient read-only views -----------------------------------------------------------
    name = property(lambda self: self.data["name"])
    version = property(lambda self: str(self.data["version"]))
    title = property(lambda self: self.data.get("title", self.data["name"]))
    regime = property(lambda self: self.data["regime"])
    weighted_cv = property(lambda self: bool(self.data.get("weighted_cv", True)))
    on_bad_row = property(lambda self: self.data.get("on_bad_row", "refuse"))
    compare_rounded = property(lambda self: bool(self.data.get("compare_rounded", False)))
    cv_decimals = property(lambda self: int(self.data.get("cv_decimals", 3)))
    indicators = property(lambda self: self.data["indicators"])
    levels = property(lambda self: self.data["levels"])
    split_ratios = property(lambda self: self.data.get("split_ratios", {}))
    exclusions = property(lambda self: self.data.get("exclusions", {}))

    @property
    def school_rule(self) -> dict:
        return self.data.get("school_rule", {})

    def summary(self) -> dict:
        return {
            "name": self.name,
            "version": self.version,
            "title": self.title,
            "regime": self.regime,
            "source": self.data.get("source", ""),
        }

    def to_json(self) -> str:
        return json.dumps(self.data, ensure_ascii=False, indent=2)


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def validate(data) -> list[str]:
    """Every problem with a rule-set document, as translated messages (empty when valid)."""
    if not isinstance(data, dict):
        return [_("A rule set must be a JSON object.")]
    errors = []

    def need(key, kind, label):
        if not isinstance(data.get(key), kind) or data.get(key) in ("", None):
            errors.append(
                _("The rule set needs “%(key)s” (%(kind)s).") % {"key": key, "kind": label}
            )
            return False
        return True

    need("name", str, _("text"))
    if "version" not in data or not isinstance(data["version"], (str, int, float)):
        errors.append(
            _("The rule set needs “%(key)s” (%(kind)s).") % {"key": "version", "kind": _("text")}
        )
    regime = data.get("regime")
    if regime not in REGIMES:
        errors.append(_("“regime” must be one of: %(choices)s.") % {"choices": ", ".join(REGIMES)})
    if not isinstance(data.get("weighted_cv", True), bool):
        errors.append(_("“%(key)s” must be true or false.") % {"key": "weighted_cv"})
    if not isinstance(data.get("compare_rounded", False), bool):
        errors.append(_("“%(key)s” must be true or false.") % {"key": "compare_rounded"})
    decimals = data.get("cv_decimals", 3)
    if not isinstance(decimals, int) or isinstance(decimals, bool) or not 0 <= decimals <= 10:
        errors.append(_("“cv_decimals” must be a whole number from 0 to 10."))
    if data.get("on_bad_row", "refuse") not in BAD_ROW_POLICIES:
        errors.append(
            _("“on_bad_row” must be one of: %(choices)s.")
            % {"choices": ", ".join(BAD_ROW_POLICIES)}
        )

    levels = data.get("levels")
    if not isinstance(levels, dict) or not levels:
        errors.append(_("The rule set needs “levels” (primary and junior)."))
        levels = {}
    for level, spec in levels.items():
        if level not in LEVELS:
            errors.append(
                _("Unknown level “%(level)s”; use %(choices)s.")
                % {"level": level, "choices": ", ".join(LEVELS)}
            )
            continue
        key = "composite_cv_max" if regime == "basic" else "cv_max"
        value = spec.get(key) if isinstance(spec, dict) else None
        if not _number(value) or value <= 0:
            errors.append(
                _("Level “%(level)s” needs “%(key)s”, a number above 0.")
                % {"level": level, "key": key}
            )

    if regime == "quality":
        rule = data.get("school_rule")
        if not isinstance(rule, dict):
            errors.append(_("A quality rule set needs “school_rule”."))
        else:
            share = rule.get("remaining_share")
            if not _number(share) or not 0 < share <= 1:
                errors.append(_("“school_rule.remaining_share” must be above 0 and at most 1."))
            min_met = rule.get("min_standards_met")
            if not isinstance(min_met, int) or isinstance(min_met, bool) or min_met < 0:
                errors.append(_("“school_rule.min_standards_met” must be a whole number."))

    indicators = data.get("indicators")
    if not isinstance(indicators, list) or not indicators:
        errors.append(_("The rule set needs a list of “indicators”."))
        indicators = []
    keys = set()
    for number, ind in enumerate(indicators, start=1):
        if not isinstance(ind, dict):
            errors.append(_("Indicator %(number)s must be an object.") % {"number": number})
            continue
        key = ind.get("key")
        where = key or str(number)
        if not isinstance(key, str) or not key:
            errors.append(_("Indicator %(number)s needs a “key”.") % {"number": number})
        elif key in keys:
            errors.append(_("The indicator key “%(key)s” is used twice.") % {"key": key})
        keys.add(key)
        if not isinstance(ind.get("label"), str) or not ind.get("label"):
            errors.append(_("Indicator “%(key)s” needs a “label”.") % {"key": where})
        per = ind.get("per_students", 1)
        if not _number(per) or per <= 0:
            errors.append(
                _("Indicator “%(key)s”: “per_students” must be a number above 0.") % {"key": where}
            )
        numerator = ind.get("numerator")
        split = ind.get("split", False)
        if not isinstance(split, bool):
            errors.append(_("Indicator “%(key)s”: “split” must be true or false.") % {"key": where})
        if isinstance(numerator, str):
            if numerator not in WHOLE_SCHOOL_FIELDS:
                errors.append(
                    _("Indicator “%(key)s”: unknown resource “%(field)s”; use one of: %(choices)s.")
                    % {"key": where, "field": numerator, "choices": ", ".join(WHOLE_SCHOOL_FIELDS)}
                )
        elif isinstance(numerator, dict):
            if split:
                errors.append(
                    _(
                        "Indicator “%(key)s”: a resource counted by level taught cannot also be "
                        "split."
                    )
                    % {"key": where}
                )
            for level in levels:
                field = numerator.get(level)
                if field not in LEVEL_FIELDS.get(level, ()):
                    errors.append(
                        _("Indicator “%(key)s”: the “%(level)s” resource “%(field)s” is unknown.")
                        % {"key": where, "level": level, "field": field}
                    )
        else:
            errors.append(
                _("Indicator “%(key)s” needs a “numerator”: a resource, or one per level.")
                % {"key": where}
            )
        if regime == "quality":
            standard = ind.get("standard")
            for level in levels:
                value = standard.get(level) if isinstance(standard, dict) else None
                if not _number(value) or value <= 0:
                    errors.append(
                        _("Indicator “%(key)s” needs a standard value above 0 for “%(level)s”.")
                        % {"key": where, "level": level}
                    )

    ratios = data.get("split_ratios", {})
    if not isinstance(ratios, dict):
        errors.append(_("“split_ratios” must be an object."))
        ratios = {}
    for school_type, weights in ratios.items():
        type_levels = SCHOOL_TYPES.get(school_type)
        if type_levels is None:
            errors.append(
                _("“split_ratios”: unknown school type “%(type)s”.") % {"type": school_type}
            )
            continue
        if not isinstance(weights, dict) or set(weights) != set(type_levels):
            errors.append(
                _("“split_ratios” for “%(type)s” needs exactly these levels: %(levels)s.")
                % {"type": school_type, "levels": ", ".join(type_levels)}
            )
            continue
        if any(not _number(w) or w <= 0 for w in weights.values()):
            errors.append(
                _("“split_ratios” for “%(type)s” must be numbers above 0.") % {"type": school_type}
            )
    for school_type, type_levels in SCHOOL_TYPES.items():
        if len(type_levels) > 1 and school_type not in ratios:
            errors.append(
                _("“split_ratios” needs the ratio for “%(type)s”.") % {"type": school_type}
            )

    exclusions = data.get("exclusions", {})
    if not isinstance(exclusions, dict):
        errors.append(_("“exclusions” must be an object."))
        exclusions = {}
    for key in ("school_types", "min_enrolment_school_types"):
        for school_type in exclusions.get(key, []) or []:
            if school_type not in SCHOOL_TYPES:
                errors.append(
                    _("“exclusions.%(key)s”: unknown school type “%(type)s”.")
                    % {"key": key, "type": school_type}
                )
    for key, allowed in (("ownership", OWNERSHIPS), ("sponsors", SPONSORS)):
        values = exclusions.get(key, []) or []
        if not isinstance(values, list):
            errors.append(_("“exclusions.%(key)s” must be a list.") % {"key": key})
            continue
        for value in values:
            if value not in allowed:
                errors.append(
                    _("“exclusions.%(key)s”: unknown value “%(value)s”; choose from %(choices)s.")
                    % {"key": key, "value": value, "choices": "、".join(allowed)}
                )
    minimum = exclusions.get("min_enrolment")
    if minimum is not None and (not _number(minimum) or minimum < 0):
        errors.append(_("“exclusions.min_enrolment” must be empty (off) or a number."))
    return errors


def _deep_merge(base: dict, overrides: dict) -> dict:
    merged = copy.deepcopy(base)
    for key, value in overrides.items():
        if key == "indicators" and isinstance(value, dict):
            # {"floor_area": {...}}: merge into the indicator with that key (a list cannot be
            # patched by position safely)
            by_key = {ind["key"]: ind for ind in merged.get("indicators", [])}
            for ind_key, patch in value.items():
                if ind_key not in by_key:
                    raise RuleSetError(
                        [_("There is no indicator “%(key)s” to change.") % {"key": ind_key}]
                    )
                by_key[ind_key].update(_deep_merge(by_key[ind_key], patch))
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def variant(base: RuleSet | dict | str, overrides: dict) -> RuleSet:
    """A new rule set: `base` (a RuleSet, a dict or a built-in name) with `overrides` deep-merged
    in. Dicts merge key by key; other values replace. `indicators` may be given as a dict keyed by
    indicator key to patch single indicators. Give the variant its own name and version."""
    if isinstance(base, str):
        base = load_ruleset(base)
    data = base.data if isinstance(base, RuleSet) else base
    return RuleSet.from_dict(_deep_merge(data, overrides))


def builtin_path(name: str) -> Path:
    return RULESETS_DIR / f"{name}.json"


def load_ruleset(name_or_path) -> RuleSet:
    """A built-in rule set by name (basic-2012, quality-2017) or a JSON file by path."""
    if isinstance(name_or_path, RuleSet):
        return name_or_path
    if isinstance(name_or_path, dict):
        return RuleSet.from_dict(name_or_path)
    text = str(name_or_path)
    path = builtin_path(text) if text in BUILTIN else Path(text)
    if not path.is_file():
        raise RuleSetError(
            [
                _("No rule set “%(name)s”: use %(builtin)s or the path of a JSON file.")
                % {"name": text, "builtin": ", ".join(BUILTIN)}
            ]
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RuleSetError(
            [
                _("The rule set file %(path)s is not valid JSON (%(error)s).")
                % {"path": path, "error": exc}
            ]
        ) from exc
    return RuleSet.from_dict(data)


__all__ = [
    "BUILTIN",
    "FIELD_KEYS",
    "LEVELS",
    "RuleSet",
    "RuleSetError",
    "load_ruleset",
    "validate",
    "variant",
]
