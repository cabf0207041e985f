"""Forms of the rectification screens. They only parse input; the rules live in
`dudao.rectification.services` (which raise DomainError)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dudao.core.supervision_items import ITEM_CHOICES

from .models import AccountabilityCase, Finding, IndividualMeasure, Severity, UnitMeasure

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FindingForm(forms.Form):
    school = forms.ModelChoiceField(label=_("School"), queryset=None)
    area = forms.TypedChoiceField(
        label=_("Supervision item"), coerce=int, choices=[("", "—"), *ITEM_CHOICES]
    )
    description = forms.CharField(
        label=_("Problem"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    evidence = forms.CharField(
        label=_("Evidence"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What was seen, heard or read that shows the problem."),
    )
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Severity.choices, initial=Severity.GENERAL
    )
    deadline_kind = forms.ChoiceField(
        label=_("How it is to be fixed"),
        choices=Finding.DeadlineKind.choices,
        initial=Finding.DeadlineKind.BY_DATE,
        widget=forms.RadioSelect,
    )
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=DATE)
    required_action = forms.CharField(
        label=_("Required action"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, schools, fixed_school=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        if fixed_school is not None:
            self.fields["school"].initial = fixed_school.pk
            self.fields["school"].widget = forms.HiddenInput()


class ActionForm(forms.Form):
    """Every field any action may need; each action reads the ones it uses."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), required=False, max_length=5000)
    text = forms.CharField(label=_("Rectification report"), required=False, max_length=10000)
    deadline = forms.DateField(label=_("Deadline"), required=False)
    severity = forms.ChoiceField(label=_("Severity"), required=False, choices=Severity.choices)
    department = forms.CharField(label=_("Department"), required=False, max_length=100)


class NoticeIssueForm(forms.Form):
    findings = forms.TypedMultipleChoiceField(
        label=_("Findings"), coerce=int, choices=(), widget=forms.CheckboxSelectMultiple
    )
    deadline = forms.DateField(
        label=_("Deadline"),
        required=False,
        widget=DATE,
        help_text=_("Leave empty to keep each finding's own deadline."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, findings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["findings"].choices = [(f.pk, str(f.pk)) for f in findings]


MEASURE_CHOICES = [
    (_("Measures against a unit"), [(f"unit:{v}", label) for v, label in UnitMeasure.choices]),
    (
        _("Measures against an individual"),
        [(f"individual:{v}", label) for v, label in IndividualMeasure.choices],
    ),
]


def _measures_of(kind: str, values) -> list[str]:
    """Measures chosen for `kind` ("unit:x" values); a measure of the other kind is kept
    with its prefix so the service refuses it by name."""
    result = []
    for value in values or []:
        prefix, _sep, measure = value.partition(":")
        result.append(measure if prefix == kind else value)
    return result


class CaseForm(forms.Form):
    target_kind = forms.ChoiceField(
        label=_("Target"),
        choices=AccountabilityCase.TargetKind.choices,
        widget=forms.RadioSelect,
        initial=AccountabilityCase.TargetKind.UNIT,
    )
    target_name = forms.CharField(label=_("Unit or person"), max_length=100)
    measures = forms.MultipleChoiceField(
        label=_("Measures"),
        required=False,
        choices=MEASURE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Record what the office decided; nothing is applied automatically."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def measure_values(self) -> list[str]:
        return _measures_of(self.cleaned_data["target_kind"], self.cleaned_data["measures"])


class CaseUpdateForm(forms.Form):
    measures = forms.MultipleChoiceField(
        label=_("Measures"), required=False, widget=forms.CheckboxSelectMultiple
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, case, **kwargs):
        kwargs.setdefault("initial", {"measures": case.measures, "notes": case.notes})
        super().__init__(*args, **kwargs)
        self.fields["measures"].choices = AccountabilityCase.measure_choices(
            case.target_kind
        ).choices


class CaseCloseForm(forms.Form):
    notes = forms.CharField(
        label=_("Closing note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
