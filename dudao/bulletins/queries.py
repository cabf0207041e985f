"""Read queries of bulletins: who a document goes to (the rule resolved on a day), whose
accounts read it, the read receipts per recipient, and the lists (a fixed number of queries
whatever the number of rows)."""

import datetime

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from dudao.accounts.models import Role, User
from dudao.core.errors import DomainError
from dudao.inspectors.models import Inspector
from dudao.schools.models import School

from .models import Audience, Bulletin, BulletinRead, BulletinRecipient

INSPECTOR_ROLES = (Role.INSPECTOR, Role.ZONE_LEADER)


def resolve_recipients(bulletin: Bulletin) -> tuple[list[int], list[int]]:
    """(school ids, inspector ids) the bulletin's rule gives now: the office's active schools
    (all, a zone's, or those chosen) or its active inspectors. DomainError when it gives
    nobody."""
    office_id = bulletin.office_id
    schools = School.objects.unscoped().filter(office_id=office_id, is_active=True)
    school_ids, inspector_ids = [], []
    if bulletin.audience == Audience.ALL_SCHOOLS:
        school_ids = list(schools.order_by("code", "pk").values_list("pk", flat=True))
    elif bulletin.audience == Audience.ZONE:
        if bulletin.zone_id is None:
            raise DomainError(_("Choose the zone whose schools receive it."), field="zone")
        school_ids = list(
            schools.filter(zone_id=bulletin.zone_id)
            .order_by("code", "pk")
            .values_list("pk", flat=True)
        )
    elif bulletin.audience == Audience.SCHOOLS:
        school_ids = list(
            schools.filter(pk__in=bulletin.chosen_schools.values("pk"))
            .order_by("code", "pk")
            .values_list("pk", flat=True)
        )
    elif bulletin.audience == Audience.INSPECTORS:
        inspector_ids = list(
            Inspector.objects.unscoped()
            .filter(office_id=office_id, is_active=True)
            .order_by("name", "pk")
            .values_list("pk", flat=True)
        )
    if not school_ids and not inspector_ids:
        raise DomainError(_("Nobody would receive it: choose its recipients."), field="audience")
    return school_ids, inspector_ids


def accounts_of(recipients) -> dict[int, list[User]]:
    """{recipient id: its active accounts}: the school's users, or the inspector's account.
    One query."""
    recipients = list(recipients)
    schools = {r.school_id: r.pk for r in recipients if r.school_id}
    inspectors = {r.inspector_id: r.pk for r in recipients if r.inspector_id}
    out: dict[int, list[User]] = {r.pk: [] for r in recipients}
    if not recipients:
        return out
    users = User.objects.filter(is_active=True).filter(
        Q(role=Role.SCHOOL, school_id__in=list(schools))
        | Q(role__in=INSPECTOR_ROLES, inspector_id__in=list(inspectors))
    )
    for user in users.order_by("pk"):
        key = (
            schools.get(user.school_id)
            if user.role == Role.SCHOOL
            else inspectors.get(user.inspector_id)
        )
        if key is not None:
            out[key].append(user)
    return out


def recipient_of(user, bulletin) -> BulletinRecipient | None:
    """The user's place among the bulletin's recipients (its school's, or its own as an
    inspector), if any."""
    rows = BulletinRecipient.objects.unscoped().filter(bulletin=bulletin)
    if user.role == Role.SCHOOL and user.school_id:
        return rows.filter(school_id=user.school_id).first()
    if user.role in INSPECTOR_ROLES and user.inspector_id:
        return rows.filter(inspector_id=user.inspector_id).first()
    return None


def receipts(bulletin: Bulletin) -> list[dict]:
    """Every recipient of a published bulletin with its accounts and read receipts: who has
    read (each account's first opening) and who has not; a recipient without an account
    cannot read it. Three queries."""
    recipients = list(
        BulletinRecipient.objects.unscoped()
        .filter(bulletin=bulletin)
        .select_related("school", "inspector")
        .order_by("school__code", "inspector__name", "pk")
    )
    accounts = accounts_of(recipients)
    reads: dict[int, list[BulletinRead]] = {}
    for read in (
        BulletinRead.objects.unscoped()
        .filter(bulletin=bulletin)
        .select_related("user")
        .order_by("read_at", "pk")
    ):
        reads.setdefault(read.recipient_id, []).append(read)
    rows = []
    for recipient in recipients:
        mine = reads.get(recipient.pk, [])
        rows.append(
            {
                "recipient": recipient,
                "accounts": accounts[recipient.pk],
                "reads": mine,
                "first_read": mine[0].read_at if mine else None,
                "is_read": bool(mine),
            }
        )
    return rows


def receipt_counts(rows: list[dict]) -> dict[str, int]:
    read = sum(1 for row in rows if row["is_read"])
    no_account = sum(1 for row in rows if not row["is_read"] and not row["accounts"])
    return {
        "total": len(rows),
        "read": read,
        "unread": len(rows) - read,
        "no_account": no_account,
    }


def _count(queryset, column: str):
    """COUNT(DISTINCT column) of the rows of `queryset` (filtered on OuterRef("pk")) as a
    subquery, 0 when none."""
    return Coalesce(
        Subquery(
            queryset.order_by()
            .values("bulletin")
            .annotate(n=Count(column, distinct=True))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def with_counts(queryset):
    """The office's list: each bulletin with its number of recipients and of recipients
    that have read it (two subqueries, not a join per row)."""
    return queryset.annotate(
        recipient_count=_count(
            BulletinRecipient.objects.unscoped().filter(bulletin=OuterRef("pk")), "pk"
        ),
        read_count=_count(
            BulletinRead.objects.unscoped().filter(bulletin=OuterRef("pk")), "recipient"
        ),
    )


def with_read_mark(queryset, user):
    """A recipient's list: each bulletin with `is_read` for this user."""
    return queryset.annotate(
        is_read=Exists(BulletinRead.objects.unscoped().filter(bulletin=OuterRef("pk"), user=user))
    )


def unread_count(user, bulletins) -> int:
    """How many of `bulletins` (the user's scope, published) the user has not opened."""
    return (
        bulletins.filter(status=Bulletin.Status.PUBLISHED)
        .exclude(pk__in=BulletinRead.objects.unscoped().filter(user=user).values("bulletin_id"))
        .count()
    )


def day_param(params, key: str) -> datetime.date | None:
    """A YYYY-MM-DD query parameter, or None when absent or not a date."""
    try:
        return datetime.date.fromisoformat(str(params.get(key) or ""))
    except ValueError:
        return None


def filter_published(queryset, params):
    """The list's `published_from` / `published_to` (Beijing days of `published_at`): what a
    half-year or annual summary's bulletin figures link to (docs/rules.md §30)."""
    first, last = day_param(params, "published_from"), day_param(params, "published_to")
    if first:
        queryset = queryset.filter(published_at__date__gte=first)
    if last:
        queryset = queryset.filter(published_at__date__lte=last)
    return queryset
