"""The roll-up as a spreadsheet (docs/rules.md §28): the counties of the reader's region
side by side for a month or a year, with the region's total (the sum of the counties) as
the last row. One report, `rollup_summary`, through `dudao.reports.exporter`; the figures
are `figures.summary`, so the file and the page always agree."""

from django.utils.translation import gettext as _

from dudao.reports import exporter
from dudao.reports.exporter import XLSX, Report, Section, Table

from . import figures


def _pct(value) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def _yes(value) -> str:
    if value is None:
        return ""
    return _("Yes") if value else _("No")


@exporter.register("rollup_summary", formats=(XLSX,), for_user=True)
def rollup_summary(user, year: int, month: int | None = None) -> Report:
    """The monthly (or annual, `month` None) summary of the reader's region."""
    data = figures.summary(user, year, month)
    columns = [
        _("County office"),
        _("Division code"),
        _("Active schools"),
        _("Schools visited"),
        _("Coverage"),
        _("Visits"),
        _("Findings found"),
        _("Open findings"),
        _("Overdue findings"),
        _("Escalated findings (open)"),
        _("Findings due"),
        _("Rectified on time"),
        _("On-time rectification rate"),
        _("Campaigns"),
        _("Schools checked in campaigns"),
        _("Evaluation rounds"),
        _("Evaluation rounds published"),
    ]
    if month:
        columns += [_("Monthly figures submitted"), _("Monitoring return taken")]

    def line(row, name, code):
        cells = [
            name,
            code,
            row["schools"],
            row["visited"],
            _pct(row["coverage"]),
            row["visits"],
            row["found"],
            row["open"],
            row["overdue"],
            row["escalated"],
            row["due"],
            row["on_time"],
            _pct(row["on_time_rate"]),
            row["campaigns"],
            row["campaign_schools"],
            row["rounds"],
            row["rounds_published"],
        ]
        if month:
            if code:
                cells += [_yes(row["submitted"]), _yes(row["monitoring_taken"])]
            else:
                cells += [row["submitted"], row["monitoring_taken"]]
        return cells

    rows = [line(row, row["name"], row["code"]) for row in data["rows"]]
    rows.append(line(data["total"], _("Total"), ""))
    region = figures.region_name(user)
    if month:
        title = _("%(region)s supervision figures by county, %(year)s-%(month)02d") % {
            "region": region,
            "year": year,
            "month": month,
        }
    else:
        title = _("%(region)s supervision figures by county, %(year)s") % {
            "region": region,
            "year": year,
        }
    return Report(
        title=title,
        filename=title,
        sections=[Section(tables=[Table(columns=columns, rows=rows, title=title)])],
        figures={"rows": data["rows"], "total": data["total"]},
        landscape=True,
    )
