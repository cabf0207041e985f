"""The public answer pages of surveys, mounted under /p/ where no login is needed
(dudao/core/middleware.py): `path("p/surveys/", include(...))` in dudao/urls.py."""

from django.urls import path

from . import public_views

app_name = "surveys_public"
urlpatterns = [
    path("<str:token>/", public_views.answer, name="answer"),
    path("<str:token>/done/", public_views.done, name="done"),
]
