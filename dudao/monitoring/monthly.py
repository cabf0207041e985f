"""The monthly monitoring return to the city (均衡发展监测月报) as a report of the one exporter
(`dudao.reports.exporter`, XLSX): what the county sends each month (每月按时上报监测情况到
市督导室; docs/rules.md §19). One row per level and indicator, as the city compares counties
indicator by indicator (the eight 2012 indicators and the composite CV per level; the seven
2017 indicators with their standards), then the excluded schools and the school figures used."""

from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.accounts import scoping
from dudao.reports import exporter
from dudao.reports.exporter import XLSX, Report, Section, Table, long_date

from .fields import FIELDS, OWNERSHIP_HEADER, SPONSOR_HEADER

LEVELS = ("primary", "junior")


def _yes(passed):
    if passed is None:
        return "—"
    return _("met") if passed else _("not met")


def _round(value, digits):
    return None if value is None else round(float(value), digits)


def _basic_table(result: dict) -> Table:
    rows = []
    for level in LEVELS:
        lv = result["levels"].get(level)
        if not lv or not lv.get("school_count"):
            continue
        for ind in lv["indicators"]:
            mean = _round(ind["mean"], 4)
            rows.append([lv["label"], ind["label"], ind["unit"], mean, ind["cv_rounded"], "", ""])
        rows.append(
            [
                lv["label"],
                _("Composite CV"),
                "",
                None,
                lv.get("composite_cv_rounded"),
                lv.get("composite_threshold"),
                _yes(lv.get("passed")),
            ]
        )
    columns = [_("Level"), _("Indicator"), _("Unit"), _("Mean"), _("CV"), _("Limit"), _("Result")]
    return Table(columns, rows, title=result["rule_set"]["title"])


def _quality_table(result: dict) -> Table:
    rows = []
    for level in LEVELS:
        lv = result["levels"].get(level)
        if not lv or not lv.get("school_count"):
            continue
        for ind in lv["indicators"]:
            rows.append(
                [
                    lv["label"],
                    ind["label"],
                    ind["unit"],
                    ind.get("standard"),
                    _round(ind["mean"], 4),
                    ind["cv_rounded"],
                    ind.get("threshold"),
                    f"{ind.get('schools_meeting_standard', 0)}/{lv['school_count']}",
                    _yes(ind.get("passed")),
                ]
            )
    columns = [
        _("Level"),
        _("Indicator"),
        _("Unit"),
        _("Standard"),
        _("Mean"),
        _("CV"),
        _("Limit"),
        _("Schools meeting it"),
        _("Result"),
    ]
    return Table(columns, rows, title=result["rule_set"]["title"])


@exporter.register("monitoring_return", formats=(XLSX,), for_user=True)
def monitoring_return(user, pk) -> Report:
    """One office's return for one month, fetched again in the reader's scope (404 if not)."""
    item = scoping.get_monthly_return_for(user, pk)
    figures = item.figures
    results = figures.get("results", {})
    month = f"{item.month.year}年{item.month.month}月"
    paragraphs = [
        _("Figures of %(year)s as they stood in %(month)s: %(schools)s schools.")
        % {"year": item.year, "month": month, "schools": item.school_count},
    ]
    sections = []
    tables = []
    for regime, build in (("basic", _basic_table), ("quality", _quality_table)):
        result = results.get(regime) or {}
        if "error" in result:
            paragraphs.append(
                _("%(title)s: the figures cannot be evaluated (%(error)s).")
                % {"title": result["rule_set"]["title"], "error": result["error"]}
            )
            continue
        if not result:
            continue
        paragraphs.append(
            _("%(title)s: %(result)s.")
            % {"title": result["rule_set"]["title"], "result": _yes(result.get("passed"))}
        )
        if result.get("exclusion_summary"):
            paragraphs.append(
                _("%(count)s schools were left out: %(reasons)s.")
                % {
                    "count": len(result.get("excluded", [])),
                    "reasons": "、".join(
                        f"{s['label']} {s['count']}" for s in result["exclusion_summary"]
                    ),
                }
            )
        tables.append(build(result))
    basic = results.get("basic") or {}
    if basic.get("excluded"):
        tables.append(
            Table(
                [_("School code"), _("School"), _("Type"), _("Reason")],
                [[e["code"], e["name"], e["school_type"], e["reason"]] for e in basic["excluded"]],
                title=_("Schools left out"),
            )
        )
    headers = [f.header for f in FIELDS] + [OWNERSHIP_HEADER, SPONSOR_HEADER]
    keys = [f.key for f in FIELDS] + [OWNERSHIP_HEADER, SPONSOR_HEADER]
    tables.append(
        Table(
            headers,
            [[school.get(k) for k in keys] for school in figures.get("schools", [])],
            title=_("School figures"),
        )
    )
    sections.append(Section(_("Monthly monitoring return"), paragraphs, tables))
    return Report(
        title=_("Monthly return of the balanced-development monitoring, %(month)s")
        % {"month": month},
        subtitle=item.office.name,
        filename=f"均衡发展监测月报-{item.office.name}-{item.month:%Y-%m}",
        sections=sections,
        office=item.office.name,
        date=long_date(timezone.localtime(item.taken_at).date()),
        office_id=item.office_id,
        figures={
            "month": item.month.isoformat(),
            "year": item.year,
            "schools": item.school_count,
            "excluded": item.excluded_count,
            "passed_basic": item.passed_basic,
            "passed_quality": item.passed_quality,
        },
    )


def export_xlsx(user, pk):
    return exporter.export("monitoring_return", XLSX, user, pk)
