from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm, UserChangeForm
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse

from dudao.audit import services as audit
from dudao.core.errors import DomainError

from . import passwords, services, views
from .models import User


class OneLoginOneAccount:
    """The admin's user forms keep the rule of services._check_unique: a username or phone
    names no other account (as its username or its phone)."""

    def clean(self):
        cleaned = super().clean()
        probe = User(
            pk=self.instance.pk,
            username=cleaned.get("username") or self.instance.username,
            phone=cleaned.get("phone", self.instance.phone) or None,
            inspector_id=getattr(cleaned.get("inspector"), "pk", self.instance.inspector_id),
        )
        try:
            services._check_unique(probe)
        except DomainError as error:
            self.add_error(error.field if error.field in self.fields else None, str(error))
        return cleaned


class DudaoUserChangeForm(OneLoginOneAccount, UserChangeForm):
    pass


class DudaoUserCreationForm(OneLoginOneAccount, AdminUserCreationForm):
    pass


class DudaoAdminPasswordChangeForm(AdminPasswordChangeForm):
    """A password set in Django admin joins the password history (the office's no-reuse
    rule and expiry), as one set on the platform's pages does."""

    def save(self, commit=True):
        with transaction.atomic():
            user = super().save(commit=commit)
            if commit:
                passwords.remember(user)
        return user


@admin.register(User)
class DudaoUserAdmin(UserAdmin):
    form = DudaoUserChangeForm
    add_form = DudaoUserCreationForm
    change_password_form = DudaoAdminPasswordChangeForm

    # Django admin writes its own log; the platform's audit log also records what a
    # superuser does to accounts there (the password's value never).
    def log_addition(self, request, obj, message):
        audit.record(request.user, audit.Action.CREATE, obj, {"admin": str(message)[:500]})
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        audit.record(request.user, audit.Action.UPDATE, obj, {"admin": str(message)[:500]})
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            audit.record(request.user, audit.Action.DELETE, obj, {"admin": "deleted"})
        return super().log_deletions(request, queryset)

    fieldsets = (
        *UserAdmin.fieldsets,
        (
            "Dudao",
            {
                "fields": (
                    "role",
                    "display_name",
                    "phone",
                    "office",
                    "inspector",
                    "school",
                    "region",
                )
            },
        ),
    )
    list_display = ["username", "display_name", "role", "office", "is_active"]
    list_filter = ["role", "is_active", "office"]


# One authentication path: Django admin's login is the platform's login page and service
# (services.attempt_login: the same throttling and audit), its logout is audited like the
# platform's, and a password is changed on the platform's page (current password asked).
def admin_login(request, extra_context=None):
    return views.login_view(request, default_next=reverse("admin:index"))


def admin_logout(request, extra_context=None):
    return views.logout_view(request)


def admin_password_change(request, extra_context=None):
    return redirect("accounts:password")


admin.site.login = admin_login
admin.site.logout = admin_logout
admin.site.password_change = admin_password_change
