from django.urls import path

from . import views

app_name = "signboards"
urlpatterns = [
    path("p/<str:code>/", views.public_school_page, name="public_school"),
    path("signboards/school/<int:pk>.pdf", views.school_signboard, name="school"),
    path("signboards/zone/<int:pk>.pdf", views.zone_signboards, name="zone"),
    path("signboards/county.pdf", views.county_signboards, name="county"),
    path("signboards/batches/<int:pk>/", views.signboard_batch, name="batch"),
    path("signboards/batches/<int:pk>/file.pdf", views.signboard_batch_file, name="batch_file"),
]
