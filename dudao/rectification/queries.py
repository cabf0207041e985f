"""Ledger figures for the office (pass scoped querysets)."""

from django.db.models import Count, Exists, OuterRef, QuerySet

from .models import AccountabilityCase, Finding, Severity
from .workflow import ACTIVE


def active_findings(findings: QuerySet[Finding]) -> QuerySet[Finding]:
    return findings.filter(status__in=ACTIVE)


def serious_without_case(findings: QuerySet[Finding]) -> QuerySet[Finding]:
    """Serious findings for which the office has not opened an accountability case yet: the
    flag on the office's dashboard (a person decides; nothing is opened automatically)."""
    cases = AccountabilityCase.objects.unscoped().filter(finding=OuterRef("pk"))
    return findings.filter(severity=Severity.SERIOUS).filter(~Exists(cases))


def counts_by_status(findings: QuerySet[Finding]) -> dict[str, int]:
    return dict(findings.values("status").annotate(n=Count("pk")).values_list("status", "n"))
