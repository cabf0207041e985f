from django.urls import path

from . import term_views, views

app_name = "inspectors"
urlpatterns = [
    path("inspectors/", views.inspector_list, name="list"),
    path("inspectors/new/", views.inspector_create, name="create"),
    path("inspectors/<int:pk>/", views.inspector_detail, name="detail"),
    path("inspectors/<int:pk>/edit/", views.inspector_edit, name="edit"),
    path("inspectors/<int:pk>/conflicts/", views.conflict_add, name="conflict_add"),
    path("conflicts/<int:pk>/delete/", views.conflict_delete, name="conflict_delete"),
    path("zones/", views.zone_list, name="zone_list"),
    path("zones/new/", views.zone_create, name="zone_create"),
    path("zones/<int:pk>/", views.zone_detail, name="zone_detail"),
    path("zones/<int:pk>/edit/", views.zone_edit, name="zone_edit"),
    path("assignments/", views.assignment_list, name="assignment_list"),
    path("schools/<int:school_pk>/assign/", views.assign, name="assign"),
    path("assignments/<int:pk>/end/", views.assignment_end, name="assignment_end"),
    # Terms and certificates (docs/rules.md §31).
    path("inspectors/<int:pk>/terms/new/", term_views.term_add, name="term_add"),
    path("inspector-terms/<int:pk>/edit/", term_views.term_edit, name="term_edit"),
    path("inspector-terms/<int:pk>/delete/", term_views.term_delete, name="term_delete"),
    path(
        "inspectors/<int:pk>/certificates/new/",
        term_views.certificate_add,
        name="certificate_add",
    ),
    path(
        "inspector-certificates/<int:pk>/edit/",
        term_views.certificate_edit,
        name="certificate_edit",
    ),
    path(
        "inspector-certificates/<int:pk>/delete/",
        term_views.certificate_delete,
        name="certificate_delete",
    ),
    path(
        "inspector-certificate-files/<int:pk>/",
        term_views.certificate_file,
        name="certificate_file",
    ),
    path(
        "inspector-certificate-files/<int:pk>/delete/",
        term_views.certificate_file_delete,
        name="certificate_file_delete",
    ),
    path("inspectors/reminders/", term_views.reminder_days, name="reminder_days"),
]
