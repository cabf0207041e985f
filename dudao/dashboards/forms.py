import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dudao.accounts import scoping
from dudao.accounts.models import Role

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


class DashboardFilterForm(forms.Form):
    """The dashboard's optional filters. Offices and zones are chosen among those in the
    user's scope only: another county's id is an invalid choice, never a wider view."""

    month = forms.CharField(
        label=_("Month"), required=False, widget=forms.TextInput(attrs={"type": "month"})
    )
    office = forms.ModelChoiceField(
        label=_("County office"), required=False, queryset=None, empty_label=_("All offices")
    )
    zone = forms.ModelChoiceField(
        label=_("Zone"), required=False, queryset=None, empty_label=_("All zones")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        wide = user.is_superuser or user.role == Role.VIEWER
        zones = scoping.zones_for(user).order_by("pk")
        if wide:
            self.fields["office"].queryset = scoping.offices_for(user)
            office_id = (self.data.get("office") or "").strip() if self.is_bound else ""
            # A province has hundreds of zones: offer those of the chosen office only.
            zones = zones.filter(office_id=office_id) if office_id.isdigit() else zones.none()
        else:
            del self.fields["office"]
        if wide or user.role in (Role.OFFICE_ADMIN, Role.ZONE_LEADER):
            self.fields["zone"].queryset = zones
        else:
            del self.fields["zone"]

    def clean_month(self):
        value = (self.cleaned_data.get("month") or "").strip()
        if not value:
            return None
        match = MONTH_RE.match(value)
        if not match or not (1 <= int(match[2]) <= 12) or not (2000 <= int(match[1]) <= 2100):
            raise forms.ValidationError(_("Enter a month as YYYY-MM."))
        return int(match[1]), int(match[2])

    def clean(self):
        data = super().clean()
        zone, office = data.get("zone"), data.get("office")
        if zone is not None and office is not None and zone.office_id != office.pk:
            self.add_error("zone", _("This zone is not in the chosen office."))
        return data

    def choices(self) -> tuple[int, int, object, object]:
        """(year, month, office, zone) from the valid fields; defaults for the others."""
        today = timezone.localdate()
        data = getattr(self, "cleaned_data", {}) if self.is_bound else {}
        errors = self.errors if self.is_bound else {}
        month = data.get("month") if "month" not in errors else None
        year, number = month or (today.year, today.month)
        office = data.get("office") if "office" not in errors else None
        zone = data.get("zone") if "zone" not in errors else None
        if zone is not None and office is None and "office" in self.fields:
            office = zone.office
        return year, number, office, zone
