from django.urls import path

from . import questionnaire_views as qv
from . import views

app_name = "surveys"
urlpatterns = [
    path("", views.survey_list, name="list"),
    path("new/", views.survey_create, name="create"),
    path("<int:pk>/", views.survey_detail, name="detail"),
    path("<int:pk>/edit/", views.survey_edit, name="edit"),
    path("<int:pk>/open/", views.survey_open, name="open"),
    path("<int:pk>/close/", views.survey_close, name="close"),
    path("<int:pk>/delete/", views.survey_delete, name="delete"),
    path("<int:pk>/results/", views.survey_results, name="results"),
    path("<int:pk>/results.xlsx", views.survey_results_xlsx, name="results_xlsx"),
    path("<int:pk>/links.xlsx", views.survey_links_xlsx, name="links_xlsx"),
    path("<int:pk>/qr.pdf", views.survey_qr, name="qr"),
    path("links/<int:pk>/qr.pdf", views.link_qr, name="link_qr"),
    path("questionnaires/", qv.questionnaire_list, name="questionnaire_list"),
    path("questionnaires/new/", qv.questionnaire_create, name="questionnaire_create"),
    path("questionnaires/<int:pk>/", qv.questionnaire_detail, name="questionnaire_detail"),
    path("questionnaires/<int:pk>/copy/", qv.questionnaire_copy, name="questionnaire_copy"),
    path(
        "questionnaires/<int:pk>/revise/",
        qv.questionnaire_new_revision,
        name="questionnaire_new_revision",
    ),
    path(
        "questionnaires/<int:pk>/publish/", qv.questionnaire_publish, name="questionnaire_publish"
    ),
    path("questionnaires/<int:pk>/retire/", qv.questionnaire_retire, name="questionnaire_retire"),
    path("questionnaires/<int:pk>/delete/", qv.questionnaire_delete, name="questionnaire_delete"),
    path("questionnaires/<int:pk>/edit/", qv.questionnaire_edit, name="questionnaire_edit"),
    path("questionnaires/<int:pk>/sections/add/", qv.section_add, name="section_add"),
    path("sections/<int:pk>/", qv.section_edit, name="section_edit"),
    path("sections/<int:pk>/delete/", qv.section_delete, name="section_delete"),
    path("sections/<int:pk>/move/", qv.section_move, name="section_move"),
    path("sections/<int:pk>/questions/add/", qv.question_add, name="question_add"),
    path("questions/<int:pk>/", qv.question_edit, name="question_edit"),
    path("questions/<int:pk>/delete/", qv.question_delete, name="question_delete"),
    path("questions/<int:pk>/move/", qv.question_move, name="question_move"),
]
