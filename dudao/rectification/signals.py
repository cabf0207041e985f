"""Signals for other apps (notifications, statistics). Sent after the transaction commits,
so a receiver never sees a change that was rolled back.

finding_transitioned(sender=Finding, finding=Finding, event=FindingEvent, action=str)
    sent for every FindingEvent: workflow actions ("issue_notice", "respond", ...) and
    events outside the table ("created", "escalated", "overdue", "accountability_opened",
    ...). A finding created with severity "serious" sends "created" with
    event.data["serious"] = True: the office should consider an accountability case.

findings_bulk_updated(sender=Finding, pks=list[int])
    sent INSIDE the transaction, before the commit, after findings were changed by a bulk
    UPDATE that sends no post_save (the nightly overdue flag, `overdue.mark_overdue`): for
    counters kept in the same transaction (dudao/rollup, docs/rules.md §28).
"""

from django.dispatch import Signal

finding_transitioned = Signal()
findings_bulk_updated = Signal()
