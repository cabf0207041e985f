"""Evaluation rounds (评估轮次) under /evaluations/; names in the "evaluations" namespace
(dudao/evaluations/urls.py), all starting with "round_". A round's pages are
/evaluations/<round>/…, a target's /evaluations/rounds/target/<target>/…"""

from django.urls import path

from . import round_views as views

urlpatterns = [
    path("", views.round_list, name="round_list"),
    path("new/", views.round_create, name="round_create"),
    path("<int:pk>/", views.round_detail, name="round_detail"),
    path("<int:pk>/edit/", views.round_edit, name="round_edit"),
    path("<int:pk>/do/<slug:action>/", views.round_action, name="round_action"),
    path("<int:pk>/targets/", views.round_targets, name="round_targets"),
    path("<int:pk>/raters/add/", views.round_rater_add, name="round_rater_add"),
    path("<int:pk>/results/", views.round_results, name="round_results"),
    path("rounds/raters/<int:pk>/remove/", views.round_rater_remove, name="round_rater_remove"),
    path("rounds/target/<int:pk>/", views.round_target, name="round_target"),
    path("rounds/target/<int:pk>/save/", views.round_target_save, name="round_target_save"),
    path("rounds/target/<int:pk>/reopen/", views.round_target_reopen, name="round_target_reopen"),
    path("rounds/target/<int:pk>/remove/", views.round_target_remove, name="round_target_remove"),
    path("rounds/target/<int:pk>/own/", views.round_own_indicators, name="round_own_indicators"),
    path("rounds/target/<int:pk>/result/", views.round_target_result, name="round_target_result"),
    path("rounds/target/<int:pk>/evidence/", views.round_evidence_add, name="round_evidence_add"),
    path("rounds/evidence/<int:pk>/", views.round_evidence_file, name="round_evidence_file"),
    path(
        "rounds/evidence/<int:pk>/delete/",
        views.round_evidence_delete,
        name="round_evidence_delete",
    ),
]
