"""Satisfaction surveys (issue 14 §3): questionnaires (the office admin writes its own county's
drafts; inspectors, zone leaders, viewers and the superuser read; schools get 403), surveys
(the office writes; viewers read; inspectors, zone leaders and schools read those at their
schools once they are no longer drafts), and the public answer pages (no login).

The world's open survey runs at `school`, `zone_school` and `far_school`; its draft at the
same schools."""

from .common import (
    ADMIN_A_ACTION,
    ADMIN_ONLY,
    AS_GET,
    POST_ONLY_ADMIN,
    everyone,
    only,
    writes,
)

READ = only(
    {
        "admin": 200,
        "zone_leader": 200,
        "inspector": 200,
        "viewer": 200,
        "other_admin": 200,
        "superuser": 200,
    }
)
READ_A = READ | {"other_admin": 404}
EDIT_A = only({"admin": 200, "other_admin": 404})
WRITE_A = only({"admin": writes(302), "other_admin": 404})
# county A's open survey: every role of county A (its schools), the viewer and the superuser
SURVEY_A = everyone(200) | {"other_admin": 404}
PUBLIC = everyone(200) | {"anon": 200}


def _questionnaire(w, *, publish):
    from dudao.surveys.models import Questionnaire
    from tests.surveys.helpers import make_questionnaire

    title = "矩阵问卷（已发布）" if publish else "矩阵问卷（草稿）"
    found = Questionnaire.all_objects.filter(office=w.office, title=title).first()
    return found or make_questionnaire(w.admin, publish=publish, title=title)


def published(w):
    return [_questionnaire(w, publish=True).pk]


def draft(w):
    return [_questionnaire(w, publish=False).pk]


def section(w):
    return [_questionnaire(w, publish=False).sections.order_by("position").first().pk]


def question(w):
    return [_questionnaire(w, publish=False).questions.order_by("position").first().pk]


def foreign_questionnaire(w):
    from tests.surveys.helpers import make_questionnaire

    return [make_questionnaire(w.other_admin, publish=False, title="玄武区问卷").pk]


def _survey(w, *, open_it):
    from dudao.surveys.models import Survey
    from tests.surveys.helpers import make_survey

    title = "矩阵调查（进行中）" if open_it else "矩阵调查（草稿）"
    found = Survey.all_objects.filter(office=w.office, title=title).first()
    return found or make_survey(w, _questionnaire(w, publish=True), open_it=open_it, title=title)


def open_survey(w):
    return [_survey(w, open_it=True).pk]


def draft_survey(w):
    return [_survey(w, open_it=False).pk]


def _link(w, school):
    from tests.surveys.helpers import link_of

    return link_of(_survey(w, open_it=True), school)


def link(w):
    return [_link(w, w.school).pk]


def zone_school_link(w):
    return [_link(w, w.zone_school).pk]


def token(w):
    return [_link(w, w.school).token]


def far_survey(w):
    """County A's open survey at `far_school` alone (no inspector, outside the zone)."""
    from tests.surveys.helpers import make_survey

    return [
        make_survey(
            w, _questionnaire(w, publish=True), schools=[w.far_school], title="城东中学调查"
        ).pk
    ]


def foreign_survey(w):
    from tests.surveys.helpers import make_questionnaire, make_survey

    questionnaire = make_questionnaire(w.other_admin, title="玄武区问卷")
    survey = make_survey(
        w, questionnaire, schools=[w.foreign_school], open_it=False, actor=w.other_admin
    )
    return [survey.pk]


MATRIX = {
    "surveys:list": (None, everyone(200), AS_GET),
    "surveys:create": (None, ADMIN_ONLY, ADMIN_ONLY),
    "surveys:detail": (open_survey, SURVEY_A, AS_GET),
    "surveys:edit": (draft_survey, EDIT_A, EDIT_A),
    "surveys:open": (draft_survey, POST_ONLY_ADMIN, WRITE_A),
    "surveys:close": (open_survey, POST_ONLY_ADMIN, WRITE_A),
    # without the confirmation box: back with a message, nothing deleted
    "surveys:delete": (draft_survey, POST_ONLY_ADMIN, ADMIN_A_ACTION),
    "surveys:results": (open_survey, SURVEY_A, AS_GET),
    "surveys:results_xlsx": (open_survey, SURVEY_A, AS_GET),
    "surveys:links_xlsx": (open_survey, SURVEY_A, AS_GET),
    "surveys:qr": (open_survey, only({"admin": 200, "other_admin": 404}), AS_GET),
    "surveys:link_qr": (link, SURVEY_A, AS_GET),
    "surveys:questionnaire_list": (None, READ, AS_GET),
    "surveys:questionnaire_create": (None, ADMIN_ONLY, ADMIN_ONLY),
    "surveys:questionnaire_detail": (draft, READ_A, AS_GET),
    "surveys:questionnaire_copy": (published, POST_ONLY_ADMIN, WRITE_A),
    "surveys:questionnaire_new_revision": (published, POST_ONLY_ADMIN, WRITE_A),
    "surveys:questionnaire_publish": (draft, POST_ONLY_ADMIN, WRITE_A),
    "surveys:questionnaire_retire": (published, POST_ONLY_ADMIN, WRITE_A),
    "surveys:questionnaire_delete": (draft, POST_ONLY_ADMIN, ADMIN_A_ACTION),
    "surveys:questionnaire_edit": (draft, EDIT_A, EDIT_A),
    "surveys:section_add": (draft, POST_ONLY_ADMIN, ADMIN_A_ACTION),
    "surveys:section_edit": (section, EDIT_A, EDIT_A),
    "surveys:section_delete": (section, POST_ONLY_ADMIN, ADMIN_A_ACTION),
    "surveys:section_move": (section, POST_ONLY_ADMIN, ADMIN_A_ACTION),
    "surveys:question_add": (section, EDIT_A, EDIT_A),
    "surveys:question_edit": (question, EDIT_A, EDIT_A),
    "surveys:question_delete": (question, POST_ONLY_ADMIN, WRITE_A),
    "surveys:question_move": (question, POST_ONLY_ADMIN, ADMIN_A_ACTION),
    # the public answer page: an empty POST is shown again (no stamp), nothing stored
    "surveys_public:answer": (token, PUBLIC, PUBLIC),
    "surveys_public:done": (token, PUBLIC, AS_GET),
}

OUT_OF_SCOPE = [
    ("surveys:detail", foreign_survey, ["admin", "zone_leader", "inspector", "school", "viewer"]),
    ("surveys:results", foreign_survey, ["admin", "viewer"]),
    ("surveys:edit", foreign_survey, ["admin"]),
    # a draft is the office's alone
    ("surveys:detail", draft_survey, ["zone_leader", "inspector", "school", "other_admin"]),
    # a survey at a school outside theirs
    ("surveys:results", far_survey, ["zone_leader", "inspector", "school", "other_admin"]),
    ("surveys:link_qr", zone_school_link, ["inspector", "school", "other_admin"]),
    ("surveys:questionnaire_detail", foreign_questionnaire, ["admin", "inspector", "viewer"]),
    ("surveys:questionnaire_edit", foreign_questionnaire, ["admin"]),
]

# Office-admin-only writes on county A's questionnaires and surveys: every other role is
# refused.
WRITES = {
    "surveys:edit": draft_survey,
    "surveys:open": draft_survey,
    "surveys:close": open_survey,
    "surveys:delete": draft_survey,
    "surveys:questionnaire_copy": published,
    "surveys:questionnaire_new_revision": published,
    "surveys:questionnaire_publish": draft,
    "surveys:questionnaire_retire": published,
    "surveys:questionnaire_delete": draft,
    "surveys:questionnaire_edit": draft,
    "surveys:section_add": draft,
    "surveys:section_edit": section,
    "surveys:question_add": section,
    "surveys:question_edit": question,
    "surveys:question_delete": question,
}
