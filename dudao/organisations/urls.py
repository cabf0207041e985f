from django.urls import path

from . import views

app_name = "organisations"
urlpatterns = [
    path("office/", views.office_contacts, name="office"),
]
