from django.urls import path

app_name = "campaigns"
urlpatterns = []

# --- checks at the school gate and results (check_views, issue 12 §4–§5) -----------------
from . import check_views  # noqa: E402

urlpatterns += [
    path("checks/", check_views.my_checks, name="my_checks"),
    path("checks/<int:pk>/", check_views.check_form, name="check"),
    path("checks/<int:pk>/autosave/", check_views.check_autosave, name="check_autosave"),
    path("checks/<int:pk>/visited/", check_views.check_visited, name="check_visited"),
    path(
        "checks/<int:pk>/items/<int:item_id>/evidence/",
        check_views.check_evidence,
        name="check_evidence",
    ),
    path(
        "checks/<int:pk>/items/<int:item_id>/finding/",
        check_views.check_finding,
        name="check_finding",
    ),
    path("checks/files/<int:pk>/", check_views.check_evidence_file, name="check_evidence_file"),
    path(
        "checks/files/<int:pk>/delete/",
        check_views.check_evidence_delete,
        name="check_evidence_delete",
    ),
    path("<int:pk>/results/", check_views.campaign_results, name="results"),
    path("<int:pk>/results.xlsx", check_views.campaign_results_xlsx, name="results_xlsx"),
    path("results/", check_views.school_results, name="school_results"),
    path("results/<int:pk>/", check_views.school_result, name="school_result"),
]
# --- end of check_views ------------------------------------------------------------------

# --- campaigns, their schools, teams and the draw (views, issue 12 §2–§3) ----------------
from . import views  # noqa: E402

urlpatterns += [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="create"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/edit/", views.campaign_edit, name="edit"),
    path("<int:pk>/do/<slug:action>/", views.campaign_action, name="action"),
    path("<int:pk>/targets/", views.choose_targets, name="targets"),
    path("<int:pk>/draw/", views.draw, name="draw"),
    path("<int:pk>/teams/new/", views.team_create, name="team_create"),
    path("teams/<int:pk>/rename/", views.team_rename, name="team_rename"),
    path("teams/<int:pk>/delete/", views.team_delete, name="team_delete"),
    path("teams/<int:pk>/members/add/", views.member_add, name="member_add"),
    path(
        "teams/<int:pk>/members/<int:inspector_id>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path("setup/targets/<int:pk>/team/", views.target_team, name="target_team"),
]
# --- end of views ------------------------------------------------------------------------

# --- the campaign report and bulletin (report_views, issue 12 §6) ------------------------
from . import report_views  # noqa: E402

urlpatterns += [
    path("<int:pk>/report.<str:fmt>", report_views.campaign_report_file, name="report_file"),
    path("<int:pk>/bulletin.<str:fmt>", report_views.campaign_bulletin_file, name="bulletin_file"),
    path("<int:pk>/report/text/", report_views.report_text, name="report_text"),
]
# --- end of report_views -----------------------------------------------------------------
