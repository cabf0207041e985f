import filetype
from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dudao.core import files
from dudao.core.errors import DomainError
from dudao.schools.models import School

from .models import Inspector, RecusalGround, Zone


class InspectorForm(forms.ModelForm):
    class Meta:
        model = Inspector
        fields = [
            "name",
            "gender",
            "phone",
            "show_mobile_publicly",
            "email",
            "photo",
            "employment",
            "kind",
            "employer_school",
            "employer_name",
            "zone",
            "is_active",
        ]

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer_school"].queryset = School.objects.unscoped().filter(office=office)
        self.fields["zone"].queryset = Zone.objects.unscoped().filter(office=office)

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and hasattr(photo, "content_type"):
            if photo.size > settings.PHOTO_MAX_BYTES:
                raise forms.ValidationError(_("The photo is larger than 5 MB."))
            kind = filetype.guess(photo.read(262))
            photo.seek(0)
            if kind is None or kind.mime not in {"image/jpeg", "image/png", "image/webp"}:
                raise forms.ValidationError(_("The photo must be a JPEG, PNG or WebP image."))
            # The kernel's check reads the size from the header: a photo of too many pixels
            # (a decompression bomb) is refused before boards and the public page decode it.
            try:
                files.check_upload(photo, kinds={files.FileKind.IMAGE})
            except DomainError as error:
                raise forms.ValidationError(str(error)) from error
            photo.seek(0)
        return photo

    def validate_unique(self):
        pass


class ZoneForm(forms.ModelForm):
    class Meta:
        model = Zone
        fields = ["name", "leader"]

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        # Only kinds that may hold schools lead a zone (docs/rules.md §31).
        self.fields["leader"].queryset = Inspector.objects.unscoped().filter(
            office=office,
            is_active=True,
            kind__in=[Inspector.Kind.RESPONSIBLE, Inspector.Kind.PRINCIPAL],
        )

    def validate_unique(self):
        pass


class AssignForm(forms.Form):
    inspector = forms.ModelChoiceField(
        label=_("Inspector"), queryset=Inspector.objects.unscoped().none()
    )
    start_date = forms.DateField(
        label=_("Start date"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspector"].queryset = (
            Inspector.objects.unscoped().filter(office=office, is_active=True).order_by("name")
        )
        self.fields["start_date"].initial = timezone.localdate()


class EndAssignmentForm(forms.Form):
    end_date = forms.DateField(
        label=_("End date"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class ConflictForm(forms.Form):
    school = forms.ModelChoiceField(label=_("School"), queryset=School.objects.unscoped().none())
    ground = forms.ModelChoiceField(label=_("Ground"), queryset=RecusalGround.objects.none())
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = (
            School.objects.unscoped().filter(office=office).order_by("name")
        )
        self.fields["ground"].queryset = RecusalGround.objects.filter(office=office)
