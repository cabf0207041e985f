from django.urls import path

from . import views

app_name = "webhooks"
urlpatterns = [
    path("", views.robot_list, name="robots"),
    path("new/", views.robot_create, name="create"),
    path("<int:pk>/", views.robot_edit, name="edit"),
    path("<int:pk>/delete/", views.robot_delete, name="delete"),
    path("<int:pk>/test/", views.robot_test, name="test"),
    path("deliveries/", views.delivery_list, name="deliveries"),
]
