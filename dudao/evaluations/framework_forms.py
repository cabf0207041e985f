"""The framework screens' forms. They parse what the user typed; the rules are the services'
and the framework engine's (`framework_services.indicator_problems`, shown on the field they
concern by `apply_domain_error`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dudao.core.idempotency import OnceForm

from . import framework_services as services
from .engine.framework import format_levels
from .models import Framework, Indicator, Method, TargetKind


class FrameworkFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Scored targets"), choices=[("", _("All")), *TargetKind.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *Framework.Status.choices], required=False
    )
    revisions = forms.BooleanField(label=_("Show every revision"), required=False)


class FrameworkForm(OnceForm):
    """A draft's own fields (new framework, or the editor's header)."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Scored targets"), choices=TargetKind.choices)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    source = forms.CharField(label=_("Source documents (依据)"), max_length=300, required=False)


class CopyForm(forms.Form):
    title = forms.CharField(label=_("Title of the copy"), max_length=200, required=False)


class IndicatorForm(forms.Form):
    """One indicator. The parent is chosen among the framework's indicators (never the
    indicator itself or one of its own sub-indicators); levels are typed as in the
    spreadsheet: A:1,B:0.8,C:0.6,D:0."""

    stamp = forms.CharField(widget=forms.HiddenInput, required=False)
    parent = forms.TypedChoiceField(
        label=_("Parent indicator"), coerce=int, empty_value=None, required=False
    )
    code = forms.CharField(
        label=_("Code"), max_length=services.CODE_MAX, help_text=_("Such as A1, B3 or C12.")
    )
    title = forms.CharField(label=_("Title"), max_length=services.TITLE_MAX)
    max_score = forms.DecimalField(
        label=_("Maximum score"),
        max_digits=9,
        decimal_places=2,
        min_value=0,
        help_text=_(
            "With sub-indicators: the sum of theirs. A veto item (一票否决) has the maximum 0."
        ),
    )
    method = forms.ChoiceField(
        label=_("Scoring method"),
        choices=[("", _("None: scored by its sub-indicators")), *Method.choices],
        required=False,
    )
    levels = forms.CharField(
        label=_("Levels"),
        required=False,
        max_length=200,
        help_text=_(
            "For the levels method: each level and its share of the maximum, such as "
            "A:1,B:0.8,C:0.6,D:0."
        ),
    )
    formula = forms.CharField(
        label=_("Formula"),
        required=False,
        max_length=services.FORMULA_MAX,
        help_text=_("For the formula method, such as min(1, teachers / (pupils / 19)) * 10."),
    )
    guide = forms.CharField(
        label=_("Scoring guide (评分细则)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    evidence = forms.CharField(
        label=_("Expected evidence (佐证材料)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args, framework: Framework, indicator: Indicator | None = None, rows=None, **kwargs
    ):
        # Several forms may be open at once in the editor: ids of their own.
        kwargs.setdefault("auto_id", f"id_ind{indicator.pk if indicator else 'new'}_%s")
        super().__init__(*args, **kwargs)
        rows = rows if rows is not None else list(framework.indicators.order_by("position"))
        excluded = set()
        if indicator is not None:
            below = {indicator.pk}
            for row in rows:  # depth-first: a sub-indicator comes after its parent
                if row.parent_id in below:
                    below.add(row.pk)
            excluded = below
        self.fields["parent"].choices = [("", _("None: a first-level indicator"))] + [
            (row.pk, f"{'　' * row.depth}{row.code} {row.title}"[:80])
            for row in rows
            if row.pk not in excluded
        ]

    @classmethod
    def initial_for(cls, indicator: Indicator, stamp: str) -> dict:
        return {
            "stamp": stamp,
            "parent": indicator.parent_id,
            "code": indicator.code,
            "title": indicator.title,
            "max_score": indicator.max_score,
            "method": indicator.method,
            "levels": format_levels(services.levels_of(indicator.levels)),
            "formula": indicator.formula,
            "guide": indicator.guide,
            "evidence": indicator.evidence,
        }

    def values(self) -> dict:
        """The indicator's values for `framework_services.add_indicator` /
        `update_indicator` (with `parent`)."""
        data = dict(self.cleaned_data)
        data.pop("stamp", None)
        return data


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("The framework spreadsheet (XLSX), or a CSV file as the command reads it."),
    )
