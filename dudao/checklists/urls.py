from django.urls import path

from . import views

app_name = "checklists"
urlpatterns = [
    path("", views.checklist_list, name="list"),
    path("new/", views.checklist_create, name="create"),
    path("<int:pk>/", views.checklist_detail, name="detail"),
    path("<int:pk>/copy/", views.checklist_copy, name="copy"),
    path("<int:pk>/revise/", views.checklist_new_revision, name="new_revision"),
    path("<int:pk>/publish/", views.checklist_publish, name="publish"),
    path("<int:pk>/retire/", views.checklist_retire, name="retire"),
    path("<int:pk>/delete/", views.checklist_delete, name="delete"),
    path("<int:pk>/edit/", views.checklist_edit, name="edit"),
    path("<int:pk>/sections/add/", views.section_add, name="section_add"),
    path("<int:pk>/xlsx/", views.checklist_xlsx_view, name="export_xlsx"),
    path("<int:pk>/import/", views.import_upload, name="import_upload"),
    path("sections/<int:pk>/", views.section_edit, name="section_edit"),
    path("sections/<int:pk>/delete/", views.section_delete, name="section_delete"),
    path("sections/<int:pk>/move/", views.section_move, name="section_move"),
    path("sections/<int:pk>/items/add/", views.item_add, name="item_add"),
    path("items/<int:pk>/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/delete/", views.item_delete, name="item_delete"),
    path("items/<int:pk>/move/", views.item_move, name="item_move"),
    path("imports/<int:pk>/", views.import_preview, name="import_preview"),
    path("imports/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
]
