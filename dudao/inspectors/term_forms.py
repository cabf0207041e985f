from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Certificate, InspectorRules, Term

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class TermForm(forms.ModelForm):
    class Meta:
        model = Term
        fields = ["start_date", "end_date", "letter_number", "appointed_by", "note"]
        widgets = {"start_date": DATE, "end_date": DATE}

    def validate_unique(self):
        pass

    def _post_clean(self):  # the service validates (docs/architecture.md §3)
        pass


class CertificateForm(forms.ModelForm):
    upload = forms.FileField(
        label=_("Scan (photo or PDF)"),
        required=False,
        help_text=_("Added beside the certificate's other files."),
    )

    class Meta:
        model = Certificate
        fields = ["kind", "name", "number", "issuer", "issued_on", "expires_on", "note"]
        widgets = {"issued_on": DATE, "expires_on": DATE}

    def validate_unique(self):
        pass

    def _post_clean(self):
        pass


class ReminderDaysForm(forms.ModelForm):
    class Meta:
        model = InspectorRules
        fields = ["term_reminder_days", "certificate_reminder_days"]

    def _post_clean(self):
        pass
