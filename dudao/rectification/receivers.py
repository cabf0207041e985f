"""Who hears about a finding's change (消息提醒). Connected in RectificationConfig.ready; runs
after commit (the signal is sent from transaction.on_commit), so nobody is told about a
change that was rolled back.

- a new finding, an issued notice, a rejected rectification → the school's users
- an urging for a missed date (docs/rules.md §10) → the school's users and its current
  responsible inspector
- the school's response → the school's current responsible inspector
- an escalation (to the county office, the city, the province), an overdue finding, "needs
  another department" → the office admins
- a serious finding (recorded as serious or re-graded to serious) → the office admins, once:
  the "escalated" line that reports it to the county office at once (§13) tells nobody again

Each notification is a message key of `dudao.notifications.messages` with the school's name
and the problem as parameters (rendered in the reader's language), and links to the
finding's page, or to the notice's page for an issued notice.
"""

from django.urls import reverse

from dudao.accounts.models import Role, User
from dudao.inspectors.models import Assignment
from dudao.notifications.messages import MESSAGES
from dudao.notifications.services import notify

TO_SCHOOL = {"created", "issue_notice", "reject", "urge"}
TO_INSPECTOR = {"respond", "urge"}
TO_OFFICE = {
    "escalated",
    "escalate",
    "escalate_to_city",
    "escalate_to_province",
    "overdue",
    "mark_needs_other_department",
}


def _kind(key: str) -> str | None:
    return key if key in MESSAGES else None


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
    data = event.data or {}
    if data.get("serious"):
        yield "finding.serious", office_admins(finding)
    elif action in TO_OFFICE and data.get("reason") != "serious":
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
    for key, users in messages_for(finding, event, action):
        kind = _kind(key)
        if kind is None:
            continue
        params = {"school": finding.school.name, "description": finding.description[:500]}
        notify(users, kind, params, url=link_for(finding, event, action))
