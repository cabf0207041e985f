"""Forms of the government units' registry pages (督政对象): the edit form, the list's
filters and the import upload. The rules are the services' (services.check_unit)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import GovernmentUnit, Region
from .services import county_government_of, unit_version


class UnitForm(forms.ModelForm):
    # The unit's version when the form was shown (services.unit_version): a save after
    # someone else's change is refused instead of overwriting it.
    expected_version = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = GovernmentUnit
        fields = ["kind", "name", "parent", "region", "contact", "phone", "position"]
        widgets = {"phone": forms.TextInput(attrs={"inputmode": "tel"})}
        help_texts = {
            "parent": _("Departments only: the county government."),
            "region": _("Township governments only: the township or subdistrict it governs."),
            "position": _("Units of a kind are listed by this number, then by name."),
        }

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        self.office = office
        self.fields["position"].required = False  # blank: 0 for a new unit, else unchanged
        county = county_government_of(office)
        self.fields["parent"].queryset = (
            GovernmentUnit.objects.unscoped()
            .filter(pk=county.pk if county else None)
            .exclude(pk=self.instance.pk)
        )
        self.fields["region"].queryset = Region.objects.filter(
            level=Region.Level.TOWNSHIP, path__startswith=office.region.path
        ).order_by("code")
        if self.instance.pk:
            self.fields["expected_version"].initial = unit_version(self.instance)
        elif county is not None:
            self.fields["parent"].initial = county.pk

    def validate_unique(self):
        pass  # the service reports a duplicate name with a clear message


ACTIVE_CHOICES = [("yes", _("Active")), ("no", _("Inactive")), ("all", _("All"))]


class UnitFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *GovernmentUnit.Kind.choices],
    )
    active = forms.ChoiceField(label=_("Status"), required=False, choices=ACTIVE_CHOICES)


class UnitImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        help_text=_("One row per unit, in the columns of the template."),
    )
