from django import forms
from django.utils.translation import gettext_lazy as _

from dudao.accounts import scoping
from dudao.checklists.models import ChecklistTemplate, Purpose
from dudao.core.idempotency import OnceForm
from dudao.schools.models import School, SchoolType

from .models import PeriodicReturn, Schedule

LOCKED_WHEN_ACTIVE = ("checklist", "schedule", "due_day", "starts_on")


class ReturnForm(OnceForm):
    title = forms.CharField(label=_("title"), max_length=200)
    checklist = forms.ModelChoiceField(
        label=_("checklist"), queryset=ChecklistTemplate.objects.none()
    )
    schedule = forms.ChoiceField(label=_("schedule"), choices=Schedule.choices)
    due_day = forms.IntegerField(
        label=_("due day"),
        required=False,
        min_value=1,
        max_value=28,
        help_text=_("A given day of each month: 1–28; every week: 1 (Monday) to 7 (Sunday)."),
    )
    starts_on = forms.DateField(
        label=_("first period from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("last due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    remind_days_before = forms.IntegerField(
        label=_("remind days before"), min_value=0, max_value=30, initial=1
    )
    types = forms.MultipleChoiceField(
        label=_("school types"),
        choices=SchoolType.choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    zones = forms.ModelMultipleChoiceField(
        label=_("zones"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    schools = forms.ModelMultipleChoiceField(
        label=_("schools"),
        queryset=School.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_(
            "The schools of the chosen types and zones, plus those listed; nothing chosen: "
            "every active school."
        ),
    )

    def __init__(self, *args, user, instance: PeriodicReturn | None = None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": instance.title,
                "checklist": instance.checklist_id,
                "schedule": instance.schedule,
                "due_day": instance.due_day,
                "starts_on": instance.starts_on,
                "ends_on": instance.ends_on,
                "remind_days_before": instance.remind_days_before,
                "schools": list(instance.schools.values_list("pk", flat=True)),
            }
        super().__init__(*args, **kwargs)
        self.fields["checklist"].queryset = (
            scoping.checklists_for(user)
            .filter(status=ChecklistTemplate.Status.PUBLISHED, purpose=Purpose.RETURN)
            .order_by("title", "-revision")
        )
        self.fields["zones"].queryset = scoping.zones_for(user).order_by("name")
        self.fields["schools"].queryset = scoping.schools_for(user).order_by("name")
        if instance is not None and instance.status != PeriodicReturn.Status.DRAFT:
            for name in LOCKED_WHEN_ACTIVE:
                self.fields[name].disabled = True
                self.fields[name].required = False

    def clean_due_day(self):
        day = self.cleaned_data.get("due_day")
        if self.cleaned_data.get("schedule") == Schedule.WEEKLY and day and day > 7:
            raise forms.ValidationError(_("Give a weekday from 1 (Monday) to 7 (Sunday)."))
        return day

    def service_kwargs(self, *, creating=True) -> dict:
        data = dict(self.cleaned_data)
        if not creating:
            data.pop("request_key", None)
        data["zones"] = list(data.get("zones") or [])
        data["schools"] = list(data.get("schools") or [])
        data["types"] = list(data.get("types") or [])
        return data
