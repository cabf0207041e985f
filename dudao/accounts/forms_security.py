"""Forms of the security pages (dudao.accounts.views_security)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import OfficeSecurityPolicy


class SecurityPolicyForm(forms.ModelForm):
    class Meta:
        model = OfficeSecurityPolicy
        fields = [
            "min_length",
            "require_classes",
            "history_count",
            "max_age_days",
            "remember_days",
            "require_totp_for_admins",
        ]

    def validate_unique(self):
        pass  # one row per office, kept by the service


def _code_field():
    field = forms.CharField(label=_("Code from the app"), max_length=10)
    field.widget.attrs.update(
        autocomplete="one-time-code", inputmode="numeric", pattern="[0-9 ]*", autofocus=True
    )
    return field


class CodeForm(forms.Form):
    code = _code_field()


class DisableForm(forms.Form):
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)
    code = _code_field()
    password.widget.attrs.update(autocomplete="current-password")
