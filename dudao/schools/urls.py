from django.urls import path

from . import views

app_name = "schools"
urlpatterns = [
    path("", views.school_list, name="list"),
    path("mine/", views.my_school, name="mine"),
    path("new/", views.school_create, name="create"),
    path("<int:pk>/", views.school_detail, name="detail"),
    path("<int:pk>/edit/", views.school_edit, name="edit"),
    path("<int:pk>/delete/", views.school_delete, name="delete"),
]
