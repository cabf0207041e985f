"""Who hears about a finding's change (消息提醒). Connected in RectificationConfig.ready; runs
after commit (the signal is sent from transaction.on_commit), so nobody is told about a
change that was rolled back.

- a new finding or an issued notice → the school's users
- the school's response → the school's responsible inspector
- an escalation, an overdue finding, a serious finding, "needs another department"
  → the office admins
"""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from dudao.accounts.models import Role, User
from dudao.notifications.services import notify

TO_SCHOOL = {"created", "issue_notice", "reject"}
TO_INSPECTOR = {"respond"}
TO_OFFICE = {"escalated", "escalate", "escalate_to_city", "overdue", "mark_needs_other_department"}


def school_users(finding):
    return User.objects.filter(role=Role.SCHOOL, school_id=finding.school_id, is_active=True)


def inspector_users(finding):
    today = timezone.localdate()
    return (
        User.objects.filter(
            is_active=True,
            inspector__assignments__school_id=finding.school_id,
            inspector__assignments__start_date__lte=today,
        )
        .filter(
            Q(inspector__assignments__end_date__isnull=True)
            | Q(inspector__assignments__end_date__gte=today)
        )
        .distinct()
    )


def office_admins(finding):
    return User.objects.filter(role=Role.OFFICE_ADMIN, office_id=finding.office_id, is_active=True)


def recipients_for(finding, event, action):
    serious = bool((event.data or {}).get("serious"))
    if action in TO_OFFICE or serious:
        yield from office_admins(finding)
    if action in TO_SCHOOL:
        yield from school_users(finding)
    if action in TO_INSPECTOR:
        yield from inspector_users(finding)


def on_finding_transitioned(sender, finding, event, action, **kwargs):
    users = list(recipients_for(finding, event, action))
    if not users:
        return
    # Notifications are stored as text: write them in the product's default language.
    with override("zh-hans"):
        school = finding.school.name
        titles = {
            "created": _("New finding at %(school)s"),
            "issue_notice": _("Rectification notice for %(school)s"),
            "reject": _("Rectification not accepted at %(school)s: please rectify again"),
            "respond": _("%(school)s has responded to a finding"),
            "escalated": _("Finding at %(school)s escalated to the office"),
            "escalate": _("Finding at %(school)s escalated to the office"),
            "escalate_to_city": _("Finding at %(school)s escalated to the city"),
            "overdue": _("Overdue rectification at %(school)s"),
            "mark_needs_other_department": _("Finding at %(school)s needs another department"),
        }
        title = titles.get(action, _("Finding at %(school)s changed")) % {"school": school}
        if (event.data or {}).get("serious") and action == "created":
            title = _("Serious violation at %(school)s: consider an accountability case") % {
                "school": school
            }
    notify(users, f"finding.{action}", title, body=finding.description[:500])
