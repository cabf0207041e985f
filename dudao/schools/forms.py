from django import forms
from django.utils.translation import gettext_lazy as _

from dudao.core.lookups import LookupField
from dudao.inspectors.models import Zone
from dudao.organisations.models import Region

from .models import School, SchoolType


class SchoolForm(forms.ModelForm):
    class Meta:
        model = School
        fields = [
            "code",
            "name",
            "type",
            "ownership",
            "location",
            "township",
            "zone",
            "address",
            "principal",
            "phone",
            "enrolment_kindergarten",
            "enrolment_primary",
            "enrolment_junior",
            "enrolment_senior",
            "host_school",
            "is_active",
        ]
        widgets = {"code": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 10})}

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        self.office = office
        self.fields["township"].queryset = Region.objects.filter(
            level=Region.Level.TOWNSHIP, path__startswith=office.region.path
        )
        self.fields["zone"].queryset = Zone.objects.unscoped().filter(office=office)
        self.fields["host_school"].queryset = (
            School.objects.unscoped()
            .filter(office=office)
            .exclude(type=SchoolType.TEACHING_POINT)
            .exclude(pk=self.instance.pk)
        )

    def validate_unique(self):
        pass  # the service reports a duplicate code with a clear message


class SchoolFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *SchoolType.choices]
    )
    # A province viewer's scope has about a thousand of each: search fields (core/lookups.py).
    township = LookupField(
        "township", label=_("Township"), required=False, empty_label=_("All townships")
    )
    zone = LookupField("zone", label=_("Zone"), required=False, empty_label=_("All zones"))
    assigned = forms.ChoiceField(
        label=_("Responsible inspector"),
        required=False,
        choices=[("", _("Any")), ("yes", _("Assigned")), ("no", _("Not assigned"))],
    )
    active = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("yes", _("Active")), ("no", _("Inactive")), ("all", _("All"))],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].set_scope(user)
        self.fields["zone"].set_scope(user)
