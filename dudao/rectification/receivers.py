"""Who hears about a finding's change (消息提醒). Connected in RectificationConfig.ready; runs
after commit (the signal is sent from transaction.on_commit), so nobody is told about a
change that was rolled back.

- a new finding, an issued notice, a rejected rectification → the school's users
- the school's response → the school's current responsible inspector
- an escalation, an overdue finding, "needs another department" → the office admins
- a serious finding (recorded as serious or re-graded to serious) → the office admins

Each notification is a message key of `dudao.notifications.messages` with the school's name
and the problem as parameters (rendered in the reader's language), and links to the
finding's page, or to the notice's page for an issued notice.
"""

from django.urls import reverse

from dudao.accounts.models import Role, User
from dudao.inspectors.models import Assignment
from dudao.notifications.services import notify

TO_SCHOOL = {"created", "issue_notice", "reject"}
TO_INSPECTOR = {"respond"}
TO_OFFICE = {"escalated", "escalate", "escalate_to_city", "overdue", "mark_needs_other_department"}


def school_users(finding):
    return User.objects.filter(role=Role.SCHOOL, school_id=finding.school_id, is_active=True)


def inspector_users(finding, on=None):
    """The school's responsible inspectors on `on` (today): one and the same assignment row
    is at the school and in force, so a former or a future inspector is not told."""
    current = Assignment.objects.unscoped().current(on=on).filter(school_id=finding.school_id)
    return User.objects.filter(is_active=True, inspector_id__in=current.values("inspector_id"))


def office_admins(finding):
    return User.objects.filter(role=Role.OFFICE_ADMIN, office_id=finding.office_id, is_active=True)


def messages_for(finding, event, action):
    """(message key, recipients) for one event of a finding."""
    if (event.data or {}).get("serious"):
        yield "finding.serious", office_admins(finding)
    elif action in TO_OFFICE:
        yield f"finding.{action}", office_admins(finding)
    if action in TO_SCHOOL:
        yield f"finding.{action}", school_users(finding)
    if action in TO_INSPECTOR:
        yield f"finding.{action}", inspector_users(finding)


def link_for(finding, event, action) -> str:
    notice_id = (event.data or {}).get("notice_id")
    if action == "issue_notice" and notice_id:
        return reverse("rectification:notice_detail", args=[notice_id])
    return reverse("rectification:finding_detail", args=[finding.pk])


def on_finding_transitioned(sender, finding, event, action, **kwargs):
    for kind, users in messages_for(finding, event, action):
        params = {"school": finding.school.name, "description": finding.description[:500]}
        notify(users, kind, params, url=link_for(finding, event, action))
