"""The visibility rules of bulletins, notices and briefings, written as they will stand in
`dudao/accounts/scoping.py` (issue 14: the lead moves them there; until then this module is
imported by `BulletinsConfig.ready`).

- office admin: every document of its office, drafts included, with its recipients and
  receipts;
- viewer: the published (and withdrawn) documents of the offices under its city or
  province, with their recipients and receipts; no drafts;
- school user: the published documents its school received; inspector and zone leader:
  those they received as inspectors (their own receipts only);
- a withdrawn document is no longer its recipients'.
"""

from django.db.models import Q

from dudao.accounts.models import Role
from dudao.accounts.scoping import get_or_404, offices_for
from dudao.bulletins.models import Bulletin, BulletinRead, BulletinRecipient
from dudao.core.scopes import scope_rule

ISSUED = (Bulletin.Status.PUBLISHED, Bulletin.Status.WITHDRAWN)


def _received(user) -> Q | None:
    """The recipient rows that are the user's (prefix-free: on BulletinRecipient)."""
    if user.role == Role.SCHOOL and user.school_id:
        return Q(school_id=user.school_id)
    if user.role in (Role.INSPECTOR, Role.ZONE_LEADER) and user.inspector_id:
        return Q(inspector_id=user.inspector_id)
    return None


@scope_rule(BulletinRecipient)
def bulletin_recipients_for(user):
    """A document's recipients: the office's; a viewer's offices' once issued; a school or
    an inspector its own place among a published document's recipients."""
    qs = BulletinRecipient.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role == Role.OFFICE_ADMIN:
        return qs.filter(office_id=user.office_id)
    if user.role == Role.VIEWER:
        return qs.filter(office__in=offices_for(user), bulletin__status__in=ISSUED)
    mine = _received(user)
    if mine is not None:
        return qs.filter(mine, bulletin__status=Bulletin.Status.PUBLISHED)
    return qs.none()


@scope_rule(Bulletin)
def bulletins_for(user):
    """Bulletins, notices and briefings (通报、通知、简报): the office's, drafts included; a
    viewer's offices' once issued; the published ones a school or an inspector received."""
    qs = Bulletin.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role == Role.OFFICE_ADMIN:
        return qs.filter(office_id=user.office_id)
    if user.role == Role.VIEWER:
        return qs.filter(office__in=offices_for(user), status__in=ISSUED)
    mine = _received(user)
    if mine is not None:
        received = BulletinRecipient.objects.unscoped().filter(mine).values("bulletin_id")
        return qs.filter(pk__in=received, status=Bulletin.Status.PUBLISHED)
    return qs.none()


@scope_rule(BulletinRead)
def bulletin_reads_for(user):
    """Read receipts: the office's and a viewer's offices' (who has read); anyone else its
    own."""
    qs = BulletinRead.objects.unscoped()
    if user.is_superuser:
        return qs
    if user.role == Role.OFFICE_ADMIN:
        return qs.filter(office_id=user.office_id)
    if user.role == Role.VIEWER:
        return qs.filter(office__in=offices_for(user))
    return qs.filter(user_id=user.pk)


def get_bulletin_for(user, pk) -> Bulletin:
    return get_or_404(bulletins_for(user).select_related("office__region", "zone"), pk=pk)
