"""The half-year or annual work summary (工作总结) as a document, through the one exporter
(`dudao.reports.exporter`, report `work_summary`, Word template `ReportKind.WORK_SUMMARY`):
the five sections of the offices' own summaries (docs/rules.md §30):

一、基本情况 the figures (`figures.compute`), never edited;
二、主要做法, 三、工作成效, 四、存在问题, 五、下一步打算 the office's words (`SummaryText`),
drafted from the figures where the office has saved none (an emptied text brings the draft
back). Built for a reader, within their scope; a fixed number of queries."""

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from dudao.accounts import scoping
from dudao.reports.builders import figure_table, lines_of, method_text
from dudao.reports.exporter import DOCX, PDF, XLSX, Report, Section, Table, long_date, register
from dudao.reports.models import ReportKind

from . import figures, periods
from .models import SummarySection

UNANNOUNCED_LOW = 0.5  # below this share of unannounced visits the draft names it a problem


def saved_texts(user, summary: figures.Summary) -> dict[str, object]:
    """Section → the saved `SummaryText` of this summary the reader may see. One query."""
    subject, period = summary.subject, summary.period
    rows = scoping.summary_texts_for(user).filter(
        office=subject.office,
        zone=subject.zone,
        inspector=subject.inspector,
        first=period.first,
        last=period.last,
    )
    return {row.section: row for row in rows}


def drafts(summary: figures.Summary) -> dict[str, list[str]]:
    """The drafts of the four sections the office edits, from the figures."""
    v = summary.values
    practices = []
    methods = method_text(summary.methods)
    if v["visits"]:
        practices.append(
            _(
                "The responsible inspectors supervised their schools every month, by %(methods)s, "
                "and gave each school written feedback."
            )
            % {"methods": methods or "—"}
        )
    if v.get("campaigns"):
        practices.append(
            _("%(count)s special campaigns were held, with %(schools)s school checks.")
            % {"count": v["campaigns"], "schools": v["campaign_schools"]}
        )
    if v.get("rounds"):
        practices.append(
            _("%(count)s evaluation rounds were completed and their results published.")
            % {"count": v["rounds"]}
        )
    if v.get("bulletins") or v.get("briefings"):
        practices.append(
            _("%(bulletins)s bulletins and %(briefings)s briefings were issued.")
            % {"bulletins": v["bulletins"], "briefings": v["briefings"]}
        )
    if v.get("training"):
        practices.append(_("%(count)s training sessions were held.") % {"count": v["training"]})
    results = [
        _(
            "%(found)s problems were found and %(rectified)s of them rectified (%(rate)s); "
            "the on-time rectification rate was %(on_time)s."
        )
        % {
            "found": v["findings"],
            "rectified": v["rectified"],
            "rate": v["rectified_rate"],
            "on_time": v["on_time_rate"],
        }
    ]
    if v["escalated"]:
        results.append(
            _("%(count)s problems the schools could not solve alone were escalated.")
            % {"count": v["escalated"]}
        )
    if "complaints" in v:
        results.append(
            _("%(received)s complaints were received from the public and %(solved)s solved.")
            % {"received": v["complaints"], "solved": v["complaints_solved"]}
        )
    problems = []
    still_open = v["findings"] - v["rectified"] - v["withdrawn"]
    if still_open:
        problems.append(
            _("%(count)s of the problems found are still being rectified.") % {"count": still_open}
        )
    late = v["due"] - v["on_time"]
    if late:
        problems.append(
            _("%(count)s problems were not rectified by their deadline.") % {"count": late}
        )
    if v["visits"] and v["unannounced"] < UNANNOUNCED_LOW * v["visits"]:
        problems.append(
            _("Only %(share)s of the visits were unannounced.") % {"share": v["unannounced_share"]}
        )
    if v.get("complaints", 0) > v.get("complaints_solved", 0):
        problems.append(
            _("%(count)s complaints are not solved yet.")
            % {"count": v["complaints"] - v["complaints_solved"]}
        )
    if not problems:
        problems.append(_("No problem stands out in the figures; add the office's own view."))
    plans = [_("Keep visiting every school every month, unannounced.")]
    if still_open:
        plans.append(
            _("Follow up the %(count)s problems still being rectified until they are closed.")
            % {"count": still_open}
        )
    if "campaigns" in v:  # the office's own work: not in a zone's or an inspector's plans
        plans.append(_("Plan the special campaigns and the training of the next period."))
    return {
        SummarySection.PRACTICES: practices or [_("Describe the main practices here.")],
        SummarySection.RESULTS: results,
        SummarySection.PROBLEMS: problems,
        SummarySection.PLANS: plans,
    }


def words(user, summary: figures.Summary) -> dict[str, dict]:
    """Section → {"draft", "text", "version", "lines"}: the saved text (if any), the draft,
    and the lines the document shows (the text, else the draft)."""
    saved = saved_texts(user, summary)
    out = {}
    for section, draft in drafts(summary).items():
        row = saved.get(section)
        kept = lines_of(row.text) if row else []
        out[section] = {
            "draft": "\n".join(draft),
            "text": "\n".join(kept),
            "version": row.version if row else 0,
            "lines": kept or draft,
        }
    return out


def basic_section(summary: figures.Summary) -> Section:
    v = summary.values
    paragraphs = [
        _(
            "In %(period)s, %(days)s inspector-days were spent in the field and %(visits)s "
            "visits were made to %(schools)s schools, %(unannounced)s of them unannounced "
            "(%(share)s); %(letters)s written feedback letters were issued."
        )
        % {
            "period": summary.period.label,
            "days": v["field_days"],
            "visits": v["visits"],
            "schools": v["schools"],
            "unannounced": v["unannounced"],
            "share": v["unannounced_share"],
            "letters": v["feedback_letters"],
        }
    ]
    if "notices" in v:
        paragraphs.append(
            _("%(count)s rectification notices were issued.") % {"count": v["notices"]}
        )
    rows = [(figure.label, figure.value) for group in summary.groups for figure in group.figures]
    tables = [figure_table(rows)]
    if summary.by_item:
        tables.append(
            Table(
                [_("No."), _("Supervision item"), _("Number of problems")],
                [
                    [number, figure.label, figure.value]
                    for number, figure in enumerate(summary.by_item, 1)
                ],
                title=_("Problems found by supervision item"),
                widths=[8, 50, 16],
            )
        )
    return Section(_("1. Basic information"), paragraphs, tables)


def resolve(user, params) -> tuple[figures.Subject, periods.Period]:
    """The subject and period named by `params` (404 when the subject is not the reader's)."""
    today = timezone.localdate()
    subject = figures.subject_for(user, (params or {}).get("subject"))
    if subject is None:
        raise Http404
    return subject, periods.parse(params or {}, today)


@register(
    "work_summary",
    formats=(DOCX, PDF, XLSX),
    template_kind=ReportKind.WORK_SUMMARY,
    for_user=True,
)
def work_summary(user, params=None) -> Report:
    """The work summary named by the page's query parameters (`subject`, `period`, `year`,
    `first`, `last`), as `user` may see it."""
    subject, period = resolve(user, params)
    today = timezone.localdate()
    summary = figures.compute(user, subject, period, today)
    texts = words(user, summary)
    title = _("Supervision work summary")
    return Report(
        title=title,
        subtitle=f"{subject.name} {period.label}",
        filename=f"{title}-{subject.name}-{period.first:%Y%m%d}-{period.last:%Y%m%d}",
        sections=[
            basic_section(summary),
            Section(_("2. Main practices"), texts[SummarySection.PRACTICES]["lines"]),
            Section(_("3. Results of the work"), texts[SummarySection.RESULTS]["lines"]),
            Section(_("4. Problems"), texts[SummarySection.PROBLEMS]["lines"]),
            Section(pgettext("summary", "5. Next steps"), texts[SummarySection.PLANS]["lines"]),
        ],
        office=subject.office.name,
        date=long_date(today),
        figures=summary.values,
        office_id=subject.office.pk,
    )
