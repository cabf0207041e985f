"""Who reads complaints (投诉、举报、咨询), written as they will stand in
`dudao/accounts/scoping.py` (the lead moves them there; until then `ComplaintsConfig.ready`
imports this module, which registers the rule).

- office admin: every complaint of its office, with the sender's contact details;
- inspector, zone leader: the complaints assigned to them now (the text, the photos' previews,
  never the sender's name or phone);
- viewer: the complaints of the offices under its city or province, for the figures only
  (no page lists them);
- school: none, ever: a school never learns who complained, nor that anyone did (a
  confirmed problem reaches it as a finding, which names no sender).
"""

from django.http import Http404

from dudao.accounts.models import Role
from dudao.accounts.scoping import get_or_404, offices_for
from dudao.core.scopes import scope_rule

from .models import Complaint, ComplaintPhoto


@scope_rule(Complaint)
def complaints_for(user):
    """Complaints (投诉举报): the office's; a viewer's offices' (figures); an inspector's or
    zone leader's own assigned ones; none for a school."""
    qs = Complaint.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role == Role.OFFICE_ADMIN:
        return qs.filter(office_id=user.office_id)
    if user.role == Role.VIEWER:
        return qs.filter(office__in=offices_for(user))
    if user.role in (Role.INSPECTOR, Role.ZONE_LEADER) and user.inspector_id:
        return qs.filter(inspector_id=user.inspector_id)
    return qs.none()


def get_complaint_for(user, pk) -> Complaint:
    """A complaint the user may open (viewers read figures only: 404 here)."""
    if user.role == Role.VIEWER and not user.is_superuser:
        raise Http404
    return get_or_404(
        complaints_for(user).select_related(
            "office", "school", "inspector", "duplicate_of", "finding"
        ),
        pk=pk,
    )


def get_complaint_photo_for(user, pk) -> ComplaintPhoto:
    """A photo through its complaint's scope."""
    if user.role == Role.VIEWER and not user.is_superuser:
        raise Http404
    return get_or_404(
        ComplaintPhoto.objects.filter(complaint__in=complaints_for(user)).select_related(
            "complaint"
        ),
        pk=pk,
    )


def may_see_sender(user, complaint: Complaint) -> bool:
    """The sender's name and phone (and a photo's original, with its EXIF data): an office
    admin of the complaint's office only. Not the inspector, the school, a viewer, nor the
    superuser (who reads every row but acts for no office)."""
    return (
        getattr(user, "is_active", False)
        and not user.is_superuser
        and user.role == Role.OFFICE_ADMIN
        and user.office_id is not None
        and user.office_id == complaint.office_id
    )
