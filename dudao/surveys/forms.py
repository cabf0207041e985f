"""The survey screens' forms. They parse what the user typed; the rules are the services'
(`questionnaire_services.check_question`, `services.create_survey`), shown on the field they
concern by `apply_domain_error`."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from dudao.core.idempotency import OnceForm
from dudao.inspectors.models import Zone
from dudao.schools.models import School, SchoolType

from .models import Audience, Question, Questionnaire, QuestionType, SchoolRule, Survey

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
SEPARATORS = re.compile(r"[、\n;；|]+")


def split_list(text) -> list[str]:
    """Options typed as text: separated by 、 (or one per line, or ；)."""
    return [part.strip() for part in SEPARATORS.split(text or "") if part.strip()]


class QuestionnaireFilterForm(forms.Form):
    audience = forms.ChoiceField(
        label=_("Audience"), choices=[("", _("All")), *Audience.choices], required=False
    )
    revisions = forms.BooleanField(label=_("Show every revision"), required=False)


class QuestionnaireForm(OnceForm):
    """A draft's own fields (new questionnaire, or the edit page's header)."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Title"), max_length=200)
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices)
    description = forms.CharField(
        label=_("Introduction"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What respondents read above the questions (卷首语)."),
    )
    source = forms.CharField(label=_("Source documents (依据)"), max_length=300, required=False)


class CopyForm(forms.Form):
    title = forms.CharField(label=_("Title of the copy"), max_length=200, required=False)


class SectionForm(forms.Form):
    stamp = forms.CharField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Section title"), max_length=200)


class QuestionForm(forms.Form):
    """One question. Options and satisfied answers are typed as text separated by 、."""

    stamp = forms.CharField(widget=forms.HiddenInput, required=False)
    code = forms.CharField(
        label=_("Code"), max_length=20, required=False, help_text=_("Empty: the next number.")
    )
    text = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 2}))
    type = forms.ChoiceField(label=_("Type"), choices=QuestionType.choices)
    options = forms.CharField(
        label=_("Options"),
        required=False,
        help_text=_(
            "A choice: its options, separated by 、 (满意、比较满意、不太满意、不满意、不了解). "
            "A scale: nothing, or what 1 and 5 mean (很不满意、很满意)."
        ),
    )
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)
    counts = forms.BooleanField(
        label=_("Counts toward satisfaction"),
        required=False,
        help_text=_("A single choice or a scale; a question that counts is always required."),
    )
    satisfied = forms.CharField(
        label=_("Satisfied answers"),
        required=False,
        help_text=_("Separated by 、: options of the choice (满意、比较满意), or 4、5 on a scale."),
    )
    ignored = forms.CharField(
        label=_("Answers left out of the rate"),
        required=False,
        help_text=_("Options that count neither way, such as 不了解."),
    )
    help_text = forms.CharField(label=_("Hint"), max_length=300, required=False)

    @classmethod
    def initial_for(cls, question: Question, stamp: str) -> dict:
        return {
            "stamp": stamp,
            "code": question.code,
            "text": question.text,
            "type": question.type,
            "options": "、".join(question.options),
            "required": question.required,
            "counts": question.counts,
            "satisfied": "、".join(question.satisfied),
            "ignored": "、".join(question.ignored),
            "help_text": question.help_text,
        }

    def values(self) -> dict:
        """The question's values for `add_question` / `update_question`."""
        data = dict(self.cleaned_data)
        data.pop("stamp", None)
        for key in ("options", "satisfied", "ignored"):
            data[key] = split_list(data.get(key))
        return data


class SurveyFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *Survey.Status.choices]
    )


class SurveyForm(OnceForm):
    """A survey (new, or a draft's edit): its questionnaire, dates, schools and numbers."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Title"), max_length=200)
    questionnaire = forms.ModelChoiceField(
        label=_("Questionnaire"), queryset=Questionnaire.objects.unscoped().none()
    )
    opens_on = forms.DateField(label=_("Opens on"), widget=DATE)
    closes_on = forms.DateField(label=_("Closes on"), widget=DATE)
    school_rule = forms.ChoiceField(label=_("Schools"), choices=SchoolRule.choices)
    school_types = forms.MultipleChoiceField(
        label=_("School types"),
        choices=SchoolType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For every school or a zone: only these types (none ticked: every type)."),
    )
    zone = forms.ModelChoiceField(
        label=_("Zone"), queryset=Zone.objects.unscoped().none(), required=False
    )
    schools = forms.ModelMultipleChoiceField(
        label=_("Chosen schools"),
        queryset=School.objects.unscoped().none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )
    min_answers = forms.IntegerField(
        label=_("Answers needed before a school's figures show"),
        min_value=1,
        max_value=1000,
        initial=30,
    )
    pass_percent = forms.IntegerField(
        label=_("Satisfaction needed (%)"),
        min_value=1,
        max_value=100,
        initial=85,
        help_text=_(
            "85 for the acceptance of high-quality balanced development (教督〔2017〕6号)."
        ),
    )

    def __init__(self, *args, questionnaires, office_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["questionnaire"].queryset = questionnaires
        self.fields["zone"].queryset = Zone.objects.unscoped().filter(office_id=office_id)
        self.fields["schools"].queryset = (
            School.objects.unscoped().filter(office_id=office_id, is_active=True).order_by("code")
        )

    @staticmethod
    def initial_for(survey: Survey, school_ids: list[int]) -> dict:
        return {
            "expected_version": survey.version,
            "title": survey.title,
            "questionnaire": survey.questionnaire_id,
            "opens_on": survey.opens_on,
            "closes_on": survey.closes_on,
            "school_rule": survey.school_rule,
            "school_types": survey.school_types,
            "zone": survey.zone_id,
            "schools": school_ids,
            "min_answers": survey.min_answers,
            "pass_percent": survey.pass_percent,
        }

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        for key in ("expected_version", "request_key"):
            data.pop(key, None)
        data["schools"] = list(data.get("schools") or [])
        return data
