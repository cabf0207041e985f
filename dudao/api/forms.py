from django import forms
from django.utils.translation import gettext_lazy as _

from dudao.core.idempotency import OnceForm


class TokenForm(OnceForm):
    name = forms.CharField(
        label=_("Device or purpose"),
        max_length=80,
        help_text=_("For example “Zhang's phone” or “the city platform's import script”."),
    )
