from django.urls import path

from . import views

app_name = "returns"
urlpatterns = [
    path("", views.return_list, name="list"),
    path("new/", views.return_create, name="create"),
    path("mine/", views.my_returns, name="mine"),
    path("<int:pk>/", views.return_detail, name="detail"),
    path("<int:pk>/edit/", views.return_edit, name="edit"),
    path("<int:pk>/activate/", views.return_activate, name="activate"),
    path("<int:pk>/close/", views.return_close, name="close"),
    path("<int:pk>/figures/", views.figures, name="figures"),
    path("<int:pk>/figures.xlsx", views.figures_xlsx, name="figures_xlsx"),
    path("periods/<int:pk>/", views.period_detail, name="period"),
    path("periods/<int:pk>/remind/", views.period_remind, name="period_remind"),
    path("periods/<int:pk>/export.xlsx", views.period_xlsx, name="period_xlsx"),
    path("reports/<int:pk>/", views.submission_detail, name="submission"),
]
