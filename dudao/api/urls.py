"""/api/v1/ (docs/api.md)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import pages, views

app_name = "api"
urlpatterns = [
    path("schools/", views.SchoolList.as_view(), name="schools"),
    path("schools/<int:pk>/", views.SchoolDetail.as_view(), name="school"),
    path("inspectors/", views.InspectorList.as_view(), name="inspectors"),
    path("inspectors/<int:pk>/", views.InspectorDetail.as_view(), name="inspector"),
    path("zones/", views.ZoneList.as_view(), name="zones"),
    path("zones/<int:pk>/", views.ZoneDetail.as_view(), name="zone"),
    path("assignments/", views.AssignmentList.as_view(), name="assignments"),
    path("assignments/<int:pk>/", views.AssignmentDetail.as_view(), name="assignment"),
    path("visits/", views.VisitList.as_view(), name="visits"),
    path("visits/<int:pk>/", views.VisitDetail.as_view(), name="visit"),
    path("visits/<int:pk>/submit/", views.VisitSubmit.as_view(), name="visit_submit"),
    path("findings/", views.FindingList.as_view(), name="findings"),
    path("findings/<int:pk>/", views.FindingDetail.as_view(), name="finding"),
    path(
        "findings/<int:pk>/transitions/",
        views.FindingTransition.as_view(),
        name="finding_transitions",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", pages.docs, name="docs"),
]
