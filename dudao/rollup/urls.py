from django.urls import path

from . import views

app_name = "rollup"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("data.json", views.overview_data, name="overview_data"),
    path("county/<int:pk>/", views.county, name="county"),
    path("summary/", views.summary, name="summary"),
    path("summary.xlsx", views.summary_xlsx, name="summary_xlsx"),
]
