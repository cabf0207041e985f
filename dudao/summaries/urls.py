from django.urls import path

from . import views

app_name = "summaries"

urlpatterns = [
    path("", views.index, name="index"),
    path("text/", views.save_text, name="text"),
    path("summary.<str:fmt>", views.summary_file, name="file"),
]
