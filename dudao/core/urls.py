from django.urls import path

from . import lookups, views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("lookups/<str:kind>/", lookups.lookup, name="lookup"),
]
