"""The reports: each function turns records into an `exporter.Report` for a reader.

Every report is built for a user, passed first (`exporter.build` refuses otherwise), and
every query it runs starts from that user's scope in `dudao.accounts.scoping`: the object
the report is about (an inspector, an office, a notice) is fetched again through it, so an
object out of scope answers 404 here whatever the caller checked; and every list beneath it
(schools, assignments, visits, findings, zones) is the user's scoped list filtered by that
object, never a query under the object alone. A zone leader reading an inspector's month
therefore sees only what the leader may see; the office admin sees the inspector's whole
month; the inspector sees their own.

Each report is a fixed number of aggregate queries whatever the number of rows."""

import datetime
import re
from collections import Counter

from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from dudao.accounts import scoping
from dudao.core.sorting import natural_sorted
from dudao.core.supervision_items import ALL_ITEMS, ITEMS_BY_NUMBER
from dudao.rectification import queries as rectification_queries
from dudao.rectification.ledger import filtered_findings, with_row_data
from dudao.rectification.models import (
    Escalation,
    Finding,
    FindingStatus,
    Notice,
    Severity,
)
from dudao.rectification.queries import month_end
from dudao.visits import queries as visit_queries
from dudao.visits.models import SixMinimum, VisitMethod

from .exporter import DOCX, PDF, XLSX, Report, Section, Table, long_date, register
from .models import ReportKind

AREA_TEXT = ITEMS_BY_NUMBER  # the eight items and the kindergarten areas (rules.md §4)
LIST_LIMIT = 30  # names listed in a paragraph before "and N more"


def area_text(number) -> str:
    item = AREA_TEXT.get(number)
    return item.text if item else str(number)


def local_day(moment) -> datetime.date | None:
    return timezone.localdate(moment) if moment else None


def names(items, limit=LIST_LIMIT) -> str:
    items = list(items)
    text = list_separator().join(items[:limit])
    if len(items) > limit:
        text += _(" and %(count)s more") % {"count": len(items) - limit}
    return text


def _chinese() -> bool:
    return (get_language() or "").lower().startswith("zh")


def list_separator() -> str:
    """、 between names in Chinese text, a comma otherwise (punctuation, not a word)."""
    return "、" if _chinese() else ", "


def clause_separator() -> str:
    return "；" if _chinese() else "; "


def in_scope(queryset, obj):
    """`obj` (an instance or a primary key) fetched again through the reader's scoped
    `queryset`: out of scope and not found both answer 404."""
    return scoping.get_or_404(queryset, pk=getattr(obj, "pk", obj))


def month_visits(user, first, last):
    """The submitted visits of the month the user may read (`visit_queries.visits_in` says
    which visits count)."""
    return scoping.visits_for(user) & visit_queries.visits_in(first, last)


def feedback_letters(user, first, last):
    """The visits the user may read whose written feedback (书面反馈意见书) was issued to
    the school in the month (Beijing days)."""
    return scoping.visits_for(user).filter(
        feedback_issued_at__date__gte=first, feedback_issued_at__date__lte=last
    )


def feedback_sentence(count: int) -> str:
    return _("%(count)s written feedback letters were issued to schools.") % {"count": count}


def current_assignments(user, day):
    """The assignments the user may read that are in force on `day`."""
    return scoping.assignments_for(user).current(on=day)


def month_label(year: int, month: int) -> str:
    return _("%(year)s-%(month)s") % {"year": year, "month": month}


# --- 1. the ledger (台账) -------------------------------------------------------------------

LEDGER_WIDTHS = [6, 22, 10, 20, 40, 10, 12, 12, 30, 36, 14, 12, 12, 28]


def ledger_columns() -> list[str]:
    """The ledger's columns (整改台账, docs/rules.md §10): 整改要求 is what the inspector
    required, 整改措施 what the school says it did (its latest response)."""
    return [
        _("No."),  # 序号
        _("School"),  # 学校
        _("Responsible inspector"),  # 责任督学
        _("Supervision item"),  # 督导事项
        _("Problem description"),  # 问题描述
        _("Severity"),  # 问题等级
        _("Date found"),  # 发现日期
        _("Rectification deadline"),  # 整改期限
        _("Required action"),  # 整改要求
        _("Rectification measures"),  # 整改措施
        _("Rectification status"),  # 整改状态
        _("Follow-up date"),  # 复查日期 (on-the-spot closures: the closing date)
        _("Closing date"),  # 销号日期
        _("Remarks"),  # 备注
    ]


def ledger_rows(findings) -> list[list]:
    """One row per finding of `ledger_findings` (with `with_row_data`'s annotations)."""
    status_labels = dict(FindingStatus.choices)
    escalation_labels = dict(Escalation.choices)
    severity_labels = dict(Severity.choices)
    rows = []
    for number, finding in enumerate(findings, 1):
        if finding.deadline_kind == Finding.DeadlineKind.ON_THE_SPOT:
            deadline = _("Fix on the spot")
        else:
            deadline = finding.deadline
        status = str(status_labels.get(finding.status, finding.status))
        if finding.is_overdue:
            status = _("%(status)s (overdue)") % {"status": status}
        remarks = []
        if finding.escalated_to != Escalation.NONE:
            remarks.append(
                _("Escalated to %(level)s")
                % {"level": escalation_labels.get(finding.escalated_to, "")}
            )
        if finding.needs_other_department:
            remarks.append(_("Needs another department"))
        if finding.urge_count:
            remarks.append(_("Urged %(count)s times") % {"count": finding.urge_count})
        rows.append(
            [
                number,
                finding.school.name,
                finding.inspector.name if finding.inspector else "",
                area_text(finding.area),
                finding.description,
                str(severity_labels.get(finding.severity, finding.severity)),
                finding.found_on,
                deadline,
                finding.required_action,
                finding.response_text or "",
                status,
                local_day(finding.last_check),
                local_day(finding.closed_at),
                clause_separator().join(remarks),
            ]
        )
    return rows


def ledger_findings(user, params):
    _form, findings = filtered_findings(user, params)
    return with_row_data(findings, "last_check")


@register("ledger", formats=(XLSX,), for_user=True)
def ledger(user, params=None) -> Report:
    office = user.office.name if getattr(user, "office_id", None) else ""
    title = _("%(office)s rectification ledger") % {"office": office}
    rows = ledger_rows(ledger_findings(user, params))
    today = timezone.localdate()
    return Report(
        title=title,
        filename=f"{title}-{today:%Y%m%d}",
        sections=[Section(tables=[Table(ledger_columns(), rows, title, LEDGER_WIDTHS)])],
        office=office,
        date=long_date(today),
        landscape=True,
        figures={"rows": len(rows)},
        office_id=getattr(user, "office_id", None),
    )


# --- 2. the rectification notice (整改通知书) ------------------------------------------------


def notice_inspector(notice, findings):
    if notice.visit_id and notice.visit.inspector_id:
        return notice.visit.inspector
    for finding in findings:
        if finding.inspector_id:
            return finding.inspector
    return None


@register("notice", formats=(DOCX, PDF), template_kind=ReportKind.NOTICE, for_user=True)
def notice(user, notice) -> Report:
    notice = in_scope(
        scoping.notices_for(user).select_related(
            "school", "office", "issued_by", "visit__inspector"
        ),
        notice,
    )
    findings = list(
        scoping.findings_for(user).filter(notices=notice).select_related("inspector").order_by("pk")
    )
    inspector = notice_inspector(notice, findings)
    inspector_name = inspector.name if inspector else str(notice.issued_by or "")
    visit_day = notice.visit.visited_on if notice.visit_id else None
    found_on = visit_day or (findings[0].found_on if findings else None)
    rows = [
        [
            number,
            area_text(finding.area),
            finding.description,
            finding.required_action,
            long_date(finding.deadline),
        ]
        for number, finding in enumerate(findings, 1)
    ]
    intro = _(
        "On %(date)s our responsible inspector %(inspector)s supervised your school and found "
        "the problems listed below. Please rectify them as required by %(deadline)s and report "
        "the rectification to our office in writing, with evidence."
    ) % {
        "date": long_date(found_on),
        "inspector": inspector_name,
        "deadline": long_date(notice.deadline),
    }
    paragraphs = [intro]
    if notice.note:
        paragraphs.append(notice.note)
    contact = []
    if inspector is not None:
        contact.append(
            _("Contact: inspector %(name)s, telephone %(phone)s.")
            % {"name": inspector.name, "phone": inspector.phone}
        )
    columns = [
        _("No."),
        _("Supervision item"),
        _("Problem"),
        _("Required action"),
        _("Rectification deadline"),
    ]
    title = _("Rectification notice")
    return Report(
        title=title,
        filename=f"{title}-{notice.number}-{notice.school.name}",
        masthead=notice.office.name,
        number=notice.number,
        recipient=notice.school.name,
        sections=[
            Section(
                paragraphs=paragraphs, tables=[Table(columns, rows, widths=[9, 20, 37, 36, 16])]
            ),
            Section(paragraphs=contact),
        ],
        signatures=[
            _("Inspector's signature: ______________    Date: ____-__-__"),
            _("School head's signature: ______________    Date: ____-__-__"),
        ],
        office=notice.office.name,
        date=long_date(local_day(notice.issued_at)),
        figures={"items": len(rows), "inspector": inspector_name},
        office_id=notice.office_id,
    )


# --- the monthly reports: shared parts (docs/rules.md §14) -----------------------------------
#
# Both monthly reports have the four sections county offices write: 一、基本情况 (the figures
# of the month), 二、工作亮点 (drawn from the visits' feedback, edited by the writer),
# 三、存在问题 (the problems found and their rectification) and 四、督导建议 (suggestions and
# next month's plan, edited by the writer). The edited texts are `MonthlyReportText` rows.

HIGHLIGHTS_DRAWN = 8  # the most recent visits' feedback drafted into the highlights
SENTENCE_MAX = 120  # characters of a visit's feedback quoted in the draft


def figure_table(pairs) -> Table:
    return Table(
        [_("Indicator"), _("Figure")], [[label, value] for label, value in pairs], widths=[40, 20]
    )


def area_rows(counter: Counter) -> list[list]:
    """One row per item with problems, in catalogue order: the eight items and the
    kindergarten areas (9-13) alike, so an office without kindergartens has no empty
    kindergarten rows."""
    return [
        [item.number, item.text, counter[item.number]]
        for item in ALL_ITEMS
        if counter.get(item.number)
    ]


def problems_section(
    intro: str,
    lines: list[str],
    by_area: Counter,
    *,
    found: bool,
    rectification: str,
    tables: list[Table] | None = None,
) -> Section:
    """三、存在问题 of a monthly report: the problems found (the intro, the notable ones and
    the count per supervision item, or one line saying none was found), then their
    rectification as it stood at the month's end (`rectification`, `tables`)."""
    by_item = [
        Table(
            [_("No."), _("Supervision item"), _("Number of problems")],
            area_rows(by_area),
            widths=[8, 50, 16],
        )
    ]
    return Section(
        heading=_("3. Problems"),
        paragraphs=[intro, *lines, rectification]
        if found
        else [_("No problems were found this month."), rectification],
        tables=[*(by_item if found else []), *(tables or [])],
    )


def rectification_summary(closed: int, still_open: int, overdue: int) -> str:
    return _(
        "%(closed)s problems were rectified this month; %(open)s are still being "
        "rectified, %(overdue)s of them overdue."
    ) % {"closed": closed, "open": still_open, "overdue": overdue}


def month_findings(findings, first, last):
    """(found in the month, closed in the month, overdue at its end, open at its end): the
    findings as they stood on the month's last day, whenever the report is written
    (`rectification.queries.month_end`, docs/rules.md §14)."""
    snapshot = month_end(findings, first, last)
    return snapshot.found, snapshot.closed, snapshot.overdue, snapshot.active


def share(part: int, whole: int) -> str:
    """A percentage as offices write it (85%), or — without a whole."""
    return f"{round(100 * part / whole)}%" if whole else "—"


def fraction(part: int, whole: int) -> str:
    return f"{part}/{whole}"


def method_text(methods: dict[str, int]) -> str:
    """校园巡查（3次）、推门听课（2次）: the methods used, in `VisitMethod` order."""
    return list_separator().join(
        _("%(method)s (%(count)s visits)") % {"method": label, "count": methods[key]}
        for key, label in VisitMethod.choices
        if methods.get(key)
    )


def visits_paragraph(counts: dict) -> list[str]:
    """The unannounced share and the methods of the month's visits (none without visits)."""
    if not counts["visits"]:
        return []
    return [
        _(
            "%(unannounced)s of the %(visits)s visits (%(share)s) were unannounced; methods "
            "used: %(methods)s."
        )
        % {
            "unannounced": counts["unannounced"],
            "visits": counts["visits"],
            "share": share(counts["unannounced"], counts["visits"]),
            "methods": method_text(counts["methods"]) or "—",
        }
    ]


def rectification_work(notices: int, actions: dict) -> str:
    """The month's notices, urgings and escalations (`rectification.queries`)."""
    return _(
        "%(notices)s rectification notices were issued and schools were urged %(urgings)s "
        "times; %(county)s problems were escalated to the county office, %(city)s to the city "
        "and %(province)s to the province."
    ) % {"notices": notices, **actions}


def escalations(actions: dict) -> int:
    return actions["county"] + actions["city"] + actions["province"]


def minimums_summary(progress: dict[int, dict[str, int]]) -> dict:
    """From `visits.queries.six_minimums_progress`: the schools with nothing missing
    (`complete`, a minimum not asked counting as met, as on the dashboards) and per minimum
    the schools that did it and the schools asked it (docs/rules.md §8)."""
    per_minimum = {key: [0, 0] for key in SixMinimum.values}
    for counts in progress.values():
        for key, times in counts.items():
            per_minimum[key][1] += 1
            per_minimum[key][0] += bool(times)
    complete = {pk for pk, counts in progress.items() if all(counts.values())}
    return {"schools": len(progress), "complete": complete, "per_minimum": per_minimum}


def minimums_table(summary: dict, visits_per_minimum: dict[str, int]) -> Table:
    """One row per minimum: the month's visits that recorded it, and the schools that have
    done it this semester of those asked it."""
    return Table(
        [_("Six minimums"), _("Visits this month"), _("Schools done / asked this semester")],
        [
            [str(label), visits_per_minimum.get(key, 0), fraction(*summary["per_minimum"][key])]
            for key, label in SixMinimum.choices
        ],
        title=_("Six minimums this semester"),
        widths=[24, 14, 24],
    )


def minimums_sentence(semester: str, summary: dict) -> str:
    return _(
        "Six minimums in %(semester)s, as of the month's end: %(complete)s of %(schools)s "
        "schools have done every minimum asked of them."
    ) % {
        "semester": semester,
        "complete": len(summary["complete"]),
        "schools": summary["schools"],
    }


# Feedback letters open with how the visit was done ("本次采取校园巡查、推门听课等方式进行
# 督导。") and go on to problems and instructions ("发现问题：…", "请学校按要求整改。"): neither
# is a highlight.
NOT_A_HIGHLIGHT = re.compile(
    r"^本次.*(方式|督导)|发现问题|存在问题|未发现|问题[:：]|整改|^请|^建议|^希望|^针对"
)
SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]?")


def highlight_sentence(text: str) -> str:
    """The first sentence of a visit's feedback that says what the school does well (not the
    opening account of the methods, a problem or an instruction), on one line, at most
    SENTENCE_MAX characters; "" when there is none."""
    text = " ".join(text.split())
    for sentence in SENTENCE.findall(text):
        sentence = sentence.strip()
        if sentence and not NOT_A_HIGHLIGHT.search(sentence):
            if len(sentence) > SENTENCE_MAX:
                return sentence[: SENTENCE_MAX - 1] + "…"
            return sentence
    return ""


def highlights_draft(visits) -> list[str]:
    """二、工作亮点 drafted from the month's visits' feedback to the schools: "school: what it
    does well" (`highlight_sentence`), the most recent visit of each school first, at most
    HIGHLIGHTS_DRAWN. One query."""
    rows = (
        visits.exclude(feedback="")
        .order_by("-visited_at", "-pk")
        .values_list("school_id", "school__name", "feedback")[: HIGHLIGHTS_DRAWN * 3]
    )
    lines, seen = [], set()
    for school_id, name, feedback in rows:
        sentence = highlight_sentence(feedback)
        if school_id in seen or not sentence:
            continue
        seen.add(school_id)
        lines.append(_("%(school)s: %(feedback)s") % {"school": name, "feedback": sentence})
        if len(lines) == HIGHLIGHTS_DRAWN:
            break
    return lines


def saved_text(user, office, inspector, year: int, month: int):
    """The writer's saved highlights and suggestions of the report (`MonthlyReportText`), as
    the reader's scope shows them, or None. One query."""
    texts = scoping.report_texts_for(user).filter(office=office, year=year, month=month)
    if inspector is None:
        return texts.filter(inspector__isnull=True).first()
    return texts.filter(inspector=inspector).first()


def lines_of(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def own_words(saved, highlights: list[str], plan: list[str]) -> tuple[Section, Section, dict]:
    """二、工作亮点 and 四、督导建议: the saved texts where the writer saved one, else the
    drafts; and the figures saying which (`text`, `drafts`, for the editing page)."""
    kept = {
        "highlights": lines_of(saved.highlights) if saved else [],
        "suggestions": lines_of(saved.suggestions) if saved else [],
    }
    shown_highlights = kept["highlights"] or highlights or [_("No highlights were recorded.")]
    figures = {
        "drafts": {"highlights": "\n".join(highlights), "suggestions": "\n".join(plan)},
        "text": {
            "highlights": "\n".join(kept["highlights"]),
            "suggestions": "\n".join(kept["suggestions"]),
            "version": saved.version if saved else None,
        },
    }
    return (
        Section(_("2. Highlights"), shown_highlights),
        Section(_("4. Supervision suggestions"), kept["suggestions"] or plan),
        figures,
    )


# --- 3. the inspector's monthly report (督学月报) ---------------------------------------------


@register(
    "inspector_monthly",
    formats=(DOCX, PDF, XLSX),
    template_kind=ReportKind.INSPECTOR_MONTHLY,
    for_user=True,
)
def inspector_monthly(user, inspector, year: int, month: int) -> Report:
    """The month of `inspector` (an Inspector or its pk) as `user` may see it, in the four
    sections of docs/rules.md §14."""
    inspector = in_scope(scoping.inspectors_for(user).select_related("office"), inspector)
    first, last = visit_queries.month_range(year, month)
    responsible_names = dict(
        current_assignments(user, last)
        .filter(inspector=inspector, school__is_active=True)
        .order_by("school__code")
        .values_list("school_id", "school__name")
    )
    visits = month_visits(user, first, last).filter(inspector=inspector)
    per_school = {}
    visited_names = {}
    for school_id, name, count in (
        visits.values("school", "school__name", "school__code")
        .annotate(n=Count("pk"))
        .order_by("school__code")
        .values_list("school", "school__name", "n")
    ):
        per_school[school_id] = count
        visited_names[school_id] = name
    visit_count = sum(per_school.values())
    days = visits.aggregate(days=Count("visited_on", distinct=True))["days"]
    counts = visit_queries.visit_counts(visits)
    unvisited = natural_sorted(
        name for pk, name in responsible_names.items() if pk not in per_school
    )
    progress = visit_queries.six_minimums_progress(
        scoping.schools_for(user).filter(pk__in=list(responsible_names)), last, until=last
    )
    six = minimums_summary(progress)

    findings = scoping.findings_for(user).filter(inspector=inspector)
    found, closed, _overdue, active = month_findings(findings, first, last)
    as_of_day = min(last, timezone.localdate())  # the month's end, or today within it
    found_rows = list(found.select_related("school").order_by("found_on", "pk"))
    by_area = Counter(f.area for f in found_rows)
    closed_count = closed.count()
    open_rows = list(
        active.annotate(status_at_end=F("status_then"))
        .select_related("school")
        .order_by("deadline", "pk")
    )
    overdue_count = sum(1 for f in open_rows if f.deadline < as_of_day)
    letters = feedback_letters(user, first, last).filter(inspector=inspector).count()
    notices = rectification_queries.notices_issued(
        scoping.notices_for(user).filter(
            pk__in=Notice.findings.through.objects.filter(finding__in=findings).values("notice")
        ),
        first,
        last,
    )
    actions = rectification_queries.urgings_and_escalations(findings, first, last)

    figures = {
        "schools_responsible": len(responsible_names),
        "schools_visited": len(per_school),
        "visits": visit_count,
        "days_in_field": days,
        "unannounced": counts["unannounced"],
        "methods": counts["methods"],
        "minimums_visits": counts["minimums"],
        "six_minimums": {
            "schools": six["schools"],
            "complete": len(six["complete"]),
            "per_minimum": {key: tuple(pair) for key, pair in six["per_minimum"].items()},
        },
        "feedback_letters": letters,
        "notices": notices,
        "urgings": actions["urgings"],
        "escalated": {key: actions[key] for key in ("county", "city", "province")},
        "findings": len(found_rows),
        "closed": closed_count,
        "overdue": overdue_count,
        "open": len(open_rows),
        "by_area": dict(by_area),
    }
    basic = Section(
        heading=_("1. Basic information"),
        paragraphs=[
            _(
                "This month I was responsible for %(responsible)s schools and supervised "
                "%(visited)s of them, with %(visits)s visits in all over %(days)s days in the "
                "field."
            )
            % {
                "responsible": figures["schools_responsible"],
                "visited": figures["schools_visited"],
                "visits": visit_count,
                "days": days,
            },
            *visits_paragraph(counts),
            feedback_sentence(letters),
            rectification_work(notices, actions),
            minimums_sentence(visit_queries.semester_of(last).label, six),
        ],
        tables=[
            figure_table(
                [
                    (_("Schools responsible for"), figures["schools_responsible"]),
                    (_("Schools visited"), figures["schools_visited"]),
                    (_("Number of visits"), visit_count),
                    (_("Days in the field"), days),
                    (_("Written feedback letters"), letters),
                    (_("Problems found"), figures["findings"]),
                    (_("Problems rectified"), closed_count),
                    (_("Overdue problems"), overdue_count),
                    (_("Unannounced visits"), counts["unannounced"]),
                    (_("Share of unannounced visits"), share(counts["unannounced"], visit_count)),
                    (_("Rectification notices"), notices),
                    (_("Urgings"), actions["urgings"]),
                    (_("Escalations"), escalations(actions)),
                ]
            ),
            Table(
                [_("School"), _("Number of visits")],
                [
                    [name, per_school[pk]]
                    for pk, name in natural_sorted(visited_names.items(), lambda kv: kv[1])
                ],
                title=_("Visits per school"),
            ),
            minimums_table(six, counts["minimums"]),
        ],
    )
    problems = problems_section(
        _("%(count)s problems were found this month.") % {"count": len(found_rows)},
        [
            _("%(school)s: %(problem)s (%(item)s)")
            % {"school": f.school.name, "problem": f.description, "item": area_text(f.area)}
            for f in found_rows[:LIST_LIMIT]
        ],
        by_area,
        found=bool(found_rows),
        rectification=rectification_summary(closed_count, len(open_rows), overdue_count),
        tables=[
            Table(
                [_("School"), _("Problem"), _("Rectification deadline"), _("Rectification status")],
                [
                    [
                        f.school.name,
                        f.description,
                        f.deadline,
                        status_text(f, status=f.status_at_end, overdue=f.deadline < as_of_day),
                    ]
                    for f in open_rows[:LIST_LIMIT]
                ],
            )
        ]
        if open_rows
        else [],
    )
    plan = []
    if unvisited:
        plan.append(
            _("Visit the schools not supervised this month: %(schools)s.")
            % {"schools": names(unvisited)}
        )
    if open_rows:
        plan.append(
            _("Follow up the rectification of %(count)s open problems: %(schools)s.")
            % {
                "count": len(open_rows),
                "schools": names(dict.fromkeys(f.school.name for f in open_rows)),
            }
        )
    plan.append(
        _("Carry out the routine monthly supervision of every school I am responsible for.")
    )
    highlights, suggestions, texts = own_words(
        saved_text(user, inspector.office_id, inspector, year, month),
        highlights_draft(visits),
        plan,
    )
    figures |= texts
    title = _("Inspector's monthly report")
    period = month_label(year, month)
    return Report(
        title=title,
        subtitle=_("%(period)s · responsible inspector %(name)s")
        % {"period": period, "name": inspector.name},
        filename=f"{title}-{inspector.name}-{year}{month:02d}",
        sections=[basic, highlights, problems, suggestions],
        signatures=[_("Inspector: %(name)s") % {"name": inspector.name}],
        office=inspector.office.name,
        date=long_date(timezone.localdate()),
        figures=figures,
        office_id=inspector.office_id,
    )


def status_text(finding, *, status=None, overdue=None) -> str:
    """The finding's status (and "overdue"): now, or as given (a month-end snapshot)."""
    status = finding.status if status is None else status
    overdue = finding.is_overdue if overdue is None else overdue
    label = str(dict(FindingStatus.choices).get(status, status))
    if overdue:
        return _("%(status)s (overdue)") % {"status": label}
    return label


# --- 4. the office's monthly summary --------------------------------------------------------


@register(
    "office_monthly",
    formats=(DOCX, PDF, XLSX),
    template_kind=ReportKind.OFFICE_MONTHLY,
    for_user=True,
)
def office_monthly(user, office, year: int, month: int) -> Report:
    """The month of `office` (an Office or its pk) as `user` may see it, in the four
    sections of docs/rules.md §14."""
    office = in_scope(scoping.offices_for(user), office)
    first, last = visit_queries.month_range(year, month)
    active_schools = scoping.schools_for(user).filter(office=office, is_active=True)
    schools = list(active_schools.order_by("code").values_list("pk", "zone_id", "name"))
    school_zone = {pk: zone_id for pk, zone_id, _name in schools}
    visits = month_visits(user, first, last).filter(office=office)
    visits_by_school = dict(
        visits.values("school").annotate(n=Count("pk")).values_list("school", "n")
    )
    counts = visit_queries.visit_counts(visits)
    inspectors = list(
        scoping.inspectors_for(user).filter(office=office, is_active=True).order_by("name")
    )
    by_inspector = {
        row["inspector"]: row
        for row in visits.values("inspector").annotate(
            visits=Count("pk"),
            schools=Count("school", distinct=True),
            days=Count("visited_on", distinct=True),
        )
    }
    days = {
        inspector.pk: by_inspector.get(inspector.pk, {}).get("days", 0) for inspector in inspectors
    }
    held: dict[int, set] = {}
    for inspector_id, school_id in (
        current_assignments(user, last)
        .filter(inspector__office=office, school__is_active=True)
        .values_list("inspector", "school")
    ):
        held.setdefault(inspector_id, set()).add(school_id)
    six = minimums_summary(visit_queries.six_minimums_progress(active_schools, last, until=last))
    six_by_inspector = {
        pk: (len(schools_held & six["complete"]), len(schools_held))
        for pk, schools_held in held.items()
    }
    findings = scoping.findings_for(user).filter(office=office)
    found, closed, overdue, active = month_findings(findings, first, last)
    found_rows = list(
        found.values_list(
            "pk", "area", "severity", "school__zone", "inspector", "school__name", "description"
        )
    )
    by_area = Counter(row[1] for row in found_rows)
    by_severity = Counter(row[2] for row in found_rows)
    closed_by = {
        key: dict(closed.values(key).annotate(n=Count("pk")).values_list(key, "n"))
        for key in ("school__zone", "inspector")
    }
    overdue_by = {
        key: dict(overdue.values(key).annotate(n=Count("pk")).values_list(key, "n"))
        for key in ("school__zone", "inspector")
    }
    closed_count = closed.count()
    overdue_count = overdue.count()
    open_count = active.count()
    unvisited = natural_sorted(name for pk, _zone, name in schools if pk not in visits_by_school)
    notices = rectification_queries.notices_issued(
        scoping.notices_for(user).filter(office=office), first, last
    )
    actions = rectification_queries.urgings_and_escalations(findings, first, last)
    cases = rectification_queries.cases_started_and_closed(
        scoping.accountability_cases_for(user).filter(office=office), first, last
    )

    zone_rows = []
    zones = natural_sorted(
        scoping.zones_for(user).filter(office=office).order_by("pk"), lambda zone: zone.name
    )
    for zone in [*zones, None]:
        zone_id = zone.pk if zone else None
        in_zone = [pk for pk, z in school_zone.items() if z == zone_id]
        if zone is None and not in_zone:
            continue
        zone_rows.append(
            [
                zone.name if zone else _("No zone"),
                len(in_zone),
                sum(1 for pk in in_zone if visits_by_school.get(pk)),
                sum(visits_by_school.get(pk, 0) for pk in in_zone),
                sum(1 for row in found_rows if row[3] == zone_id),
                closed_by["school__zone"].get(zone_id, 0),
                overdue_by["school__zone"].get(zone_id, 0),
            ]
        )
    found_by_inspector = Counter(row[4] for row in found_rows)
    inspector_rows = [
        [
            inspector.name,
            len(held.get(inspector.pk, ())),
            by_inspector.get(inspector.pk, {}).get("schools", 0),
            by_inspector.get(inspector.pk, {}).get("visits", 0),
            days.get(inspector.pk, 0),
            found_by_inspector.get(inspector.pk, 0),
            closed_by["inspector"].get(inspector.pk, 0),
            overdue_by["inspector"].get(inspector.pk, 0),
            fraction(*six_by_inspector.get(inspector.pk, (0, 0))),
        ]
        for inspector in inspectors
    ]
    holding = [pk for pk in (i.pk for i in inspectors) if six_by_inspector.get(pk, (0, 0))[1]]
    met = [pk for pk in holding if six_by_inspector[pk][0] == six_by_inspector[pk][1]]
    visited_count = sum(1 for pk in school_zone if visits_by_school.get(pk))
    visit_count = sum(visits_by_school.values())
    letters = feedback_letters(user, first, last).filter(office=office).count()
    figures = {
        "schools": len(school_zone),
        "schools_visited": visited_count,
        "visits": visit_count,
        "days_in_field": sum(days.values()),
        "unannounced": counts["unannounced"],
        "methods": counts["methods"],
        "minimums_visits": counts["minimums"],
        "six_minimums": {
            "schools": six["schools"],
            "complete": len(six["complete"]),
            "per_minimum": {key: tuple(pair) for key, pair in six["per_minimum"].items()},
            "inspectors_met": len(met),
            "inspectors": len(holding),
        },
        "feedback_letters": letters,
        "notices": notices,
        "urgings": actions["urgings"],
        "escalated": {key: actions[key] for key in ("county", "city", "province")},
        "cases": cases,
        "findings": len(found_rows),
        "closed": closed_count,
        "overdue": overdue_count,
        "open": open_count,
        "by_area": dict(by_area),
    }
    severity_labels = dict(Severity.choices)
    basic = Section(
        heading=_("1. Basic information"),
        paragraphs=[
            _(
                "This month the county's responsible inspectors supervised %(visited)s of "
                "%(schools)s schools, with %(visits)s visits in all over %(days)s inspector-days "
                "in the field."
            )
            % {
                "visited": visited_count,
                "schools": len(school_zone),
                "visits": visit_count,
                "days": figures["days_in_field"],
            },
            *visits_paragraph(counts),
            feedback_sentence(letters),
            rectification_work(notices, actions),
            _("%(started)s accountability cases were started and %(closed)s closed.") % cases,
            minimums_sentence(visit_queries.semester_of(last).label, six),
            _(
                "%(met)s of %(inspectors)s inspectors have done the six minimums at every "
                "school they hold."
            )
            % {"met": len(met), "inspectors": len(holding)},
        ],
        tables=[
            figure_table(
                [
                    (_("Number of schools"), len(school_zone)),
                    (_("Schools visited"), visited_count),
                    (_("Number of visits"), visit_count),
                    (_("Days in the field"), figures["days_in_field"]),
                    (_("Written feedback letters"), letters),
                    (_("Problems found"), len(found_rows)),
                    (_("Problems rectified"), closed_count),
                    (_("Overdue problems"), overdue_count),
                    (_("Unannounced visits"), counts["unannounced"]),
                    (_("Share of unannounced visits"), share(counts["unannounced"], visit_count)),
                    (_("Rectification notices"), notices),
                    (_("Urgings"), actions["urgings"]),
                    (_("Escalations"), escalations(actions)),
                    (_("Accountability cases started"), cases["started"]),
                    (_("Accountability cases closed"), cases["closed"]),
                ]
            ),
            Table(
                [
                    _("Zone"),
                    _("Number of schools"),
                    _("Schools visited"),
                    _("Number of visits"),
                    _("Problems found"),
                    _("Problems rectified"),
                    _("Overdue problems"),
                ],
                zone_rows,
                title=_("By zone"),
            ),
            Table(
                [
                    _("Inspector"),
                    _("Schools responsible for"),
                    _("Schools visited"),
                    _("Number of visits"),
                    _("Days in the field"),
                    _("Problems found"),
                    _("Problems rectified"),
                    _("Overdue problems"),
                    _("Six minimums complete"),
                ],
                inspector_rows,
                title=_("By inspector"),
            ),
            minimums_table(six, counts["minimums"]),
        ],
    )
    severity_text = list_separator().join(
        _("%(label)s: %(count)s problems")
        % {"label": severity_labels[key], "count": by_severity[key]}
        for key in Severity.values
        if by_severity.get(key)
    )
    serious = [row for row in found_rows if row[2] in (Severity.SERIOUS, Severity.KEY)]
    problems = problems_section(
        _("%(count)s problems were found this month (%(severities)s).")
        % {"count": len(found_rows), "severities": severity_text},
        [
            _("%(school)s: %(problem)s") % {"school": row[5], "problem": row[6]}
            for row in serious[:LIST_LIMIT]
        ],
        by_area,
        found=bool(found_rows),
        rectification=rectification_summary(closed_count, open_count, overdue_count),
    )
    plan = []
    if unvisited:
        plan.append(
            _("Visit the %(count)s schools not supervised this month: %(schools)s.")
            % {"count": len(unvisited), "schools": names(unvisited)}
        )
    if overdue_count:
        plan.append(
            _(
                "Urge the rectification of the %(count)s overdue problems and hold to account "
                "where needed."
            )
            % {"count": overdue_count}
        )
    plan.append(_("Continue the routine monthly supervision of every school."))
    highlights, suggestions, texts = own_words(
        saved_text(user, office, None, year, month), highlights_draft(visits), plan
    )
    figures |= texts
    title = _("Monthly supervision summary")
    period = month_label(year, month)
    return Report(
        title=title,
        subtitle=period,
        filename=f"{title}-{office.name}-{year}{month:02d}",
        sections=[basic, highlights, problems, suggestions],
        office=office.name,
        date=long_date(timezone.localdate()),
        figures=figures,
        office_id=office.pk,
    )


# --- sample data, to check an uploaded template renders ------------------------------------


def sample(kind: str) -> Report:
    """A report of `kind` with made-up content exercising every tag of the layout."""
    table = Table(
        [_("No."), _("School"), _("Problem")], [[1, "示例小学", "示例问题"]], title=_("By zone")
    )
    return Report(
        title=str(ReportKind(kind).label),
        subtitle=month_label(2026, 11),
        filename="sample",
        number="X教督整〔2026〕1号",
        recipient="示例小学",
        sections=[Section(_("1. Basic information"), ["示例段落。"], [table])],
        signatures=[_("Inspector's signature: ______________    Date: ____-__-__")],
        office="示例督导室",
        date=long_date(datetime.date(2026, 11, 22)),
    )
