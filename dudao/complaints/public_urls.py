"""The public's complaint pages, under /p/ where no login is needed
(dudao/core/middleware.py): `path("p/complaints/", include(...))` in dudao/urls.py. Two
segments each, so they never meet the school page `p/<code>/` (dudao/signboards/urls.py)."""

from django.urls import path

from . import public_views

app_name = "complaints_public"
urlpatterns = [
    path("new/", public_views.complaint_new, name="new"),
    path("track/", public_views.complaint_track, name="track"),
]
