"""Evaluations (督导评估): frameworks under /evaluations/frameworks/, rounds and their pages
under /evaluations/, their reports and exports under /evaluations/<round>/reports/."""

from django.urls import include, path

app_name = "evaluations"

urlpatterns = [
    path("frameworks/", include("dudao.evaluations.framework_urls")),
    path("", include("dudao.evaluations.round_urls")),
    path("", include("dudao.evaluations.report_urls")),
]
