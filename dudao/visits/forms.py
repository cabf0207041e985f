"""Forms of the visit screens. They only parse and validate input; the rules live in
`dudao.visits.services` (which raise DomainError)."""

import datetime
import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dudao.core.lookups import LookupField, LookupWidget
from dudao.core.supervision_items import SUPERVISION_ITEMS

from .models import AreaCheck, SixMinimum, Visit, VisitMethod

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def now_minute() -> datetime.datetime:
    return timezone.localtime().replace(second=0, microsecond=0)


class VisitForm(forms.Form):
    """The phone form of one visit. Every field is optional for a draft; `submit_visit`
    refuses a visit without a time."""

    client_uuid = forms.UUIDField(widget=forms.HiddenInput)
    visited_at = forms.DateTimeField(
        label=_("Date and time of the visit"),
        required=False,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    unannounced = forms.BooleanField(
        label=_("Unannounced (四不两直)"),
        required=False,
        initial=True,
        help_text=_("No notice, no greeting, no briefing, no escort; straight to the site."),
    )
    methods = forms.MultipleChoiceField(
        label=_("Methods"),
        required=False,
        choices=VisitMethod.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    minimums = forms.MultipleChoiceField(
        label=_("Six minimums covered"),
        required=False,
        choices=SixMinimum.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    feedback = forms.CharField(
        label=_("Feedback to the school"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    summary = forms.CharField(
        label=_("Visit summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Internal notes, not shown to the school."),
    )

    def __init__(self, *args, visit: Visit | None = None, **kwargs):
        if visit is not None and not kwargs.get("data") and not (args and args[0]):
            kwargs["initial"] = initial_from_visit(visit)
        super().__init__(*args, **kwargs)
        if not self.is_bound and "client_uuid" not in self.initial:
            self.initial["client_uuid"] = uuid.uuid4()
        if not self.is_bound and "visited_at" not in self.initial:
            self.initial["visited_at"] = now_minute()
        for item in SUPERVISION_ITEMS:
            self.fields[f"area_{item.number}_status"] = forms.ChoiceField(
                label=item.label,
                required=False,
                choices=AreaCheck.Status.choices,
                initial=AreaCheck.Status.NOT_CHECKED,
                widget=forms.RadioSelect,
            )
            self.fields[f"area_{item.number}_note"] = forms.CharField(
                label=_("Note"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def area_rows(self):
        """(item, status field, note field) for the eight supervision items."""
        return [
            (item, self[f"area_{item.number}_status"], self[f"area_{item.number}_note"])
            for item in SUPERVISION_ITEMS
        ]

    def service_kwargs(self) -> dict:
        """The cleaned data as keyword arguments of save_draft / submit_visit."""
        data = self.cleaned_data
        areas = [
            {
                "area": item.number,
                "status": data.get(f"area_{item.number}_status") or AreaCheck.Status.NOT_CHECKED,
                "note": data.get(f"area_{item.number}_note", ""),
            }
            for item in SUPERVISION_ITEMS
        ]
        return {
            "areas": areas,
            "visited_at": data.get("visited_at"),
            "unannounced": bool(data.get("unannounced")),
            "methods": data.get("methods") or [],
            "minimums": data.get("minimums") or [],
            "feedback": data.get("feedback", ""),
            "summary": data.get("summary", ""),
            "notes": data.get("notes", ""),
        }


def initial_from_visit(visit: Visit) -> dict:
    initial = {
        "client_uuid": visit.client_uuid,
        "visited_at": timezone.localtime(visit.visited_at) if visit.visited_at else None,
        "unannounced": visit.unannounced,
        "methods": visit.methods,
        "minimums": visit.minimums,
        "feedback": visit.feedback,
        "summary": visit.summary,
        "notes": visit.notes,
    }
    for check in visit.area_checks.all():
        initial[f"area_{check.area}_status"] = check.status
        initial[f"area_{check.area}_note"] = check.note
    return initial


class MonthField(forms.CharField):
    """YYYY-MM → (year, month)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "month"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            year, month = (int(part) for part in value.split("-"))
            datetime.date(year, month, 1)
        except ValueError as exc:
            raise forms.ValidationError(_("Enter a month as YYYY-MM.")) from exc
        return year, month


class VisitFilterForm(forms.Form):
    """The visit list's filters. School and inspector are chosen within the reader's scope,
    by a search field when the scope is wide (`dudao.core.lookups`)."""

    school = LookupField("school", label=_("School"), required=False)
    inspector = LookupField("inspector", label=_("Inspector"), required=False)
    month = MonthField(label=_("Month"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *Visit.Status.choices],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].set_scope(user)
        self.fields["inspector"].set_scope(user)


class InspectorPickForm(forms.Form):
    """The office admin's choice of whose schools "my schools" shows."""

    inspector = LookupField(
        "inspector",
        label=_("Inspector"),
        required=False,
        widget=LookupWidget(attrs={"data-autosubmit": True}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspector"].set_scope(user)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"), allow_empty_file=True)
