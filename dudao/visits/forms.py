"""Forms of the visit screens. They only parse and validate input; the rules live in
`dudao.visits.services` (which raise DomainError)."""

import datetime
import uuid

from django import forms
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from dudao.accounts import scoping
from dudao.core.lookups import LookupField, LookupWidget
from dudao.core.supervision_items import ITEM_CHOICES, SUPERVISION_ITEMS, SupervisionItem
from dudao.rectification.models import Finding, Severity
from dudao.schools.models import SchoolType

from .models import (
    AreaCheck,
    FocusPoint,
    Period,
    SchoolTypeRule,
    SixMinimum,
    Visit,
    VisitMethod,
)
from .services import on_the_spot_requirement

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class IdListField(forms.Field):
    """Checked ids (the visit's files chosen for a finding). The boxes are drawn by the
    template from the visit's attachments, and photos uploaded meanwhile add their own box,
    so the choices are not fixed here: the service refuses an id that is not the visit's."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        if not isinstance(value, list | tuple):
            value = [value]
        try:
            return sorted({int(v) for v in value if str(v).strip()})
        except (TypeError, ValueError) as exc:
            raise forms.ValidationError(_("Choose among the files of this visit.")) from exc


def _options(choices) -> list[tuple[str, str]]:
    """Choices with their labels translated once per form, not once per item."""
    return [(str(value), str(label)) for value, label in choices]


def _aria(bound, errors, *, fieldset: bool = False):
    """The attributes Django's widgets add to an input (BoundField.build_widget_attrs):
    aria-invalid with errors, and aria-describedby naming the help text and the error list
    (not on the inputs of a group of radios or boxes)."""
    described = []
    if not fieldset:
        if bound.help_text:
            described.append(f"{bound.auto_id}_helptext")
        if errors:
            described.append(f"{bound.auto_id}_error")
    if not errors and not described:
        return ""
    return format_html(
        "{}{}",
        mark_safe(' aria-invalid="true"') if errors else "",
        format_html(' aria-describedby="{}"', " ".join(described)) if described else "",
    )


def _control(bound, *, fieldset: bool = False, value=None) -> dict:
    """One control of an item, drawn by hand in the template (visits/form.html): its name,
    id, label, value as the widget formats it, errors and aria attributes. The item rows are
    most of the form's fields, and rendering them with Django's widget templates (a template
    per input, per option and per attribute list) was most of the page's cost."""
    errors = bound.errors
    return {
        "name": bound.html_name,
        "auto_id": bound.auto_id,
        "label": str(bound.label),  # translated once, not at each use in the template
        "help_text": str(bound.help_text),
        "errors": errors,
        "aria": _aria(bound, errors, fieldset=fieldset),
        "value": bound.field.widget.format_value(bound.value()) if value is None else value,
    }


def _choice_control(bound, options, *, fieldset: bool) -> dict:
    """A radio group (`fieldset`) or a select: the control with its options, each with the
    id RadioSelect gives it and whether it is checked (selected)."""
    value = bound.value()
    chosen = "" if value is None else str(value)
    control = _control(bound, fieldset=fieldset, value=chosen)
    auto_id = control["auto_id"]
    control["options"] = [
        {"value": v, "label": label, "id": f"{auto_id}_{i}", "checked": v == chosen}
        for i, (v, label) in enumerate(options)
    ]
    return control


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
    next_visit_plan = forms.CharField(
        label=_("Next visit plan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Printed in the written feedback to the school."),
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

    def __init__(
        self,
        *args,
        visit: Visit | None = None,
        items: tuple[SupervisionItem, ...] = SUPERVISION_ITEMS,
        minimums: list[str] | None = None,
        submitting: bool = False,
        **kwargs,
    ):
        """`items`: the supervision items of the school's type, `minimums`: the six minimums
        asked of it (docs/rules.md §4, §8; `dudao.visits.school_rules.RuleBook`). None asks
        all six; an empty list drops the field. `submitting`: the form is being submitted
        (not saved as a draft), so each finding must be complete (`clean`)."""
        if visit is not None and not kwargs.get("data") and not (args and args[0]):
            kwargs["initial"] = initial_from_visit(visit)
        super().__init__(*args, **kwargs)
        self.items = tuple(items)
        self.submitting = submitting
        if minimums is not None:
            if minimums:
                labels = dict(SixMinimum.choices)
                self.fields["minimums"].choices = [(key, labels[key]) for key in minimums]
            else:
                del self.fields["minimums"]
        if not self.is_bound and "client_uuid" not in self.initial:
            self.initial["client_uuid"] = uuid.uuid4()
        if not self.is_bound and "visited_at" not in self.initial:
            self.initial["visited_at"] = now_minute()
        for item in self.items:
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
            # The finding of a "problem" item (shown under the item; the note is its
            # description). Always in the page: scripts only show and hide them.
            self.fields[f"area_{item.number}_severity"] = forms.ChoiceField(
                label=_("Severity"),
                required=False,
                choices=Severity.choices,
                initial=Severity.GENERAL,
            )
            self.fields[f"area_{item.number}_deadline_kind"] = forms.ChoiceField(
                label=_("How it is to be fixed"),
                required=False,
                choices=Finding.DeadlineKind.choices,
                initial=Finding.DeadlineKind.BY_DATE,
                widget=forms.RadioSelect,
            )
            self.fields[f"area_{item.number}_deadline"] = forms.DateField(
                label=_("Deadline"), required=False, widget=DATE
            )
            # 整改要求: printed in the rectification notice. Required on submit for a
            # finding fixed by a deadline (`clean`); for one fixed on the spot the service
            # writes on_the_spot_requirement() when it is left empty.
            self.fields[f"area_{item.number}_required_action"] = forms.CharField(
                label=_("Required action"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_(
                    "Printed in the rectification notice. Required when it is to be fixed "
                    "by a deadline; left empty when it is fixed on the spot, it reads "
                    "“%(text)s”."
                )
                % {"text": on_the_spot_requirement()},
            )
            self.fields[f"area_{item.number}_photos"] = IdListField(
                label=_("Photos of the problem"), required=False
            )

    def area_rows(self):
        """One row per supervision item: the item, its result and note, and the fields of
        the finding recorded when the result is "problem", as plain data the template draws
        by hand (`_control`), with the names, ids, values and errors of Django's widgets."""
        statuses = _options(AreaCheck.Status.choices)
        severities = _options(Severity.choices)
        kinds = _options(Finding.DeadlineKind.choices)
        suffix = self.label_suffix
        rows = []
        for item in self.items:
            prefix = f"area_{item.number}_"
            status = _choice_control(self[prefix + "status"], statuses, fieldset=True)
            severity = _choice_control(self[prefix + "severity"], severities, fieldset=False)
            deadline = _control(self[prefix + "deadline"])
            severity["label_tag"] = f"{severity['label']}{suffix}"
            deadline["label_tag"] = f"{deadline['label']}{suffix}"
            photos = self[prefix + "photos"]
            rows.append(
                {
                    "item": item,
                    "status": status,
                    "note": _control(self[prefix + "note"]),
                    "severity": severity,
                    "deadline_kind": _choice_control(
                        self[prefix + "deadline_kind"], kinds, fieldset=True
                    ),
                    "deadline": deadline,
                    "required_action": _control(self[prefix + "required_action"]),
                    "photos": {
                        "name": photos.html_name,
                        "label": photos.label,
                        "errors": photos.errors,
                    },
                    "photos_chosen": self._chosen_ids(photos),
                    "problem": status["value"] == AreaCheck.Status.PROBLEM,
                }
            )
        return rows

    def _chosen_ids(self, bound) -> list[int]:
        value = bound.value() or []
        if not isinstance(value, list | tuple):
            value = [value]
        chosen = []
        for v in value:
            try:
                chosen.append(int(v))
            except (TypeError, ValueError):
                continue
        return chosen

    def clean(self):
        """On submit, a finding to be fixed by a deadline says what the school must do
        (整改要求, printed in the notice). A draft may be incomplete."""
        data = super().clean()
        if self.submitting:
            for item in self.items:
                prefix = f"area_{item.number}_"
                if (
                    data.get(prefix + "status") == AreaCheck.Status.PROBLEM
                    and (data.get(prefix + "deadline_kind") or Finding.DeadlineKind.BY_DATE)
                    == Finding.DeadlineKind.BY_DATE
                    and not (data.get(prefix + "required_action") or "").strip()
                    and prefix + "required_action" not in self.errors
                ):
                    self.add_error(
                        prefix + "required_action",
                        _("Enter what the school is required to do by the deadline."),
                    )
        return data

    def mark_rest_fine(self) -> None:
        """全部正常: every item left "not checked" becomes "fine" (the cleaned data)."""
        for item in self.items:
            key = f"area_{item.number}_status"
            if self.cleaned_data.get(key) in ("", None, AreaCheck.Status.NOT_CHECKED):
                self.cleaned_data[key] = AreaCheck.Status.FINE

    def service_kwargs(self) -> dict:
        """The cleaned data as keyword arguments of save_draft / submit_visit."""
        data = self.cleaned_data
        areas = []
        for item in self.items:
            prefix = f"area_{item.number}_"
            row = {
                "area": item.number,
                "status": data.get(prefix + "status") or AreaCheck.Status.NOT_CHECKED,
                "note": data.get(prefix + "note", ""),
            }
            if row["status"] == AreaCheck.Status.PROBLEM:
                row["finding"] = {
                    "severity": data.get(prefix + "severity") or Severity.GENERAL,
                    "deadline_kind": data.get(prefix + "deadline_kind")
                    or Finding.DeadlineKind.BY_DATE,
                    "deadline": data.get(prefix + "deadline"),
                    "required_action": (data.get(prefix + "required_action") or "").strip(),
                    "photos": data.get(prefix + "photos") or [],
                }
            areas.append(row)
        return {
            "areas": areas,
            "visited_at": data.get("visited_at"),
            "unannounced": bool(data.get("unannounced")),
            "methods": data.get("methods") or [],
            "minimums": data.get("minimums") or [],
            "feedback": data.get("feedback", ""),
            "next_visit_plan": data.get("next_visit_plan", ""),
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
        "next_visit_plan": visit.next_visit_plan,
        "summary": visit.summary,
        "notes": visit.notes,
    }
    for check in visit.area_checks.all():
        prefix = f"area_{check.area}_"
        initial[prefix + "status"] = check.status
        initial[prefix + "note"] = check.note
        planned = check.planned_finding or {}
        for key in ("severity", "deadline_kind", "deadline", "required_action"):
            if planned.get(key):
                initial[prefix + key] = planned[key]
        if planned.get("photos"):
            initial[prefix + "photos"] = planned["photos"]
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
    # Date ranges and the unannounced mark: what a half-year or annual summary's figures
    # link to (dudao/summaries, docs/rules.md §30).
    zone = forms.ModelChoiceField(label=_("Zone"), required=False, queryset=None)
    visited_from = forms.DateField(
        label=_("Visited from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    visited_to = forms.DateField(
        label=_("Visited until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    unannounced = forms.ChoiceField(
        label=_("Unannounced"),
        required=False,
        choices=[("", _("All")), ("yes", _("Unannounced")), ("no", _("Announced"))],
    )
    feedback_from = forms.DateField(
        label=_("Feedback issued from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    feedback_to = forms.DateField(
        label=_("Feedback issued until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].set_scope(user)
        self.fields["inspector"].set_scope(user)
        self.fields["zone"].queryset = scoping.zones_for(user).order_by("pk")


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


class FocusPointForm(forms.ModelForm):
    """A monthly focus point (月度督导要点) of the office."""

    month_value = MonthField(label=_("Month"))

    class Meta:
        model = FocusPoint
        fields = ["title", "text", "ordering"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    field_order = ["month_value", "title", "text", "ordering"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        point = self.instance
        if point.pk and not self.is_bound:
            self.initial["month_value"] = f"{point.year:04d}-{point.month:02d}"
        self.fields["ordering"].required = False
        self.fields["ordering"].help_text = _("Smaller numbers come first.")

    def service_kwargs(self) -> dict:
        year, month = self.cleaned_data["month_value"]
        return {
            "year": year,
            "month": month,
            "title": self.cleaned_data["title"],
            "text": self.cleaned_data.get("text", ""),
            "ordering": self.cleaned_data.get("ordering") or 0,
        }


class SchoolTypeRuleForm(forms.Form):
    """The office's rule for one school type (docs/rules.md §4, §6, §8); the service checks
    it (`dudao.visits.services.check_school_type_rule`)."""

    items = forms.TypedMultipleChoiceField(
        label=_("Supervision items"),
        coerce=int,
        choices=ITEM_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    minimums = forms.MultipleChoiceField(
        label=_("Six minimums asked"),
        required=False,
        choices=SixMinimum.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    visits = forms.IntegerField(label=_("Visits at least"), min_value=1, max_value=31)
    period = forms.ChoiceField(label=_("Per"), choices=Period.choices)
    large_from = forms.IntegerField(
        label=_("Large from (pupils)"),
        required=False,
        min_value=1,
        help_text=_("Schools with at least this many pupils follow the large-school frequency."),
    )
    large_visits = forms.IntegerField(
        label=_("Large schools: visits at least"), required=False, min_value=1, max_value=31
    )
    large_period = forms.ChoiceField(
        label=_("Large schools: per"), required=False, choices=[("", "—"), *Period.choices]
    )
    with_host = forms.BooleanField(
        label=_("Visited with the host school"),
        required=False,
        help_text=_("A visit to the host school covers its teaching points."),
    )

    def __init__(self, *args, rule: SchoolTypeRule, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "items": rule.items,
                "minimums": rule.minimums,
                "visits": rule.visits,
                "period": rule.period,
                "large_from": rule.large_from,
                "large_visits": rule.large_visits,
                "large_period": rule.large_period,
                "with_host": rule.with_host,
            },
        )
        super().__init__(*args, **kwargs)
        if rule.school_type != SchoolType.TEACHING_POINT:
            del self.fields["with_host"]

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data.setdefault("with_host", False)
        return data
