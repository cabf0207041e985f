from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

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
