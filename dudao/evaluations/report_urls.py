"""An evaluation round's documents (report_views, issue 13 §6), under /evaluations/<round>/reports/:
the target's report (反馈意见书), the round's summary report and bulletin (通报) with
`?format=docx|pdf`, the results workbook, and the office admin's pages for their words."""

from django.urls import path

from . import report_views

urlpatterns = [
    path("<int:pk>/reports/", report_views.report_text, name="report_text"),
    path("<int:pk>/reports/summary/", report_views.round_report, name="round_report"),
    path("<int:pk>/reports/bulletin/", report_views.round_bulletin, name="round_bulletin"),
    path("<int:pk>/reports/results.xlsx", report_views.results_xlsx, name="results_xlsx"),
    path(
        "<int:pk>/reports/targets/<int:target_pk>/",
        report_views.target_report,
        name="target_report",
    ),
    path(
        "<int:pk>/reports/targets/<int:target_pk>/text/",
        report_views.target_report_text,
        name="target_report_text",
    ),
]
