from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("ledger.xlsx", views.ledger_xlsx, name="ledger_xlsx"),
    path("exports/<int:pk>/", views.export_job, name="export_job"),
    path("exports/<int:pk>/file", views.export_job_file, name="export_job_file"),
    path("notices/<int:pk>.docx", views.notice_docx, name="notice_docx"),
    path("notices/<int:pk>.pdf", views.notice_pdf, name="notice_pdf"),
    # The reports' own words, before the downloads whose <fmt> would take "text".
    path(
        "inspector/<int:inspector_id>/<int:year>/<int:month>/text/",
        views.inspector_text,
        name="inspector_text",
    ),
    path("office/<int:year>/<int:month>/text/", views.office_text, name="office_text"),
    path(
        "inspector/<int:inspector_id>/<int:year>/<int:month>/<str:fmt>/",
        views.inspector_monthly,
        name="inspector_monthly",
    ),
    path("office/<int:year>/<int:month>/<str:fmt>/", views.office_monthly, name="office_monthly"),
    path("templates/<str:kind>/upload/", views.template_upload, name="template_upload"),
    path("templates/<str:kind>/default.docx", views.template_default, name="template_default"),
    path("templates/<str:kind>/reset/", views.template_reset, name="template_reset"),
    path("visits/<int:pk>/feedback.docx", views.visit_feedback_docx, name="visit_feedback_docx"),
    path("visits/<int:pk>/feedback.pdf", views.visit_feedback_pdf, name="visit_feedback_pdf"),
]
