from django.urls import path

from . import views

app_name = "visits"
urlpatterns = [
    path("", views.visit_list, name="list"),
    path("mine/", views.my_schools, name="my_schools"),
    path("new/<int:school_id>/", views.visit_new, name="new"),
    path("autosave/<int:school_id>/", views.autosave, name="autosave"),
    path("<int:pk>/", views.visit_detail, name="detail"),
    path("<int:pk>/edit/", views.visit_edit, name="edit"),
    path("<int:pk>/delete/", views.delete_draft, name="delete_draft"),
    path("<int:pk>/files/add/", views.attachment_add, name="attachment_add"),
    path("files/<int:pk>/", views.attachment_file, name="attachment"),
    path("files/<int:pk>/preview/", views.attachment_preview, name="attachment_preview"),
    path("files/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("<int:pk>/feedback/issue/", views.feedback_issue, name="feedback_issue"),
    path("focus/", views.focus_list, name="focus_list"),
    path("focus/new/", views.focus_new, name="focus_new"),
    path("focus/<int:pk>/", views.focus_edit, name="focus_edit"),
    path("focus/<int:pk>/delete/", views.focus_delete, name="focus_delete"),
    path("rules/", views.school_rules_list, name="school_rules"),
    path("rules/<slug:school_type>/", views.school_rule_edit, name="school_rule_edit"),
]
