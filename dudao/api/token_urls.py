"""The user's API tokens, under the account (/accounts/tokens/)."""

from django.urls import path

from . import pages

app_name = "api_tokens"
urlpatterns = [
    path("", pages.token_list, name="list"),
    path("<int:pk>/revoke/", pages.token_revoke, name="revoke"),
    path("office/", pages.office_tokens, name="office"),
]
