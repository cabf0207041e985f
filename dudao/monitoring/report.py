"""The DOCX monitoring report (县域义务教育均衡发展监测报告), built as a `reports.exporter.Report`
and rendered by the reports app's exporter with its GB/T 9704 Word layout (the same bundled
template as every other report; no office house template applies to this report)."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.reports import exporter
from dudao.reports.exporter import DOCX, Report, Section, Table, long_date

from . import insight
from .engine import Result
from .inputs import exclusion_text

LEVELS = ("primary", "junior")


def _num(value, digits=3):
    if value is None:
        return "—"
    return f"{value:.{digits}f}"


def _yes(passed):
    if passed is None:
        return "—"
    return _("met") if passed else _("not met")


@exporter.register("monitoring", formats=(DOCX,), template_kind=None)
def monitoring_report(office, result: Result, trend_results=(), day: datetime.date | None = None):
    rule = result.rule_set
    regime = result.regime
    sections = []

    # 一、基本情况
    counts = []
    for level in LEVELS:
        lv = result.levels.get(level)
        if lv is not None and lv.school_count:
            counts.append(
                _("%(label)s: %(schools)s schools, %(students)s students")
                % {"label": lv.label, "schools": lv.school_count, "students": int(lv.enrolment)}
            )
    basics = [
        # Official text names the rule set by its Chinese title, never by its internal name
        # and version (basic-2012, 2012.1).
        _(
            "This report gives the %(year)s balanced-development monitoring of the county's "
            "compulsory-education schools under the rule set “%(title)s”, based on %(source)s."
        )
        % {
            "year": result.year,
            "title": rule["title"],
            "source": rule.get("source") or rule["title"],
        },
        _("Schools evaluated — %(counts)s.") % {"counts": "；".join(counts) or "—"},
    ]
    if result.excluded:
        basics.append(
            _("%(count)s schools were left out (%(reasons)s; listed in the last section).")
            % {"count": len(result.excluded), "reasons": exclusion_text(result.excluded)}
        )
    sections.append(Section(_("1. Basic information"), basics))

    # 二、监测结果
    conclusion = (
        _("Conclusion: the county meets the requirements of this rule set.")
        if result.passed
        else _("Conclusion: the county does not yet meet the requirements of this rule set.")
    )
    tables = []
    paragraphs = [conclusion]
    for level in LEVELS:
        lv = result.levels.get(level)
        if lv is None or not lv.school_count:
            continue
        if regime == "basic":
            columns = [_("Indicator"), _("Mean"), _("CV")]
            rows = [[i.label, _num(i.mean, 2), _num(i.cv_rounded)] for i in lv.indicators]
            rows.append(
                [
                    _("Composite CV"),
                    "",
                    f"{_num(lv.composite_cv_rounded)}（≤{lv.composite_threshold}）",
                ]
            )
            paragraphs.append(
                _("%(label)s: composite CV %(cv)s, limit %(limit)s — %(result)s.")
                % {
                    "label": lv.label,
                    "cv": _num(lv.composite_cv_rounded),
                    "limit": lv.composite_threshold,
                    "result": _yes(lv.passed),
                }
            )
        else:
            columns = [_("Indicator"), _("Standard"), _("Mean"), _("CV"), _("Limit"), _("Result")]
            rows = [
                [
                    i.label,
                    i.standard,
                    _num(i.mean, 2),
                    _num(i.cv_rounded),
                    i.threshold,
                    _yes(i.passed),
                ]
                for i in lv.indicators
            ]
            failing = len(lv.failing_schools)
            paragraphs.append(
                _(
                    "%(label)s: %(failing)s of %(schools)s schools do not meet the per-school "
                    "rule; %(indicators)s indicators are over the CV limit — %(result)s."
                )
                % {
                    "label": lv.label,
                    "failing": failing,
                    "schools": lv.school_count,
                    "indicators": len(lv.failing_indicators),
                    "result": _yes(lv.passed),
                }
            )
        tables.append(Table(columns, rows, title=lv.label))
    sections.append(Section(_("2. Results"), paragraphs, tables))

    # 三、存在问题
    problems = []
    problem_tables = []
    for level in LEVELS:
        lv = result.levels.get(level)
        if lv is None or not lv.school_count:
            continue
        for ind in lv.indicators:
            contributors = insight.contributions(result, level, ind.key, top=3)
            if (regime == "quality" and ind.passed is False) or (
                regime == "basic" and lv.passed is False
            ):
                names = "、".join(c["name"] for c in contributors if c["direction"] == "below")
                if names:
                    problems.append(
                        _(
                            "%(level)s, %(indicator)s (CV %(cv)s): the schools furthest below "
                            "the mean are %(names)s."
                        )
                        % {
                            "level": lv.label,
                            "indicator": ind.label,
                            "cv": _num(ind.cv_rounded),
                            "names": names,
                        }
                    )
        if regime == "quality" and lv.failing_schools:
            rows = []
            for item in insight.standard_shortfalls(result, level):
                for gap in item["items"]:
                    rows.append(
                        [
                            item["name"],
                            gap["resource_label"],
                            _num(gap["value"], 2),
                            gap["standard"],
                            f"{int(gap['to_standard'])}{gap['unit']}",
                        ]
                    )
            problem_tables.append(
                Table(
                    [_("School"), _("Resource"), _("Value"), _("Standard"), _("Missing")],
                    rows,
                    title=_("%(label)s schools below the standards") % {"label": lv.label},
                )
            )
    if not problems and not problem_tables:
        problems.append(_("No indicator is over its limit."))
    sections.append(Section(_("3. Problems"), problems, problem_tables))

    # 四、趋势
    if len(trend_results) > 1:
        trend = insight.trend(list(trend_results))
        rows = []
        for level, data in trend["levels"].items():
            label = result.levels[level].label if level in result.levels else level
            if regime == "basic":
                rows += [[label, p["year"], _num(p["value"])] for p in data["composite_cv"]]
            else:
                rows += [[label, p["year"], _yes(p["value"])] for p in data["passed"]]
        columns = (
            [_("Level"), _("Year"), _("Composite CV")]
            if regime == "basic"
            else [_("Level"), _("Year"), _("Result")]
        )
        sections.append(
            Section(_("4. Trend over the years"), [], [Table(columns, rows, title=_("Trend"))])
        )

    # 五、排除学校
    if result.excluded:
        sections.append(
            Section(
                _("5. Schools left out"),
                [],
                [
                    Table(
                        [_("School code"), _("School"), _("Type"), _("Reason")],
                        [[e.code, e.name, e.school_type, e.reason] for e in result.excluded],
                    )
                ],
            )
        )

    day = day or timezone.localdate()
    return Report(
        title=_("Balanced-development monitoring report of compulsory education, %(year)s")
        % {"year": result.year},
        subtitle=rule["title"],
        filename=f"均衡发展监测报告-{office.name}-{result.year}-{rule['name']}",
        sections=sections,
        office=office.name,
        date=long_date(day),
        figures={"passed": result.passed, "rule_set": rule},
    )


def export_docx(office, result: Result, trend_results=()):
    return exporter.export("monitoring", DOCX, office, result, trend_results)
