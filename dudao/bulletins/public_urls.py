"""The county's public page, mounted at /p/county/ where no login is needed
(dudao/core/middleware.py): /p/county/<county division code>/ and its documents and
evaluation results."""

from django.urls import path

from . import public_views

app_name = "bulletins_public"
urlpatterns = [
    path("<str:code>/", public_views.county_page, name="county"),
    path("<str:code>/bulletins/", public_views.county_bulletins, name="bulletins"),
    path("<str:code>/bulletins/<int:pk>/", public_views.county_bulletin, name="bulletin"),
    path(
        "<str:code>/bulletins/<int:pk>/attachments/<int:attachment>/",
        public_views.county_attachment,
        name="attachment",
    ),
    path("<str:code>/evaluations/<int:pk>/", public_views.county_evaluation, name="evaluation"),
]
