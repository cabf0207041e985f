from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from dudao.accounts.models import Role

ALL = {Role.OFFICE_ADMIN, Role.ZONE_LEADER, Role.INSPECTOR, Role.SCHOOL, Role.VIEWER}
OFFICE = {Role.OFFICE_ADMIN}

FIELD = {Role.ZONE_LEADER, Role.INSPECTOR}
SUPERVISORS = {Role.OFFICE_ADMIN, Role.ZONE_LEADER, Role.INSPECTOR, Role.VIEWER}

# (label, url name, roles that see it)
NAVIGATION = [
    (_("Home"), "core:home", ALL),
    (_("Dashboard"), "dashboards:overview", SUPERVISORS),
    (_("Counties compared"), "rollup:overview", {Role.VIEWER}),
    (_("My schools this month"), "visits:my_schools", FIELD),
    (_("Visits"), "visits:list", SUPERVISORS),
    (_("Monthly focus points"), "visits:focus_list", SUPERVISORS),
    (_("Campaigns"), "campaigns:list", SUPERVISORS),
    (_("My campaign checks"), "campaigns:my_checks", FIELD),
    (_("Campaign results"), "campaigns:school_results", {Role.SCHOOL}),
    (_("Periodic returns"), "returns:list", SUPERVISORS),
    (_("My returns"), "returns:mine", {Role.SCHOOL}),
    (_("Evaluations"), "evaluations:round_list", ALL),
    (_("Bulletins, notices and briefings"), "bulletins:list", {Role.OFFICE_ADMIN, Role.VIEWER}),
    (_("My documents"), "bulletins:mine", {Role.SCHOOL, Role.INSPECTOR, Role.ZONE_LEADER}),
    (_("Satisfaction surveys"), "surveys:list", ALL),
    (_("Complaints and tip-offs"), "complaints:list", OFFICE),
    (_("My complaints"), "complaints:mine", FIELD),
    (_("Complaint figures"), "complaints:figures", {Role.OFFICE_ADMIN, Role.VIEWER}),
    (_("Rectification ledger"), "rectification:ledger", SUPERVISORS),
    (_("Our findings"), "rectification:school_findings", {Role.SCHOOL}),
    (_("Notices"), "rectification:notice_list", ALL),
    (_("Escalations"), "rectification:escalations", {Role.OFFICE_ADMIN, Role.VIEWER}),
    (_("Accountability"), "rectification:case_list", {Role.OFFICE_ADMIN, Role.VIEWER}),
    (_("Reports"), "reports:index", SUPERVISORS),
    (
        _("Work summaries"),
        "summaries:index",
        {Role.OFFICE_ADMIN, Role.ZONE_LEADER, Role.INSPECTOR},
    ),
    (_("Checklists"), "checklists:list", SUPERVISORS),
    (_("Indicator frameworks"), "evaluations:framework_list", SUPERVISORS),
    (_("Questionnaires"), "surveys:questionnaire_list", SUPERVISORS),
    (_("Balanced-development monitoring"), "monitoring:index", {Role.OFFICE_ADMIN, Role.VIEWER}),
    (
        _("Schools"),
        "schools:list",
        {Role.OFFICE_ADMIN, Role.ZONE_LEADER, Role.INSPECTOR, Role.VIEWER},
    ),
    (_("My school"), "schools:mine", {Role.SCHOOL}),
    (_("Inspectors"), "inspectors:list", {Role.OFFICE_ADMIN, Role.ZONE_LEADER, Role.VIEWER}),
    (_("Zones"), "inspectors:zone_list", {Role.OFFICE_ADMIN, Role.ZONE_LEADER, Role.VIEWER}),
    (_("Training"), "training:list", SUPERVISORS),
    (_("Government units"), "units:list", SUPERVISORS),
    (
        _("Assignments"),
        "inspectors:assignment_list",
        {Role.OFFICE_ADMIN, Role.ZONE_LEADER, Role.INSPECTOR, Role.VIEWER},
    ),
    (_("Imports"), "imports:list", OFFICE),
    (_("Users"), "accounts:user_list", OFFICE),
    (_("Office contacts"), "organisations:office", OFFICE),
    (_("Rules per school type"), "visits:school_rules", OFFICE),
    (_("Audit log"), "audit:list", OFFICE),
    (_("API tokens"), "api_tokens:list", ALL),
]


def navigation(request):
    """The links the user's role may open; one is active: the longest that leads to the
    current page (on /visits/focus/ the focus points, not the visits)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for label, name, roles in NAVIGATION:
        if user.is_superuser or user.role in roles:
            try:
                url = reverse(name)
            except NoReverseMatch:  # a screen not installed in this build
                continue
            items.append({"label": label, "url": url, "active": False})
    leading = [
        item
        for item in items
        if request.path == item["url"]
        or (item["url"] != "/" and request.path.startswith(item["url"]))
    ]
    if leading:
        max(leading, key=lambda item: len(item["url"]))["active"] = True
    return {"nav_items": items}
