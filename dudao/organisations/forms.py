from django import forms

from .models import Office
from .services import CONTACT_FIELDS


class OfficeContactsForm(forms.ModelForm):
    class Meta:
        model = Office
        fields = CONTACT_FIELDS
