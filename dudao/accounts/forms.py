from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from dudao.inspectors.models import Inspector
from dudao.organisations.models import Region
from dudao.schools.models import School

from .models import User


class LoginForm(forms.Form):
    login = forms.CharField(label=_("Username or phone"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)
    # On an inspector's own phone: no sign-in at every school gate (sessions.py).
    remember = forms.BooleanField(label=_("Keep me signed in on this device"), required=False)
    login.widget.attrs.update(autocomplete="username", autofocus=True)
    password.widget.attrs.update(autocomplete="current-password")


class UserForm(forms.ModelForm):
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput,
        required=False,
        help_text=_("Required for a new account; the user should change it after logging in."),
    )

    class Meta:
        model = User
        fields = [
            "username",
            "display_name",
            "phone",
            "email",
            "role",
            "inspector",
            "school",
            "region",
            "is_active",
        ]

    def __init__(self, *args, office, **kwargs):
        super().__init__(*args, **kwargs)
        self.office = office
        self.fields["role"].required = True
        self.fields["inspector"].queryset = Inspector.objects.unscoped().filter(office=office)
        self.fields["school"].queryset = School.objects.unscoped().filter(office=office)
        ancestors = [p for p in office.region.path.strip("/").split("/") if p]
        self.fields["region"].queryset = Region.objects.filter(
            code__in=ancestors, level__in=["city", "province"]
        )
        if self.instance.pk:
            del self.fields["password"]

    def clean_password(self):
        password = self.cleaned_data.get("password")
        if not self.instance.pk:
            if not password:
                raise forms.ValidationError(_("Set an initial password."))
            # The office's policy (length, classes) applies to the first password too.
            validate_password(password, User(office=self.office))
        return password

    def validate_unique(self):
        pass  # uniqueness is checked by the service, with clear messages


class SetPasswordForm(forms.Form):
    password = forms.CharField(label=_("New password"), widget=forms.PasswordInput)
    password.widget.attrs.update(autocomplete="new-password")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        validate_password(password, self.user)
        return password


class OwnPasswordForm(SetPasswordForm):
    """Changing one's own password: the current one first (checked by
    services.verify_current_password, throttled and audited), then the new one."""

    current_password = forms.CharField(
        label=_("Current password"), widget=forms.PasswordInput, strip=False
    )
    current_password.widget.attrs.update(autocomplete="current-password")
    field_order = ["current_password", "password"]
