from django.urls import path

from . import views

app_name = "rectification"
urlpatterns = [
    path("new/", views.finding_create, name="finding_create"),
    path("<int:pk>/", views.finding_detail, name="finding_detail"),
    path("<int:pk>/action/<slug:action>/", views.finding_action, name="finding_action"),
    path("files/<int:pk>/", views.finding_file, name="finding_file"),
    path("school/", views.school_findings, name="school_findings"),
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("notices/issue/<int:school_id>/", views.notice_issue, name="notice_issue"),
    path("ledger/", views.ledger, name="ledger"),
    path("escalations/", views.escalations, name="escalations"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_create, name="case_create"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
]
