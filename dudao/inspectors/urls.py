from django.urls import path

from . import views

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
]
