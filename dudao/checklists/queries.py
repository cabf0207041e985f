"""Read queries of checklists, always from a scope (`scoping.checklists_for(user)`)."""

from django.db.models import QuerySet

from dudao.core import revisions

from .models import ChecklistTemplate

Status = ChecklistTemplate.Status


def newest_revisions(queryset: QuerySet, *, status: str | None = None) -> QuerySet:
    """The newest revision of each line (a built-in's key, or an office's key) in
    `queryset`; with `status`, the newest of that status (dudao.core.revisions)."""
    return revisions.newest_revisions(queryset, status=status)


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
    return revisions.revisions_of(queryset, checklist)
