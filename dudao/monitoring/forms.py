import copy
import json

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .fields import LEVEL_LABELS, NUMERIC_FIELDS, SCHOOL_TYPES, SPONSOR_HEADER, SPONSORS
from .models import SCHOOL_TYPE_CHOICES, SPONSOR_CHOICES

LEVEL_NAMES = {"primary": _("primary"), "junior": _("junior")}
SPLIT_KEYS = [
    ("九年一贯制学校", "primary"),
    ("九年一贯制学校", "junior"),
    ("完全中学", "junior"),
    ("完全中学", "senior"),
    ("十二年一贯制学校", "primary"),
    ("十二年一贯制学校", "junior"),
    ("十二年一贯制学校", "senior"),
]


def year_field(**kwargs):
    this_year = timezone.localdate().year
    return forms.IntegerField(
        label=_("Year"), min_value=2000, max_value=this_year + 1, initial=this_year, **kwargs
    )


class UploadForm(forms.Form):
    year = year_field()
    file = forms.FileField(
        label=_("File"),
        help_text=_("The XLSX template (or a CSV file with the same headers)."),
    )


class ResourcesForm(forms.Form):
    """One school's figures for one year; labels are the template's headers."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    school_type = forms.ChoiceField(label="学校类型", choices=SCHOOL_TYPE_CHOICES)
    sponsor = forms.ChoiceField(
        label=SPONSOR_HEADER,
        choices=SPONSOR_CHOICES,
        initial=SPONSORS[0],
        required=False,
        help_text=_("Schools run by the province or the city are left out by the 2012 rule set."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in NUMERIC_FIELDS:
            label = f"{f.header}（{f.unit}）" if f.unit else f.header
            if f.integer:
                self.fields[f.key] = forms.IntegerField(
                    label=label, min_value=0, required=False, initial=0
                )
            else:
                self.fields[f.key] = forms.DecimalField(
                    label=label,
                    min_value=0,
                    max_digits=16,
                    decimal_places=2,
                    required=False,
                    initial=0,
                )

    def figures(self) -> dict:
        return {f.key: self.cleaned_data.get(f.key) or 0 for f in NUMERIC_FIELDS}


class CopyRuleSetForm(forms.Form):
    name = forms.SlugField(
        label=_("Name"),
        max_length=60,
        help_text=_("A short identifier, e.g. zj-2017 (letters, digits and hyphens)."),
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)


class RuleSetForm(forms.Form):
    """The editable parameters of a rule set: limits, standards, the school rule, split
    ratios, exclusions and the CV kind. `to_data()` returns the complete new JSON."""

    expected_version = forms.CharField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("Title"), max_length=200)
    source = forms.CharField(label=_("Source"), widget=forms.Textarea(attrs={"rows": 2}))
    weighted_cv = forms.BooleanField(
        label=_("Enrolment-weighted CV"),
        required=False,
        help_text=_("Unticked: plain mean and population standard deviation."),
    )
    compare_rounded = forms.BooleanField(
        label=_("Compare rounded CVs with the limits"), required=False
    )
    on_bad_row = forms.ChoiceField(
        label=_("Rows with errors"),
        choices=[
            ("refuse", _("Refuse the whole run")),
            ("exclude", _("Exclude the row and list it")),
        ],
    )
    exclude_teaching_points = forms.BooleanField(
        label=_("Exclude teaching points (教学点)"), required=False
    )
    exclude_private = forms.BooleanField(
        label=_("Exclude private schools (民办)"),
        required=False,
        help_text=_("From the registry: a school's public or private status."),
    )
    exclude_sponsors = forms.MultipleChoiceField(
        label=_("Exclude schools run by"),
        choices=[(t, t) for t in SPONSORS[1:]],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Set per school with its monitoring figures (举办者)."),
    )
    min_enrolment = forms.IntegerField(
        label=_("Exclude schools with fewer students than"),
        min_value=1,
        required=False,
        help_text=_("Leave blank for no minimum."),
    )
    min_enrolment_types = forms.MultipleChoiceField(
        label=_("Minimum applies to these school types only"),
        choices=[(t, t) for t in SCHOOL_TYPES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: all types."),
    )

    def __init__(self, *args, ruleset, **kwargs):
        self.ruleset = ruleset
        data = ruleset.data
        self.regime = data["regime"]
        exclusions = data.get("exclusions", {})
        kwargs.setdefault(
            "initial",
            {
                "expected_version": ruleset.version,
                "title": data.get("title", ""),
                "source": data.get("source", ""),
                "weighted_cv": data.get("weighted_cv", True),
                "compare_rounded": data.get("compare_rounded", False),
                "on_bad_row": data.get("on_bad_row", "refuse"),
                "exclude_teaching_points": "教学点" in (exclusions.get("school_types") or []),
                "exclude_private": "民办" in (exclusions.get("ownership") or []),
                "exclude_sponsors": list(exclusions.get("sponsors") or []),
                "min_enrolment": exclusions.get("min_enrolment"),
                "min_enrolment_types": exclusions.get("min_enrolment_school_types") or [],
            },
        )
        super().__init__(*args, **kwargs)
        limit_key = "composite_cv_max" if self.regime == "basic" else "cv_max"
        self.level_fields = []
        for level, spec in data["levels"].items():
            name = f"limit_{level}"
            label = (
                _("Composite CV limit, %(level)s")
                if self.regime == "basic"
                else _("CV limit per indicator, %(level)s")
            ) % {"level": LEVEL_NAMES.get(level, level)}
            self.fields[name] = forms.FloatField(
                label=label, min_value=0, initial=spec.get(limit_key)
            )
            self.level_fields.append(name)
        self.standard_fields = []
        if self.regime == "quality":
            rule = data.get("school_rule", {})
            self.fields["min_standards_met"] = forms.IntegerField(
                label=_("Standards a school must meet"),
                min_value=0,
                max_value=len(data["indicators"]),
                initial=rule.get("min_standards_met", 6),
            )
            self.fields["remaining_share"] = forms.FloatField(
                label=_("The others at least this share of the standard"),
                min_value=0,
                max_value=1,
                initial=rule.get("remaining_share", 0.85),
                help_text=_("0.85 = 85 %."),
            )
            for indicator in data["indicators"]:
                for level in data["levels"]:
                    name = f"standard_{indicator['key']}_{level}"
                    self.fields[name] = forms.FloatField(
                        label=f"{indicator['label']} · {LEVEL_NAMES.get(level, level)}",
                        min_value=0,
                        initial=(indicator.get("standard") or {}).get(level),
                    )
                    self.standard_fields.append(name)
        self.split_fields = []
        ratios = data.get("split_ratios", {})
        for school_type, level in SPLIT_KEYS:
            if school_type not in ratios:
                continue
            name = f"split_{SCHOOL_TYPES_INDEX[school_type]}_{level}"
            self.fields[name] = forms.FloatField(
                label=f"{school_type} · {LEVEL_LABELS[level]}",
                min_value=0.01,
                initial=ratios[school_type].get(level),
            )
            self.split_fields.append(name)

    def to_data(self) -> dict:
        cd = self.cleaned_data
        data = copy.deepcopy(self.ruleset.data)
        data["title"] = cd["title"]
        data["source"] = cd["source"]
        data["weighted_cv"] = bool(cd["weighted_cv"])
        data["compare_rounded"] = bool(cd["compare_rounded"])
        data["on_bad_row"] = cd["on_bad_row"]
        limit_key = "composite_cv_max" if self.regime == "basic" else "cv_max"
        for level in data["levels"]:
            data["levels"][level][limit_key] = cd[f"limit_{level}"]
        if self.regime == "quality":
            data["school_rule"] = {
                "min_standards_met": cd["min_standards_met"],
                "remaining_share": cd["remaining_share"],
            }
            for indicator in data["indicators"]:
                for level in data["levels"]:
                    indicator.setdefault("standard", {})[level] = cd[
                        f"standard_{indicator['key']}_{level}"
                    ]
        for school_type, level in SPLIT_KEYS:
            name = f"split_{SCHOOL_TYPES_INDEX[school_type]}_{level}"
            if name in cd:
                data["split_ratios"][school_type][level] = cd[name]
        exclusions = dict(data.get("exclusions", {}))
        types = [t for t in exclusions.get("school_types") or [] if t != "教学点"]
        if cd["exclude_teaching_points"]:
            types.append("教学点")
        exclusions["school_types"] = types
        exclusions["ownership"] = ["民办"] if cd["exclude_private"] else []
        exclusions["sponsors"] = list(cd["exclude_sponsors"])
        exclusions["min_enrolment"] = cd["min_enrolment"]
        exclusions["min_enrolment_school_types"] = list(cd["min_enrolment_types"])
        data["exclusions"] = exclusions
        return data


SCHOOL_TYPES_INDEX = {t: i for i, t in enumerate(SCHOOL_TYPES)}


class WhatIfForm(forms.Form):
    """One change to add to the what-if (school, figure, amount to add), plus the changes so
    far as JSON ({school code: {field key: amount}})."""

    changes = forms.CharField(widget=forms.HiddenInput, required=False)
    school = forms.ChoiceField(label=_("School"), required=False)
    field = forms.ChoiceField(label=_("Figure"), required=False)
    amount = forms.DecimalField(
        label=_("Add (negative to remove)"), required=False, max_digits=16, decimal_places=2
    )

    def __init__(self, *args, schools=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [("", "—")] + [(c, f"{n} ({c})") for c, n in schools]
        self.fields["field"].choices = [("", "—")] + [
            (f.key, f"{f.header}（{f.unit}）" if f.unit else f.header) for f in NUMERIC_FIELDS
        ]

    def all_changes(self) -> dict:
        cd = self.cleaned_data if self.is_bound and self.is_valid() else {}
        try:
            changes = json.loads(cd.get("changes") or "{}")
        except ValueError:
            changes = {}
        if not isinstance(changes, dict):
            changes = {}
        clean = {}
        for code, fields_ in changes.items():
            if isinstance(fields_, dict):
                clean[str(code)] = {
                    str(k): float(v) for k, v in fields_.items() if isinstance(v, (int, float))
                }
        school, field, amount = cd.get("school"), cd.get("field"), cd.get("amount")
        if school and field and amount:
            entry = clean.setdefault(school, {})
            entry[field] = entry.get(field, 0.0) + float(amount)
            if entry[field] == 0:
                del entry[field]
        return {code: f for code, f in clean.items() if f}
