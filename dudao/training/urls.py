from django.urls import path

from . import views

app_name = "training"
urlpatterns = [
    path("", views.session_list, name="list"),
    path("new/", views.session_create, name="create"),
    path("hours/", views.hours, name="hours"),
    path("hours/export/", views.hours_export, name="hours_export"),
    path("requirement/", views.requirement, name="requirement"),
    path("<int:pk>/", views.session_detail, name="detail"),
    path("<int:pk>/edit/", views.session_edit, name="edit"),
    path("<int:pk>/delete/", views.session_delete, name="delete"),
    path("<int:pk>/materials/", views.material_add, name="material_add"),
    path("materials/<int:pk>/", views.material_file, name="material_file"),
    path("materials/<int:pk>/delete/", views.material_delete, name="material_delete"),
    path(
        "<int:pk>/attendance/<int:inspector_pk>/",
        views.attendance_save,
        name="attendance_save",
    ),
    path("<int:pk>/attendance/import/", views.attendance_import, name="attendance_import"),
    path("<int:pk>/attendance/template/", views.attendance_template, name="attendance_template"),
    path("<int:pk>/attendance/export/", views.attendance_export, name="attendance_export"),
]
