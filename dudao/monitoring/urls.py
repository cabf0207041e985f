from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:year>/rules/<int:ruleset>/", views.evaluation, name="evaluation"),
    path("<int:year>/rules/<int:ruleset>/what-if/", views.what_if, name="what_if"),
    path("<int:year>/rules/<int:ruleset>/table.xlsx", views.export_xlsx, name="export_xlsx"),
    path("<int:year>/rules/<int:ruleset>/report.docx", views.report_docx, name="report_docx"),
    path("<int:year>/rules/<int:ruleset>/record/", views.save_evaluation, name="save_evaluation"),
    path("evaluations/<int:pk>.json", views.evaluation_json, name="evaluation_json"),
    path("<int:year>/resources/", views.resources, name="resources"),
    path("<int:year>/resources/<int:school>/", views.resources_edit, name="resources_edit"),
    path("import/template.xlsx", views.template, name="template"),
    path("import/", views.import_upload, name="import_upload"),
    path("import/<int:pk>/", views.import_preview, name="import_preview"),
    path("import/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("returns/", views.returns, name="returns"),
    path("returns/take/", views.return_take, name="return_take"),
    path("returns/<int:pk>.xlsx", views.return_xlsx, name="return_xlsx"),
    path("rules/", views.rulesets, name="rulesets"),
    path("rules/<int:pk>/", views.ruleset_detail, name="ruleset_detail"),
    path("rules/<int:pk>/copy/", views.ruleset_copy, name="ruleset_copy"),
    path("rules/<int:pk>/edit/", views.ruleset_edit, name="ruleset_edit"),
]
