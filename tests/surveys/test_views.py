"""The office's screens: questionnaires (copy a built-in, edit the draft, publish), surveys
(create once, edit, open, close), links and QR sheets, and the lists' query counts."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from dudao.surveys import shipped
from dudao.surveys.models import Question, Questionnaire, Survey, SurveySchool
from tests.factories import SchoolFactory

from .helpers import answer, link_of, make_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client, world):
    client.force_login(world.admin)
    return client


def builtin(key=shipped.YOUZHI_PARENTS):
    shipped.ensure_builtin_questionnaires()
    return Questionnaire.objects.unscoped().get(office__isnull=True, key=key)


def test_copy_a_builtin_edit_it_and_publish_it(world, admin):
    source = builtin()
    page = admin.get(reverse("surveys:questionnaire_detail", args=[source.pk]))
    assert "社会认可度" in page.content.decode()
    copied = admin.post(
        reverse("surveys:questionnaire_copy", args=[source.pk]), {"title": "我县家长卷"}
    )
    copy = Questionnaire.objects.unscoped().get(office=world.office)
    assert copied.url == reverse("surveys:questionnaire_edit", args=[copy.pk])
    assert copy.title == "我县家长卷"
    section = copy.sections.get(position=6)
    added = admin.post(
        reverse("surveys:question_add", args=[section.pk]),
        {
            "text": "您对学校午餐是否满意？",
            "type": "single",
            "options": "满意、比较满意、不满意",
            "counts": "on",
            "satisfied": "满意、比较满意",
        },
    )
    assert added.status_code == 302
    question = copy.questions.get(text="您对学校午餐是否满意？")
    assert question.options == ["满意", "比较满意", "不满意"] and question.required
    refused = admin.post(
        reverse("surveys:question_add", args=[section.pk]),
        {"text": "x", "type": "multiple", "options": "a、b", "counts": "on", "satisfied": "a"},
    )
    assert refused.status_code == 200
    assert 'class="errorlist"' in refused.content.decode()
    edited = admin.post(
        reverse("surveys:question_edit", args=[question.pk]),
        {
            "stamp": "",
            "code": question.code,
            "text": "您对学校午餐满意吗？",
            "type": "single",
            "options": "满意\n比较满意\n不满意",
            "counts": "on",
            "satisfied": "满意、比较满意",
        },
    )
    assert edited.status_code == 302
    published = admin.post(
        reverse("surveys:questionnaire_publish", args=[copy.pk]), {"version": copy.version}
    )
    assert published.status_code == 302
    copy.refresh_from_db()
    assert copy.status == Questionnaire.Status.PUBLISHED
    assert admin.get(reverse("surveys:questionnaire_edit", args=[copy.pk])).status_code == 302


def test_create_a_survey_once(world, admin, questionnaire):
    today = timezone.localdate()
    form = admin.get(reverse("surveys:create"))
    assert questionnaire.title in form.content.decode()
    data = {
        "request_key": str(uuid.uuid4()),
        "title": "2026年家长满意度调查",
        "questionnaire": questionnaire.pk,
        "opens_on": today.isoformat(),
        "closes_on": (today + datetime.timedelta(days=14)).isoformat(),
        "school_rule": "zone",
        "zone": world.zone.pk,
        "min_answers": 30,
        "pass_percent": 85,
    }
    first = admin.post(reverse("surveys:create"), data)
    second = admin.post(reverse("surveys:create"), data)  # a double click
    survey = Survey.objects.unscoped().get()
    assert first.url == second.url == reverse("surveys:detail", args=[survey.pk])
    assert SurveySchool.objects.unscoped().filter(survey=survey).count() == 2
    opened = admin.post(reverse("surveys:open", args=[survey.pk]), {"version": survey.version})
    assert opened.status_code == 302
    survey.refresh_from_db()
    assert survey.status == Survey.Status.OPEN
    detail = admin.get(reverse("surveys:detail", args=[survey.pk])).content.decode()
    assert link_of(survey, world.school).token in detail
    admin.post(reverse("surveys:close", args=[survey.pk]), {"version": survey.version})
    survey.refresh_from_db()
    assert survey.status == Survey.Status.CLOSED


def test_edit_a_draft_and_delete_it(world, admin, questionnaire):
    survey = make_survey(world, questionnaire, open_it=False)
    page = admin.get(reverse("surveys:edit", args=[survey.pk]))
    assert page.status_code == 200
    today = timezone.localdate()
    saved = admin.post(
        reverse("surveys:edit", args=[survey.pk]),
        {
            "expected_version": survey.version,
            "title": "改名的调查",
            "questionnaire": questionnaire.pk,
            "opens_on": today.isoformat(),
            "closes_on": today.isoformat(),
            "school_rule": "all",
            "school_types": ["junior"],
            "min_answers": 10,
            "pass_percent": 90,
        },
    )
    assert saved.status_code == 302
    survey.refresh_from_db()
    assert (survey.title, survey.min_answers, survey.pass_percent) == ("改名的调查", 10, 90)
    assert list(
        SurveySchool.objects.unscoped().filter(survey=survey).values_list("school__name", flat=True)
    ) == ["城东中学"]
    admin.post(reverse("surveys:delete", args=[survey.pk]), {"confirm": "1"})
    assert not Survey.objects.unscoped().exists()


def test_qr_sheets_and_links(world, client, survey):
    client.force_login(world.admin)
    every = client.get(reverse("surveys:qr", args=[survey.pk]))
    assert every.status_code == 200 and every["Content-Type"] == "application/pdf"
    content = b"".join(every.streaming_content)
    assert content.startswith(b"%PDF")
    assert "filename*=utf-8''" in every["Content-Disposition"].lower()
    client.force_login(world.school_user)
    own = client.get(reverse("surveys:link_qr", args=[link_of(survey, world.school).pk]))
    assert own.status_code == 200
    other = client.get(reverse("surveys:link_qr", args=[link_of(survey, world.zone_school).pk]))
    assert other.status_code == 404
    links = client.get(reverse("surveys:links_xlsx", args=[survey.pk]))
    assert links.status_code == 200


def test_the_qr_sheet_names_the_school_and_the_link(world, survey):
    from dudao.surveys import qr

    link = link_of(survey, world.school)
    html = qr.render_html(survey, qr.build_sheets(survey, [link]))
    assert "湖滨小学" in html and link.token in html and "data:image/svg+xml;base64," in html
    assert "扫描" in html or "Scan" in html


def test_a_school_user_sees_its_open_survey_and_its_link(world, client, survey):
    client.force_login(world.school_user)
    listing = client.get(reverse("surveys:list")).content.decode()
    assert survey.title in listing
    detail = client.get(reverse("surveys:detail", args=[survey.pk])).content.decode()
    assert link_of(survey, world.school).token in detail
    assert link_of(survey, world.zone_school).token not in detail


def test_drafts_are_the_offices_alone(world, client, questionnaire):
    draft = make_survey(world, questionnaire, open_it=False)
    for user in (world.school_user, world.inspector_user, world.zone_leader):
        client.force_login(user)
        assert client.get(reverse("surveys:detail", args=[draft.pk])).status_code == 404


@pytest.mark.parametrize("surveys", [1, 4])
def test_lists_run_a_fixed_number_of_queries(
    world, client, questionnaire, q, surveys, django_assert_max_num_queries
):
    for i in range(surveys):
        survey = make_survey(world, questionnaire, title=f"调查{i}")
        answer(survey, world.school, q)
    SchoolFactory(office=world.office, name="新学校")
    for user in (world.admin, world.school_user, world.viewer):
        client.force_login(user)
        with django_assert_max_num_queries(6):
            assert client.get(reverse("surveys:list")).status_code == 200
    client.force_login(world.admin)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("surveys:questionnaire_list")).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("surveys:detail", args=[survey.pk])).status_code == 200
    with django_assert_max_num_queries(8):
        page = client.get(reverse("surveys:questionnaire_detail", args=[questionnaire.pk]))
        assert page.status_code == 200
    assert Question.objects.filter(questionnaire=questionnaire).count() == 5
