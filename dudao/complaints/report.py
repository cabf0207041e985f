"""The complaints' figures as a workbook (投诉举报办理情况统计), through the one exporter
(`dudao/reports/exporter.py`), registered when the app loads: a sheet each for the totals,
the categories, the schools and the months, from `queries.figures` in the reader's scope.
No sheet carries a complaint's text or its sender."""

from django.utils.translation import gettext as _

from dudao.reports import exporter
from dudao.reports.exporter import Report, Section, Table

from . import queries

NAME = "complaint_figures"


def _rate(row) -> str:
    return "—" if row["on_time_rate"] is None else f"{row['on_time_rate']}%"


def _columns() -> list[str]:
    return [
        _("Received"),
        _("Solved"),
        _("On time"),
        _("Due"),
        _("On-time rate"),
        _("Still open"),
        _("Overdue"),
        _("Transferred"),
    ]


def _cells(row) -> list:
    return [
        row["received"],
        row["solved"],
        row["on_time"],
        row["due"],
        _rate(row),
        row["open"],
        row["overdue"],
        row["transferred"],
    ]


@exporter.register(NAME, formats=(exporter.XLSX,), for_user=True)
def complaint_figures_report(user, params=None) -> Report:
    params = params or {}
    year = int(params["year"])
    office = params.get("office")
    data = queries.figures(user, year=year, office=office)
    totals = data["totals"]
    summary = Table(
        title=_("Totals"),
        columns=[*_columns(), _("Duplicates merged (not counted)")],
        rows=[[*_cells(totals), totals["merged"]]],
    )
    categories = Table(
        title=_("By category"),
        columns=[_("Category"), *_columns()],
        rows=[[str(row["label"]), *_cells(row)] for row in data["categories"]],
    )
    schools = Table(
        title=_("By school"),
        columns=[_("School code"), _("School"), _("Office"), *_columns()],
        rows=[
            [
                row["school__code"] or "",
                row["school__name"] or _("No particular school"),
                row["office__name"],
                *_cells(row),
            ]
            for row in data["schools"]
        ],
    )
    months = Table(
        title=_("By month received"),
        columns=[_("Month"), *_columns()],
        rows=[[row["month"], *_cells(row)] for row in data["months"]],
    )
    return Report(
        title=_("Complaints, tip-offs and enquiries: figures for %(year)s") % {"year": year},
        filename=_("Complaint figures %(year)s") % {"year": year},
        sections=[Section(tables=[summary, categories, schools, months])],
        figures={"totals": totals},
        office_id=getattr(office, "pk", office) if office is not None else user.office_id,
    )
