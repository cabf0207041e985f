"""The ledger's rows (整改台账, docs/rules.md §10), written in Python.

The ledger is the page inspectors open most at month end. As a template, its 25 rows were
about a thousand variable lookups and filters, nearly half of the page's CPU; written here
each row is one format string (issue 10; docs/benchmarks.md). Every value is escaped;
tests/rectification/test_ledger_rows.py renders the same page both ways and compares.
"""

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape as esc
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext

from dudao.rectification.models import Escalation, Severity

register = template.Library()

DASH = "—"


def _day(value) -> str:
    """As the `date:"Y-m-d"` filter: a moment in the local time zone, a date as it is."""
    if value is None:
        return ""
    if hasattr(value, "tzinfo"):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return value.strftime("%Y-%m-%d")


def _short(text, length: int) -> str:
    return Truncator(text).chars(length) if text else ""


@register.simple_tag
def ledger_rows(page):
    """The `<tr>`s of a page of `rows_by_id` findings (with `with_row_data`'s annotations)."""
    labels = {
        key: esc(gettext(msgid))
        for key, msgid in (
            ("no", "No."),
            ("school", "School"),
            ("inspector", "Responsible inspector"),
            ("area", "Supervision item"),
            ("problem", "Problem"),
            ("severity", "Severity"),
            ("found", "Date found"),
            ("deadline", "Deadline"),
            ("measures", "Rectification measures"),
            ("status", "Status"),
            ("followup", "Follow-up date"),
            ("closed", "Closing date"),
            ("remarks", "Remarks"),
        )
    }
    overdue = esc(gettext("Overdue"))
    department = esc(gettext("Needs another department"))
    detail = reverse("rectification:finding_detail", args=[0])[: -len("0/")]
    rows = []
    for number, f in enumerate(page.object_list, page.start_index()):
        severity = esc(f.get_severity_display())
        if f.severity != Severity.GENERAL:
            severity = f'<span class="badge">{severity}</span>'
        remarks = []
        if f.is_overdue:
            remarks.append(f'<span class="badge bad">{overdue}</span> ')
        if f.escalated_to != Escalation.NONE:
            level = gettext("Escalated: %(level)s") % {"level": f.get_escalated_to_display()}
            remarks.append(f'<span class="badge warn">{esc(level)}</span> ')
        if f.needs_other_department:
            remarks.append(f'<span class="badge warn">{department}</span> ')
        if f.urge_count:
            urged = ngettext("urged %(counter)s time", "urged %(counter)s times", f.urge_count)
            remarks.append(f'<span class="muted">{esc(urged % {"counter": f.urge_count})}</span>')
        inspector = f.inspector.name if f.inspector_id and f.inspector else ""
        rows.append(
            f'<tr class="{"overdue" if f.is_overdue else ""}" data-finding="{f.pk}">\n'
            f'<td class="num" data-label="{labels["no"]}">{number}</td>\n'
            f'<td data-label="{labels["school"]}">{esc(f.school.name)}</td>\n'
            f'<td data-label="{labels["inspector"]}">{esc(inspector or DASH)}</td>\n'
            f'<td data-label="{labels["area"]}" data-area="{esc(f.area)}">'
            f"{esc(f.get_area_display())}</td>\n"
            f'<td data-label="{labels["problem"]}"><a href="{detail}{f.pk}/">'
            f"{esc(_short(f.description, 80))}</a></td>\n"
            f'<td data-label="{labels["severity"]}">{severity}</td>\n'
            f'<td data-label="{labels["found"]}">{_day(f.found_on)}</td>\n'
            f'<td data-label="{labels["deadline"]}">{_day(f.deadline)}</td>\n'
            f'<td data-label="{labels["measures"]}" data-measures>'
            f"{esc(_short(f.response_text, 60) or DASH)}</td>\n"
            f'<td data-label="{labels["status"]}">{esc(f.get_status_display())}</td>\n'
            f'<td data-label="{labels["followup"]}">{_day(f.last_follow_up) or DASH}</td>\n'
            f'<td data-label="{labels["closed"]}">{_day(f.closed_at) or DASH}</td>\n'
            f'<td data-label="{labels["remarks"]}">{"".join(remarks)}</td>\n'
            "</tr>"
        )
    return mark_safe("".join(rows))  # every value above is escaped
