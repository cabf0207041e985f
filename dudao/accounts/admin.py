from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.shortcuts import redirect
from django.urls import reverse

from . import views
from .models import User


@admin.register(User)
class DudaoUserAdmin(UserAdmin):
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
