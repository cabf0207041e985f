from django import forms
from django.utils.translation import gettext_lazy as _

from . import periods
from .models import SummarySection


class TextForm(forms.Form):
    """One section of the summary's own words, with the summary it belongs to."""

    subject = forms.CharField(widget=forms.HiddenInput, max_length=40)
    period = forms.ChoiceField(
        widget=forms.HiddenInput, choices=[(kind, kind) for kind in periods.KINDS]
    )
    year = forms.IntegerField(widget=forms.HiddenInput, required=False)
    first = forms.DateField(widget=forms.HiddenInput, required=False)
    last = forms.DateField(widget=forms.HiddenInput, required=False)
    section = forms.ChoiceField(widget=forms.HiddenInput, choices=SummarySection.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    text = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One paragraph a line. Empty it to bring the draft back."),
    )
