"""Forms of the complaint screens. They only parse input; the rules live in
`dudao.complaints.services` (DomainError with the field) and the challenge in
`dudao.complaints.challenge`."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dudao.core.validators import phone_validator
from dudao.inspectors.models import Inspector
from dudao.organisations.models import Office
from dudao.rectification.models import Severity
from dudao.schools.models import School

from . import challenge, codes
from .models import Category, ComplaintRules
from .services import MAX_NAME, MAX_TEXT

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
HONEYPOT = "homepage"  # a field no person sees or fills (public_views)


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to a few photos in one input; checked by `services.check_photos` (content, size,
    number), so this field only collects them."""

    widget = MultiplePhotoInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"})

    def clean(self, data, initial=None):
        if not data:
            return []
        return [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]


class SchoolCodeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, school):
        return school.name


class PublicComplaintForm(forms.Form):
    """The public form. `school` fixed (from the school's page) or chosen among the chosen
    county's schools; `office` chosen when the site serves more than one county."""

    office = forms.ModelChoiceField(
        label=_("County or district"),
        queryset=Office.objects.none(),
        empty_label=_("Choose…"),
        to_field_name="pk",
    )
    school = SchoolCodeChoiceField(
        label=_("School"),
        queryset=School.objects.unscoped().none(),
        required=False,
        to_field_name="code",
        empty_label=_("Not about one school, or I do not know"),
    )
    category = forms.ChoiceField(
        label=_("What is it?"),
        choices=Category.choices,
        initial=Category.COMPLAINT,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("What happened"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": MAX_TEXT}),
        help_text=_("When and where, who was involved, what you saw. At most 2000 characters."),
    )
    photos = PhotosField(
        label=_("Photos (optional, at most 3)"),
        required=False,
        help_text=_("JPEG, PNG, WebP or GIF, at most 10 MB each."),
    )
    anonymous = forms.BooleanField(
        label=_("Send anonymously (no name or phone)"),
        required=False,
    )
    name = forms.CharField(
        label=_("Your name (optional)"),
        required=False,
        max_length=MAX_NAME,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=_("Your phone (optional)"),
        required=False,
        max_length=20,
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        help_text=_(
            "Only the supervision office sees your name and phone; the school and the "
            "inspector do not."
        ),
    )
    answer = forms.CharField(
        label=_("Answer"),
        max_length=5,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    challenge = forms.CharField(widget=forms.HiddenInput, max_length=500)
    homepage = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, school=None, offices=None, office=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_school = school
        offices = offices if offices is not None else Office.objects.none()
        self.fields["office"].queryset = offices
        # The county is chosen before the form is shown (the page's own question, or the
        # school's page): the form carries it hidden.
        self.fields["office"].widget = forms.HiddenInput()
        if school is not None:
            self.fields["office"].required = False
            self.fields["office"].initial = school.office_id
            self.fields["school"].widget = forms.HiddenInput()
            self.fields["school"].queryset = School.objects.unscoped().filter(pk=school.pk)
            self.fields["school"].initial = school.code
        else:
            if office is not None:
                self.fields["office"].initial = office.pk
            chosen = office or self._posted_office(offices)
            self.fields["school"].queryset = (
                School.objects.unscoped()
                .filter(office=chosen, is_active=True)
                .order_by("name", "code")
                if chosen is not None
                else School.objects.unscoped().none()
            )
        token = self.data.get("challenge") if self.is_bound else None
        current = challenge.read(token) if token else None
        if current is None:
            self.renew_challenge()
        else:
            self._show(current)

    def _show(self, current) -> None:
        self.challenge = current
        self.fields["challenge"].initial = current.token
        self.fields["answer"].label = current.question

    def renew_challenge(self) -> None:
        """A new question; when the form is shown again with errors, its answer is typed
        anew."""
        self._show(challenge.new())
        if self.is_bound:
            data = self.data.copy()
            data["challenge"], data["answer"] = self.challenge.token, ""
            self.data = data

    def _posted_office(self, offices):
        if not self.is_bound:
            return None
        value = str(self.data.get("office") or "")
        return offices.filter(pk=value).first() if value.isdigit() else None

    @property
    def about_school(self):
        return self.fixed_school

    def clean(self):
        data = super().clean()
        if self.fixed_school is not None:
            data["school"] = self.fixed_school
            data["office"] = self.fixed_school.office
        elif data.get("school") is not None:
            data["office"] = data["school"].office
        return data


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        help_text=_("The 10 characters you were given, such as ABCDE-FGHJK."),
    )

    def clean_code(self):
        code = codes.normalise_code(self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError(_("A tracking code has 10 letters and digits."))
        return code


class ActionForm(forms.Form):
    """Every field any action may need; each action reads the ones it uses."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)
    reply = forms.CharField(label=_("Reply"), required=False, max_length=5000)
    inspector = forms.ModelChoiceField(
        label=_("Inspector"), required=False, queryset=Inspector.objects.unscoped().none()
    )
    deadline = forms.DateField(label=_("Reply due by"), required=False, widget=DATE)
    department = forms.CharField(label=_("Department"), required=False, max_length=100)
    original = forms.CharField(label=_("Tracking code of the earlier complaint"), required=False)

    def __init__(self, *args, office_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspector"].queryset = Inspector.objects.unscoped().filter(
            office_id=office_id, is_active=True
        )


class FindingForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
    school = forms.ModelChoiceField(label=_("School"), queryset=School.objects.unscoped().none())
    area = forms.TypedChoiceField(label=_("Supervision item"), coerce=int, choices=())
    description = forms.CharField(
        label=_("Problem"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_(
            "The school reads the finding: describe the problem found, and leave out anything "
            "that could tell who complained."
        ),
    )
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Severity.choices, initial=Severity.GENERAL
    )
    deadline = forms.DateField(label=_("Deadline"), widget=DATE)

    def __init__(self, *args, schools, areas, fixed_school=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        self.fields["area"].choices = [("", "—"), *[(i.number, i.label) for i in areas]]
        if fixed_school is not None:
            self.fields["school"].initial = fixed_school.pk
            self.fields["school"].widget = forms.HiddenInput()
        self.fields["deadline"].initial = timezone.localdate() + datetime.timedelta(days=30)


def _field(name):
    return ComplaintRules._meta.get_field(name)


class RulesForm(forms.Form):
    reply_days = forms.IntegerField(
        label=_field("reply_days").verbose_name,
        help_text=_field("reply_days").help_text,
        min_value=1,
        max_value=365,
    )
    urge_days = forms.IntegerField(
        label=_field("urge_days").verbose_name,
        help_text=_field("urge_days").help_text,
        min_value=1,
        max_value=60,
    )
