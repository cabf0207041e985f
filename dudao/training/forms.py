from django import forms
from django.utils.translation import gettext_lazy as _

from dudao.core.idempotency import OnceForm

from .models import Attendance, Session, TrainingRules

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class SessionForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Session
        fields = ["topic", "date", "hours", "trainer", "place", "description"]
        widgets = {"date": DATE, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def _post_clean(self):  # the service validates (docs/architecture.md §3)
        pass


class SessionCreateForm(OnceForm, SessionForm):
    pass


class MaterialForm(forms.Form):
    file = forms.FileField(label=_("File"))


class AttendanceForm(forms.Form):
    presence = forms.ChoiceField(label=_("Attendance"), choices=Attendance.Presence.choices)
    hours = forms.DecimalField(
        label=_("Hours credited"), required=False, max_digits=5, decimal_places=1, min_value=0
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file"))


class RequirementForm(forms.ModelForm):
    class Meta:
        model = TrainingRules
        fields = ["yearly_hours"]

    def _post_clean(self):
        pass
