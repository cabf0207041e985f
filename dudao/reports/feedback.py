"""The visit's written feedback to the school (书面反馈意见书 / 督导记录表, docs/rules.md §7):
printed after the visit and signed at the school by the inspector and the school's head.
One row generator (`visit_feedback`) rendered by the exporter to DOCX (the bundled
`docx_templates/visit_feedback.docx`, the GB/T 9704 layout of every report) and PDF.

Built for a reader like every report: the visit is fetched again through the reader's scope
(404 out of scope; a draft has no letter) and its findings come from the reader's scoped
findings. Three queries whatever the number of findings.

The bundled template is the common layout (`docx_defaults.build_document`) with the
signature block (signature lines, office, date) kept together on one page
(`build_template`). Offices may upload their own (`ReportKind.VISIT_FEEDBACK`);
`docx_defaults.write_all()` regenerates the bundled one.
"""

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.accounts import scoping
from dudao.visits.models import AreaCheck, SixMinimum, VisitMethod

from .builders import area_text, in_scope, list_separator, local_day
from .exporter import DOCX, PDF, Report, Section, Table, long_date, register
from .models import ReportKind

KIND = ReportKind.VISIT_FEEDBACK.value  # the report's name and its Word template's kind


def _labels(values, choices) -> str:
    labels = dict(choices)
    return list_separator().join(str(labels.get(v, v)) for v in values or [])


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@register(KIND, formats=(DOCX, PDF), template_kind=KIND, for_user=True)
def visit_feedback(user, visit) -> Report:
    visit = in_scope(
        scoping.visits_for(user).select_related("school", "office", "inspector", "created_by"),
        visit,
    )
    if visit.is_draft:
        raise Http404
    findings = list(scoping.findings_for(user).filter(visit=visit).order_by("area", "pk"))
    checks = {check.area: check for check in visit.area_checks.all()}
    inspector = visit.inspector.name if visit.inspector_id else str(visit.created_by)
    day = visit.visited_on

    methods = _labels(visit.methods, VisitMethod.choices) or "—"
    about = [
        _(
            "On %(date)s responsible inspector %(inspector)s supervised your school (routine "
            "supervision) by: %(methods)s."
        )
        % {"date": long_date(day), "inspector": inspector, "methods": methods}
    ]
    if visit.unannounced:
        about.append(
            _("The visit was unannounced: no notice, no greeting, no briefing, no escort.")
        )
    if visit.minimums:
        about.append(
            _("Six minimums covered: %(minimums)s.")
            % {"minimums": _labels(visit.minimums, SixMinimum.choices)}
        )
    status_text = dict(AreaCheck.Status.choices)
    item_rows = [
        [
            number,
            area_text(number),
            str(status_text[check.status]) if check else str(status_text["not_checked"]),
            check.note if check else "",
        ]
        # The items the visit was recorded on (its school type's; the eight when none).
        for number, check in ((n, checks.get(n)) for n in (sorted(checks) or range(1, 9)))
    ]
    sections = [
        Section(heading=_("1. The visit"), paragraphs=about),
        Section(
            heading=_("2. The supervision items"),
            tables=[
                Table(
                    [_("No."), _("Supervision item"), _("Result"), _("Note")],
                    item_rows,
                    widths=[8, 40, 16, 54],
                )
            ],
        ),
    ]
    if findings:
        rows = [
            [
                number,
                area_text(finding.area),
                finding.description,
                finding.get_deadline_kind_display(),
                long_date(finding.deadline),
            ]
            for number, finding in enumerate(findings, 1)
        ]
        problems = Section(
            heading=_("3. Problems found and how they are to be fixed"),
            paragraphs=[
                _(
                    "Please fix the problems below as required and report the rectification "
                    "to our office with evidence."
                )
            ],
            tables=[
                Table(
                    [
                        _("No."),
                        _("Supervision item"),
                        _("Problem"),
                        _("How it is to be fixed"),
                        _("Rectification deadline"),
                    ],
                    rows,
                    widths=[8, 26, 44, 20, 20],
                )
            ],
        )
    else:
        problems = Section(
            heading=_("3. Problems found and how they are to be fixed"),
            paragraphs=[_("No problems were found in this visit.")],
        )
    sections.append(problems)
    sections.append(
        Section(
            heading=_("4. Feedback"),
            paragraphs=_paragraphs(visit.feedback) or ["—"],
        )
    )
    sections.append(
        Section(
            heading=_("5. Next visit"),
            paragraphs=_paragraphs(visit.next_visit_plan) or ["—"],
        )
    )
    issued = local_day(visit.feedback_issued_at) or timezone.localdate()
    title = _("Supervision feedback letter")
    return Report(
        title=title,
        filename=f"{title}-{visit.school.name}-{day:%Y%m%d}" if day else title,
        recipient=visit.school.name,
        sections=sections,
        signatures=[
            _("Inspector's signature: ______________    Date: ____-__-__"),
            _("School head's signature: ______________    Date: ____-__-__"),
        ],
        office=visit.office.name,
        date=long_date(issued),
        figures={
            "findings": len(findings),
            "inspector": inspector,
            "issued": visit.feedback_issued_at is not None,
        },
        office_id=visit.office_id,
    )


def build_template():
    """The common report layout with the signature block kept on one page: the signature
    lines, the office and the date each keep with the next paragraph, and none is split."""
    from .docx_defaults import build_document

    document = build_document()
    paragraphs = document.paragraphs
    start = next(
        i for i, p in enumerate(paragraphs) if p.text.strip() == "{%p for line in signatures %}"
    )
    # The blank line before the signatures, the loop's line, the blank after, the office
    # (the date, last, keeps its lines together only).
    for paragraph in paragraphs[start - 1 :]:
        if paragraph.text.startswith("{%p"):
            continue
        fmt = paragraph.paragraph_format
        fmt.keep_together = True
        if paragraph.text != "{{ date }}":
            fmt.keep_with_next = True
    return document
