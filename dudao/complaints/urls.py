from django.urls import path

from . import views

app_name = "complaints"
urlpatterns = [
    path("", views.complaint_list, name="list"),
    path("mine/", views.my_complaints, name="mine"),
    path("<int:pk>/", views.complaint_detail, name="detail"),
    path("<int:pk>/do/<slug:action>/", views.complaint_action, name="action"),
    path("<int:pk>/finding/", views.raise_finding, name="raise_finding"),
    path("photos/<int:pk>/", views.complaint_photo, name="photo"),
    path("figures/", views.figures, name="figures"),
    path("figures.xlsx", views.figures_xlsx, name="figures_xlsx"),
    path("rules/", views.rules, name="rules"),
]
