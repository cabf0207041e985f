"""Read queries of checklists, always from a scope (`scoping.checklists_for(user)`)."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from .models import ChecklistTemplate

Status = ChecklistTemplate.Status


def newest_revisions(queryset: QuerySet, *, status: str | None = None) -> QuerySet:
    """The newest revision of each line (a built-in's key, or an office's key) in
    `queryset`; with `status`, the newest of that status."""
    newer = ChecklistTemplate.objects.unscoped().filter(
        key=OuterRef("key"), revision__gt=OuterRef("revision")
    )
    if status:
        queryset, newer = queryset.filter(status=status), newer.filter(status=status)
    return queryset.filter(
        (Q(office__isnull=True) & ~Exists(newer.filter(office__isnull=True)))
        | (Q(office__isnull=False) & ~Exists(newer.filter(office=OuterRef("office"))))
    )


def usable(queryset: QuerySet, purpose: str | None = None) -> QuerySet:
    """What a new campaign (purpose "campaign") or return ("return") may run: the newest
    published revision of each line in `queryset` (a scope: the built-ins and the office's
    own), built-ins first, by title. Campaigns keep the revision they started with."""
    qs = newest_revisions(queryset, status=Status.PUBLISHED)
    if purpose:
        qs = qs.filter(purpose=purpose)
    return qs.order_by("-office_id", "title")


def revisions_of(queryset: QuerySet, checklist: ChecklistTemplate) -> QuerySet:
    """Every revision of `checklist`'s line visible in `queryset`, newest first."""
    return queryset.filter(office_id=checklist.office_id, key=checklist.key).order_by("-revision")
