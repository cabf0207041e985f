"""The public page of a published campaign (一公开), mounted under /p/ where no login is
needed (dudao/core/middleware.py): `path("p/campaigns/", include(...))` in dudao/urls.py."""

from django.urls import path

from . import views

app_name = "campaigns_public"
urlpatterns = [
    path("<int:pk>/", views.public_campaign, name="detail"),
]
