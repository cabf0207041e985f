"""Indicator frameworks (指标体系) under /evaluations/frameworks/; names in the "evaluations"
namespace (dudao/evaluations/urls.py), all starting with "framework_"."""

from django.urls import path

from . import framework_views as views

urlpatterns = [
    path("", views.framework_list, name="framework_list"),
    path("new/", views.framework_create, name="framework_create"),
    path("<int:pk>/", views.framework_detail, name="framework_detail"),
    path("<int:pk>/copy/", views.framework_copy, name="framework_copy"),
    path("<int:pk>/revise/", views.framework_new_revision, name="framework_new_revision"),
    path("<int:pk>/publish/", views.framework_publish, name="framework_publish"),
    path("<int:pk>/retire/", views.framework_retire, name="framework_retire"),
    path("<int:pk>/delete/", views.framework_delete, name="framework_delete"),
    path("<int:pk>/edit/", views.framework_edit, name="framework_edit"),
    path(
        "<int:pk>/indicators/add/",
        views.framework_indicator_add,
        name="framework_indicator_add",
    ),
    path("<int:pk>/xlsx/", views.framework_export_xlsx, name="framework_export_xlsx"),
    path("<int:pk>/import/", views.framework_import_upload, name="framework_import_upload"),
    path("indicators/<int:pk>/", views.framework_indicator_edit, name="framework_indicator_edit"),
    path(
        "indicators/<int:pk>/delete/",
        views.framework_indicator_delete,
        name="framework_indicator_delete",
    ),
    path(
        "indicators/<int:pk>/move/",
        views.framework_indicator_move,
        name="framework_indicator_move",
    ),
    path("imports/<int:pk>/", views.framework_import_preview, name="framework_import_preview"),
    path(
        "imports/<int:pk>/confirm/",
        views.framework_import_confirm,
        name="framework_import_confirm",
    ),
]
