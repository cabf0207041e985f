"""The government units' registry (督政对象), mounted by dudao/urls.py at /registry/units/."""

from django.urls import path

from . import unit_views as views

app_name = "units"
urlpatterns = [
    path("", views.unit_list, name="list"),
    path("new/", views.unit_create, name="create"),
    path("<int:pk>/edit/", views.unit_edit, name="edit"),
    path("<int:pk>/deactivate/", views.unit_deactivate, name="deactivate"),
    path("<int:pk>/reactivate/", views.unit_reactivate, name="reactivate"),
    path("<int:pk>/delete/", views.unit_delete, name="delete"),
    path("import/", views.unit_import, name="import"),
    path("template.xlsx", views.unit_template, name="template"),
    path("export.xlsx", views.unit_export, name="export"),
]
