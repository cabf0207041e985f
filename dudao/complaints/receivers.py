"""Who hears about a complaint (消息提醒). Connected in ComplaintsConfig.ready to
`dudao.core.workflow.transitioned` (sender=Complaint); runs after commit.

- a new complaint → the office admins (not a duplicate the platform merged at once: a
  flood of one text is one message)
- assigned (or reassigned), reopened → the assigned inspector
- a reply sent → the office admins (to close it)
- overdue, and each later urging → the assigned inspector and the office admins

No message names the sender or carries their contact details, and none goes to a school.
The parameters are the tracking code, the school (or the office, for a complaint about no
school) and the deadline; the link is the complaint's own scoped page. A key not yet in
`dudao.notifications.messages.MESSAGES` sends nothing.
"""

from django.urls import reverse

from dudao.accounts.models import Role, User
from dudao.notifications.messages import MESSAGES
from dudao.notifications.services import notify

from .models import Complaint, Status

KEYS = {
    "received": "complaint.received",
    "assign": "complaint.assign",
    "reopen": "complaint.reopen",
    "reply": "complaint.reply",
    "overdue": "complaint.overdue",
    "urged": "complaint.urge",
}
TO_OFFICE = {"received", "reply", "overdue", "urged"}
TO_INSPECTOR = {"assign", "reopen", "overdue", "urged"}


def office_admins(complaint):
    return User.objects.filter(
        role=Role.OFFICE_ADMIN, office_id=complaint.office_id, is_active=True
    ).order_by("pk")


def inspector_users(complaint):
    if not complaint.inspector_id:
        return User.objects.none()
    return User.objects.filter(
        role__in=(Role.INSPECTOR, Role.ZONE_LEADER),
        inspector_id=complaint.inspector_id,
        is_active=True,
    ).order_by("pk")


def params_for(complaint) -> dict:
    school = complaint.school.name if complaint.school_id else complaint.office.name
    return {
        "code": complaint.code_display,
        "school": school,
        "deadline": complaint.deadline.isoformat() if complaint.deadline else "",
    }


def recipients(complaint, action):
    users = []
    if action in TO_OFFICE:
        users += list(office_admins(complaint))
    if action in TO_INSPECTOR:
        users += list(inspector_users(complaint))
    return users


def on_complaint_transitioned(sender, instance, event, action, **kwargs):
    key = KEYS.get(action)
    if key is None or key not in MESSAGES:
        return
    complaint = Complaint.objects.unscoped().select_related("school", "office").get(pk=instance.pk)
    if action == "received" and complaint.status == Status.MERGED:
        return
    users = recipients(complaint, action)
    if users:
        notify(
            users,
            key,
            params_for(complaint),
            url=reverse("complaints:detail", args=[complaint.pk]),
        )
