from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dudao.accounts.models import Role

ALL = {Role.OFFICE_ADMIN, Role.ZONE_LEADER, Role.INSPECTOR, Role.SCHOOL, Role.VIEWER}
OFFICE = {Role.OFFICE_ADMIN}

# (label, url name, roles that see it)
NAVIGATION = [
    (_("Home"), "core:home", ALL),
    (
        _("Schools"),
        "schools:list",
        {Role.OFFICE_ADMIN, Role.ZONE_LEADER, Role.INSPECTOR, Role.VIEWER},
    ),
    (_("My school"), "schools:mine", {Role.SCHOOL}),
    (_("Inspectors"), "inspectors:list", {Role.OFFICE_ADMIN, Role.ZONE_LEADER, Role.VIEWER}),
    (_("Zones"), "inspectors:zone_list", {Role.OFFICE_ADMIN, Role.ZONE_LEADER, Role.VIEWER}),
    (
        _("Assignments"),
        "inspectors:assignment_list",
        {Role.OFFICE_ADMIN, Role.ZONE_LEADER, Role.INSPECTOR, Role.VIEWER},
    ),
    (_("Imports"), "imports:list", OFFICE),
    (_("Users"), "accounts:user_list", OFFICE),
    (_("Audit log"), "audit:list", OFFICE),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for label, name, roles in NAVIGATION:
        if user.is_superuser or user.role in roles:
            url = reverse(name)
            items.append(
                {
                    "label": label,
                    "url": url,
                    "active": request.path == url or (url != "/" and request.path.startswith(url)),
                }
            )
    return {"nav_items": items}
