"""Read queries of checklists, always from a scope (`scoping.checklists_for(user)`)."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from .models import ChecklistTemplate

Status = ChecklistTemplate.Status


def newest_revisions(queryset: QuerySet) -> QuerySet:
    """The newest revision of each line (built-in or an office's key) in `queryset`."""
    newer = ChecklistTemplate.objects.unscoped().filter(
        key=OuterRef("key"), revision__gt=OuterRef("revision")
    )
    return queryset.filter(
        (Q(office__isnull=True) & ~Exists(newer.filter(office__isnull=True)))
        | (Q(office__isnull=False) & ~Exists(newer.filter(office=OuterRef("office"))))
    )


def usable(queryset: QuerySet, purpose: str | None = None) -> QuerySet:
    """The published revisions a new campaign (or return) may run: every published one in
    `queryset` (a scope), newest first within each line; `purpose` narrows it."""
    qs = queryset.filter(status=Status.PUBLISHED)
    if purpose:
        qs = qs.filter(purpose=purpose)
    return qs.order_by("office_id", "title", "-revision")


def revisions_of(queryset: QuerySet, checklist: ChecklistTemplate) -> QuerySet:
    """Every revision of `checklist`'s line visible in `queryset`, newest first."""
    return queryset.filter(office_id=checklist.office_id, key=checklist.key).order_by("-revision")
