"""The checklist screens' forms. They parse what the user typed; the rules are the services'
(`services.check_item`, shown on the field they concern by `apply_domain_error`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from dudao.core.idempotency import OnceForm
from dudao.core.supervision_items import ITEM_CHOICES
from dudao.schools.models import SchoolType

from .importer import YES, parse_compliant, split_options
from .models import AnswerType, ChecklistItem, Purpose


class ChecklistFilterForm(forms.Form):
    purpose = forms.ChoiceField(
        label=_("Used for"), choices=[("", _("All")), *Purpose.choices], required=False
    )
    revisions = forms.BooleanField(label=_("Show every revision"), required=False)


class ChecklistForm(OnceForm):
    """A draft's own fields (new checklist, or the edit page's header)."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Title"), max_length=200)
    purpose = forms.ChoiceField(label=_("Used for"), choices=Purpose.choices)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    source = forms.CharField(label=_("Source documents (依据)"), max_length=300, required=False)


class CopyForm(forms.Form):
    title = forms.CharField(label=_("Title of the copy"), max_length=200, required=False)


class SectionForm(forms.Form):
    stamp = forms.CharField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Section title"), max_length=200)


class ItemForm(forms.Form):
    """One item. Options and compliant answers are typed as text separated by 、 (or one per
    line), as in the spreadsheet."""

    stamp = forms.CharField(widget=forms.HiddenInput, required=False)
    code = forms.CharField(
        label=_("Code"), max_length=20, required=False, help_text=_("Empty: the next number.")
    )
    question = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 2}))
    answer_type = forms.ChoiceField(label=_("Answer type"), choices=AnswerType.choices)
    choices = forms.CharField(
        label=_("Options"),
        required=False,
        help_text=_("For a level or a choice: the options, separated by 、 (好、较好、一般、差)."),
    )
    compliant = forms.CharField(
        label=_("Compliant answers"),
        required=False,
        help_text=_(
            "Yes/no: 是 or 否. Level or choice: the compliant options, separated by 、. "
            "Empty: not assessed. Numbers use the standard below."
        ),
    )
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    standard_min = forms.DecimalField(
        label=_("Standard: at least"), required=False, max_digits=12, decimal_places=2
    )
    standard_max = forms.DecimalField(
        label=_("Standard: at most"), required=False, max_digits=12, decimal_places=2
    )
    evidence_required = forms.BooleanField(label=_("Evidence required"), required=False)
    school_types = forms.MultipleChoiceField(
        label=_("School types"),
        choices=SchoolType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every type."),
    )
    guidance = forms.CharField(
        label=_("How to check (检查要点)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    supervision_item = forms.TypedChoiceField(
        label=_("Supervision item"),
        choices=[("", "—"), *ITEM_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
    )

    @classmethod
    def initial_for(cls, item: ChecklistItem, stamp: str) -> dict:
        if item.answer_type == AnswerType.YES_NO:
            compliant = {(True,): YES, (False,): "否"}.get(tuple(item.compliant), "")
        else:
            compliant = "、".join(map(str, item.compliant))
        return {
            "stamp": stamp,
            "code": item.code,
            "question": item.question,
            "answer_type": item.answer_type,
            "choices": "、".join(item.choices),
            "compliant": compliant,
            "unit": item.unit,
            "standard_min": item.standard_min,
            "standard_max": item.standard_max,
            "evidence_required": item.evidence_required,
            "school_types": item.school_types,
            "guidance": item.guidance,
            "supervision_item": item.supervision_item,
        }

    def clean_choices(self):
        return split_options(self.cleaned_data.get("choices"))

    def clean(self):
        data = super().clean()
        from dudao.imports.cells import CellError

        if "answer_type" in data:
            try:
                data["compliant"] = parse_compliant(data.get("compliant"), data["answer_type"])
            except CellError as error:
                self.add_error("compliant", error.message)
        return data

    def values(self) -> dict:
        """The item's values for `services.add_item` / `update_item`."""
        data = dict(self.cleaned_data)
        data.pop("stamp", None)
        return data


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("The checklist spreadsheet (XLSX)."))
