"""The evaluation round screens (issue 13 §4, §6): the list and what each user does next, the
round's form (weights, grades, the one-time key), its page (stages, targets, raters,
history), the score sheet (self-assessment with evidence, expert scoring, errors beside their
indicator, htmx sections, own indicators), and the results (ranking, groups side by side,
earlier rounds), each with a fixed number of queries."""

import datetime
import re
import uuid
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dudao.accounts.models import Role
from dudao.evaluations import round_services
from dudao.evaluations.models import (
    Evidence,
    OwnIndicator,
    Rater,
    Round,
    RoundEvent,
    RoundTarget,
    Score,
    TargetKind,
)
from dudao.organisations.models import GovernmentUnit
from tests.factories import SchoolFactory, UserFactory

from .round_fixtures import build_framework, build_round, expert

pytestmark = pytest.mark.django_db
Stage = Round.Stage
FULL = {"A1.1": "30", "A1.2": "A", "A2.1": "yes", "A2.2": "40", "V1": "yes"}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def target_of(round_, school) -> RoundTarget:
    return (
        RoundTarget.objects.unscoped()
        .select_related("round__framework")
        .get(round=round_, school=school)
    )


def sheet_data(group, **values):
    """The sheet's fields: {code: value} or {code: (value, comment)}."""
    data = {}
    for code, value in values.items():
        value, comment = value if isinstance(value, tuple) else (value, "")
        data[f"score__{group}__{code}"] = value
        data[f"comment__{group}__{code}"] = comment
    return data


def scores(actor, target, group, values):
    return round_services.save_scores(
        actor, target, {c: {"value": v} for c, v in values.items()}, group=group
    )


def html_of(response) -> str:
    return response.content.decode()


def raters(round_):
    return [r.user for r in Rater.objects.filter(round=round_).order_by("pk")]


# ---- the list --------------------------------------------------------------------------------


def test_the_office_lists_its_rounds_and_filters_them(world, login):
    build_round(world, stage=Stage.SELF_ASSESSMENT)
    old = round_services.create_round(
        world.admin, world.office, framework=build_framework(), title="2025年督导评估", year=2025
    )
    client = login(world.admin)
    page = html_of(client.get(reverse("evaluations:round_list")))
    assert "2026年学校督导评估" in page and "2025年督导评估" in page
    page = html_of(client.get(reverse("evaluations:round_list"), {"year": "2025"}))
    assert "2025年督导评估" in page and "2026年学校督导评估" not in page
    page = html_of(
        client.get(
            reverse("evaluations:round_list"),
            {"stage": "self_assessment"},
            headers={"HX-Request": "true"},
        )
    )
    assert "2026年学校督导评估" in page and old.title not in page
    assert "<html" not in page  # the table alone
    # garbage filters never break the page
    assert client.get(reverse("evaluations:round_list"), {"year": "abc"}).status_code == 200
    other = login(world.other_admin)
    assert "2026年学校督导评估" not in html_of(other.get(reverse("evaluations:round_list")))


def test_a_school_sees_what_it_must_do_next(world, login):
    draft = build_round(world)
    client = login(world.school_user)
    assert draft.title not in html_of(client.get(reverse("evaluations:round_list")))
    round_services.take_action(world.admin, draft, "open")
    page = html_of(client.get(reverse("evaluations:round_list")))
    target = target_of(draft, world.school)
    assert reverse("evaluations:round_target", args=[target.pk]) in page
    assert "self-assess-" in page
    assert draft.self_due.strftime("%Y-%m-%d") in page


def test_an_expert_sees_the_rounds_to_score(world, login):
    round_ = build_round(world, stage=Stage.EXPERT_SCORING)
    one = raters(round_)[0]
    scores(one, target_of(round_, world.school), "expert", {"A1.1": "20"})
    page = html_of(login(one).get(reverse("evaluations:round_list")))
    assert round_.title in page
    assert round_.expert_due.strftime("%Y-%m-%d") in page
    step = page.split('data-testid="round-step"')[1]
    assert re.search(r"1 of 2|2 个中已开始 1 个", step)  # 1 of 2 begun


def test_the_list_reads_a_fixed_number_of_queries(world, login, django_assert_max_num_queries):
    build_round(world, stage=Stage.SELF_ASSESSMENT)
    for user in (world.admin, world.school_user):
        client = login(user)
        url = reverse("evaluations:round_list")
        client.get(url)
        with django_assert_max_num_queries(20) as few:
            client.get(url)
        for n in range(4):
            round_ = round_services.create_round(
                world.admin, world.office, framework=build_framework(), title=f"第{n}轮", year=2026
            )
            round_services.add_targets(world.admin, round_, schools=[world.school])
            round_services.take_action(world.admin, round_, "open")
        with django_assert_max_num_queries(len(few.captured_queries)):
            response = client.get(url)
        assert response.status_code == 200


# ---- the round's form ------------------------------------------------------------------------


def form_data(framework, **extra):
    data = {
        "framework": framework.pk,
        "title": "2026年学校督导评估",
        "year": "2026",
        "legal_basis": "上教督〔2026〕8号",
        "self_due": "2026-12-01",
        "expert_due": "2026-12-10",
        "review_due": "2026-12-20",
        "grades": "优秀=90，良好=80,合格=60",
        "pass_grade": "合格",
        "disagreement": "0.30",
        "weight_self": "0.4",
        "weight_expert": "0.6",
        "request_key": str(uuid.uuid4()),
    }
    return data | extra


def test_the_office_creates_a_round_once(world, login):
    framework = build_framework()
    client = login(world.admin)
    page = html_of(client.get(reverse("evaluations:round_create")))
    assert framework.title in page and 'name="weight_expert"' in page
    data = form_data(framework)
    response = client.post(reverse("evaluations:round_create"), data)
    assert response.status_code == 302
    round_ = Round.objects.unscoped().get()
    assert response.url == reverse("evaluations:round_detail", args=[round_.pk])
    assert round_.weights == {"self": "0.4", "expert": "0.6"}
    assert round_.grades == [["优秀", "90"], ["良好", "80"], ["合格", "60"]]
    assert (round_.pass_grade, round_.stage) == ("合格", Stage.DRAFT)
    client.post(reverse("evaluations:round_create"), data)  # sent twice: one round
    assert Round.objects.unscoped().count() == 1


def test_drafts_and_other_counties_frameworks_are_not_offered(world, login):
    draft = build_framework(status="draft")
    foreign = build_framework(office=world.other_office)
    ours = build_framework(office=world.office)
    page = html_of(login(world.admin).get(reverse("evaluations:round_create")))
    assert f'value="{ours.pk}"' in page
    assert f'value="{draft.pk}"' not in page and f'value="{foreign.pk}"' not in page


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"grades": "优秀=90,良好"}, "grades"),
        ({"pass_grade": "良"}, "pass_grade"),
        ({"weight_expert": "-1"}, "weight_expert"),
        ({"weight_self": "0", "weight_expert": "0"}, "weight_expert"),
        ({"expert_due": "2026-11-01"}, "expert_due"),
    ],
)
def test_bad_settings_are_shown_on_their_field(world, login, extra, field):
    response = login(world.admin).post(
        reverse("evaluations:round_create"), form_data(build_framework(), **extra)
    )
    assert response.status_code == 200
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert not Round.objects.unscoped().exists()


def test_an_open_round_changes_only_its_words_and_deadlines(world, login):
    round_ = build_round(world, stage=Stage.SELF_ASSESSMENT)
    client = login(world.admin)
    url = reverse("evaluations:round_edit", args=[round_.pk])
    page = html_of(client.get(url))
    assert re.search(r'name="framework"[^>]*disabled', page)
    data = form_data(
        build_framework(),
        title="改过的标题",
        grades="优秀=95",
        weight_expert="1",
        version=round_.version,
    )
    response = client.post(url, data)
    assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.title == "改过的标题"
    assert round_.grades == [] and round_.weights == {"expert": "0.6", "self": "0.4"}
    round_services.take_action(world.admin, round_, "start_scoring")
    for action in ("start_review", "publish"):
        round_services.take_action(world.admin, round_, action)
    assert client.get(url).status_code == 302  # published: not changed


# ---- the round's page ------------------------------------------------------------------------


def test_the_office_sees_its_round_with_actions_and_history(world, login):
    round_ = build_round(world)
    client = login(world.admin)
    page = html_of(client.get(reverse("evaluations:round_detail", args=[round_.pk])))
    assert "湖滨小学" in page and "西湖小学" in page
    assert "expert1" in page and 'data-testid="action-open"' in page
    assert 'data-testid="history"' in page
    response = client.post(reverse("evaluations:round_action", args=[round_.pk, "open"]))
    assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.stage == Stage.SELF_ASSESSMENT
    page = html_of(client.get(reverse("evaluations:round_detail", args=[round_.pk])))
    assert 'data-testid="action-start_scoring"' in page


def test_sending_back_from_review_needs_a_reason(world, login):
    round_ = build_round(world, stage=Stage.REVIEW)
    client = login(world.admin)
    url = reverse("evaluations:round_action", args=[round_.pk, "reopen"])
    page = client.get(reverse("evaluations:round_detail", args=[round_.pk]))
    assert 'name="note"' in html_of(page)
    client.post(url, {"version": round_.version})
    round_.refresh_from_db()
    assert round_.stage == Stage.REVIEW
    client.post(url, {"version": round_.version, "note": "A2.2 复核"})
    round_.refresh_from_db()
    assert round_.stage == Stage.EXPERT_SCORING
    page = html_of(client.get(reverse("evaluations:round_detail", args=[round_.pk])))
    assert "A2.2 复核" in page


def test_targets_are_chosen_by_zone_and_type(world, login):
    round_ = round_services.create_round(
        world.admin, world.office, framework=build_framework(), title="t", year=2026
    )
    SchoolFactory(office=world.office, name="实验幼儿园", type="kindergarten")
    client = login(world.admin)
    url = reverse("evaluations:round_targets", args=[round_.pk])
    page = html_of(client.get(url))
    assert "湖滨小学" in page and "城东中学" in page
    assert "实验幼儿园" not in page and "玄武小学" not in page
    page = html_of(client.get(url, {"zone": world.zone.pk}, headers={"HX-Request": "true"}))
    assert "湖滨小学" in page and "城东中学" not in page
    response = client.post(url, {"schools": [world.school.pk]})
    assert response.status_code == 302
    assert list(round_.targets.values_list("school_id", flat=True)) == [world.school.pk]
    client.post(url, {"all": "1", "zone": world.zone.pk})  # all that the filter shows
    assert set(round_.targets.values_list("school_id", flat=True)) == {
        world.school.pk,
        world.zone_school.pk,
    }
    target = target_of(round_, world.zone_school)
    client.post(reverse("evaluations:round_target_remove", args=[target.pk]))
    assert round_.targets.count() == 1
    assert RoundEvent.objects.filter(round=round_, action="targets_changed").count() == 3


def test_a_township_round_takes_township_governments(world, login):
    township = GovernmentUnit.all_objects.create(
        office=world.office, kind=GovernmentUnit.Kind.TOWNSHIP, name="东湖镇人民政府"
    )
    GovernmentUnit.all_objects.create(
        office=world.office, kind=GovernmentUnit.Kind.COUNTY_GOVERNMENT, name="上城区人民政府"
    )
    framework = build_framework(kind=TargetKind.TOWNSHIP)
    round_ = round_services.create_round(
        world.admin, world.office, framework=framework, title="乡镇目标管理", year=2026
    )
    client = login(world.admin)
    url = reverse("evaluations:round_targets", args=[round_.pk])
    page = html_of(client.get(url))
    assert "东湖镇人民政府" in page and "上城区人民政府" not in page and "湖滨小学" not in page
    client.post(url, {"units": [township.pk]})
    assert round_.targets.get().unit == township


def test_raters_are_added_on_some_indicators_and_removed(world, login):
    round_ = build_round(world)
    narrow = expert(world, "narrow")
    client = login(world.admin)
    target = target_of(round_, world.school)
    response = client.post(
        reverse("evaluations:round_rater_add", args=[round_.pk]),
        {"user": narrow.pk, "group": "expert", "target": target.pk, "indicator_codes": ["A2"]},
    )
    assert response.status_code == 302
    rater = Rater.objects.get(user=narrow)
    assert rater.indicator_codes == ["A2"] and rater.target == target
    page = html_of(client.get(reverse("evaluations:round_detail", args=[round_.pk])))
    assert "narrow" in page and re.search(r"0 (of|/) 2", page)  # A2.1 and A2.2 at one school
    client.post(reverse("evaluations:round_rater_remove", args=[rater.pk]))
    assert not Rater.objects.filter(user=narrow).exists()


def test_a_rater_who_must_recuse_is_refused_with_a_message(world, login):
    from dudao.inspectors.models import Conflict, RecusalGround

    round_ = build_round(world)
    ground = RecusalGround.objects.create(office=world.office, name="近亲属任职")
    Conflict.all_objects.create(inspector=world.inspector, school=world.school, ground=ground)
    client = login(world.admin)
    response = client.post(
        reverse("evaluations:round_rater_add", args=[round_.pk]),
        {
            "user": world.inspector_user.pk,
            "group": "expert",
            "target": target_of(round_, world.school).pk,
        },
        follow=True,
    )
    assert not Rater.objects.filter(user=world.inspector_user).exists()
    assert "近亲属任职" in html_of(response) or "回避" in html_of(response)


def test_the_round_page_reads_a_fixed_number_of_queries(
    world, login, django_assert_max_num_queries
):
    round_ = build_round(world, stage=Stage.SELF_ASSESSMENT)
    scores(world.school_user, target_of(round_, world.school), "self", FULL)
    client = login(world.admin)
    url = reverse("evaluations:round_detail", args=[round_.pk])
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for n in range(4):
        school = SchoolFactory(office=world.office, name=f"新校{n}")
        RoundTarget.all_objects.create(round=round_, office=world.office, school=school)
        round_services.add_rater(
            world.admin, round_, user=expert(world, f"more{n}"), group="expert"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


# ---- the score sheet -------------------------------------------------------------------------


def test_the_school_self_assesses_on_the_sheet(world, login):
    round_ = build_round(world, stage=Stage.SELF_ASSESSMENT)
    target = target_of(round_, world.school)
    client = login(world.school_user)
    url = reverse("evaluations:round_target", args=[target.pk])
    page = html_of(client.get(url))
    for code in FULL:
        assert f'name="score__self__{code}"' in page
    assert 'inputmode="decimal"' in page and "<select" in page and 'type="radio"' in page
    # A value out of range and an unknown level: shown beside their indicator, nothing saved.
    response = client.post(url, sheet_data("self", **{"A1.1": "31", "A1.2": "E", "A2.2": "35"}))
    assert response.status_code == 200
    page = html_of(response)
    assert page.count('class="errorlist"') >= 2 and "31" in page
    assert not Score.objects.exists()
    response = client.post(url, sheet_data("self", **{"A1.1": ("28", "台账齐全"), "A1.2": "B"}))
    assert response.status_code == 302
    assert set(Score.objects.values_list("code", "value", "comment")) == {
        ("A1.1", "28", "台账齐全"),
        ("A1.2", "B", ""),
    }
    # a comment without a score is refused
    response = client.post(url, sheet_data("self", **{"A2.2": ("", "待补")}))
    assert response.status_code == 200 and Score.objects.count() == 2


def test_a_section_is_saved_by_htmx(world, login):
    round_ = build_round(world, stage=Stage.SELF_ASSESSMENT)
    target = target_of(round_, world.school)
    client = login(world.school_user)
    url = reverse("evaluations:round_target_save", args=[target.pk])
    # A2's section only: A1.1's bad value elsewhere in the form is not this section's
    data = sheet_data("self", **{"A1.1": "99", "A2.1": "no", "A2.2": "30"}) | {"section": "A2"}
    page = html_of(client.post(url, data, headers={"HX-Request": "true"}))
    assert "autosave-ok" in page and 'hx-swap-oob="true"' in page
    assert set(Score.objects.values_list("code", "value")) == {("A2.1", "no"), ("A2.2", "30")}
    page = html_of(client.post(url, sheet_data("self", **{"A2.2": "41"}) | {"section": "A2"}))
    assert "autosave-error" in page and "41" in page
    assert Score.objects.get(code="A2.2").value == "30"


def test_evidence_is_uploaded_shown_and_deleted(world, login):
    round_ = build_round(world, stage=Stage.SELF_ASSESSMENT)
    target = target_of(round_, world.school)
    client = login(world.school_user)
    upload = SimpleUploadedFile("党建台账.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    response = client.post(
        reverse("evaluations:round_evidence_add", args=[target.pk]),
        {"code": "A1.1", "file": upload},
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.code == "A1.1"
    page = html_of(client.get(reverse("evaluations:round_target", args=[target.pk])))
    assert "党建台账.pdf" in page
    file_url = reverse("evaluations:round_evidence_file", args=[evidence.pk])
    assert client.get(file_url).status_code == 200
    # a rater reads it once scoring starts; another school never
    other = UserFactory(role=Role.SCHOOL, office=world.office, school=world.zone_school)
    assert login(other).get(file_url).status_code == 404
    client = login(world.school_user)
    client.post(reverse("evaluations:round_evidence_delete", args=[evidence.pk]))
    assert not Evidence.objects.exists()


def test_the_school_submits_and_the_office_reopens(world, login):
    round_ = build_round(world, stage=Stage.SELF_ASSESSMENT)
    target = target_of(round_, world.school)
    client = login(world.school_user)
    url = reverse("evaluations:round_target", args=[target.pk])
    response = client.post(
        url, sheet_data("self", **{"A1.1": "30"}) | {"submit_self": "1", "summary": "自评"}
    )
    target.refresh_from_db()
    assert target.self_submitted_at is None  # not every indicator scored
    assert Score.objects.filter(code="A1.1").exists()  # but what was entered is saved
    response = client.post(url, sheet_data("self", **FULL) | {"submit_self": "1", "summary": "好"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.self_submitted_at is not None and target.self_summary == "好"
    page = html_of(client.get(url))
    assert 'name="score__self__A1.1"' not in page  # read-only now
    admin = login(world.admin)
    admin.post(reverse("evaluations:round_target_reopen", args=[target.pk]))
    target.refresh_from_db()
    assert target.self_submitted_at is None


def test_the_expert_scores_the_assigned_indicators_and_reads_the_self_assessment(world, login):
    round_ = build_round(world, stage=Stage.SELF_ASSESSMENT)
    target = target_of(round_, world.school)
    scores(world.school_user, target, "self", FULL | {"A1.1": "27"})
    Score.objects.filter(code="A1.1").update(comment="党建活动12次")
    narrow = expert(world, "narrow")
    round_services.remove_rater(world.admin, Rater.objects.filter(round=round_).last())
    Rater.objects.create(round=round_, user=narrow, group="expert", indicator_codes=["A2"])
    round_services.take_action(world.admin, round_, "start_scoring")
    one = raters(round_)[0]
    scores(one, target, "expert", {"A1.1": "22"})
    client = login(narrow)
    url = reverse("evaluations:round_target", args=[target.pk])
    page = html_of(client.get(url))
    assert 'name="score__expert__A2.2"' in page and 'name="score__expert__A1.1"' not in page
    assert "党建活动12次" in page  # the self-assessment
    assert 'data-testid="score-expert"' not in page  # not the other expert's score
    response = client.post(url, sheet_data("expert", **{"A2.1": "yes", "A2.2": "35"}))
    assert response.status_code == 302
    assert Score.objects.filter(rater=narrow).count() == 2
    # the school reads its own self-assessment only
    page = html_of(login(world.school_user).get(url))
    assert 'data-testid="score-self"' in page
    assert 'data-testid="score-expert"' not in page


def test_own_indicators_are_added_by_the_school(world, login):
    round_ = build_round(world, own_indicators=True, stage=Stage.SELF_ASSESSMENT)
    target = target_of(round_, world.school)
    client = login(world.school_user)
    url = reverse("evaluations:round_own_indicators", args=[target.pk])
    assert client.get(url).status_code == 200
    data = {
        "own-TOTAL_FORMS": "3",
        "own-INITIAL_FORMS": "0",
        "own-MIN_NUM_FORMS": "0",
        "own-MAX_NUM_FORMS": "100",
        "own-0-code": "B1",
        "own-0-title": "阅读特色",
        "own-0-max_score": "10",
        "own-0-method": "points",
        "own-1-method": "points",
        "own-2-method": "points",
    }
    assert client.post(url, data).status_code == 302
    assert list(OwnIndicator.objects.values_list("code", "max_score")) == [("B1", Decimal(10))]
    page = html_of(client.get(reverse("evaluations:round_target", args=[target.pk])))
    assert 'name="score__self__B1"' in page
    # a code of the framework is refused on the form
    data["own-0-code"] = "A1.1"
    assert client.post(url, data).status_code == 200
    # another school, a rater: not theirs to set
    assert login(world.viewer).get(url).status_code == 403


def test_the_sheet_reads_a_fixed_number_of_queries(world, login, django_assert_max_num_queries):
    round_ = build_round(world, stage=Stage.SELF_ASSESSMENT)
    target = target_of(round_, world.school)
    client = login(world.school_user)
    url = reverse("evaluations:round_target", args=[target.pk])
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    scores(world.school_user, target, "self", FULL)
    for n in range(3):
        upload = SimpleUploadedFile(f"{n}.pdf", b"%PDF-1.4\n%" + bytes([n]) + b"\n%%EOF\n")
        round_services.add_evidence(world.school_user, target, "A1.1", upload)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


# ---- results ---------------------------------------------------------------------------------


def scored_round(world):
    """湖滨小学 83.8 (良好), 西湖小学 vetoed (the hand-computed sheet of test_rounds)."""
    round_ = build_round(world, stage=Stage.SELF_ASSESSMENT)
    hubin, xihu = target_of(round_, world.school), target_of(round_, world.zone_school)
    xihu_user = UserFactory(role=Role.SCHOOL, office=world.office, school=world.zone_school)
    scores(world.school_user, hubin, "self", FULL)
    scores(xihu_user, xihu, "self", FULL)
    round_services.take_action(world.admin, round_, "start_scoring")
    one, two = raters(round_)
    scores(one, hubin, "expert", {"A1.1": "20", "A1.2": "B", "A2.1": "yes", "A2.2": "30"})
    scores(two, hubin, "expert", {"A1.1": "24", "A1.2": "C", "A2.1": "no", "A2.2": "34"})
    for rater in (one, two):
        scores(
            rater,
            xihu,
            "expert",
            {"A1.1": "28", "A1.2": "A", "A2.1": "yes", "A2.2": "38", "V1": "no"},
        )
    round_services.take_action(world.admin, round_, "start_review")
    return Round.objects.unscoped().get(pk=round_.pk)


def test_provisional_then_published_ranking(world, login):
    round_ = scored_round(world)
    client = login(world.admin)
    url = reverse("evaluations:round_results", args=[round_.pk])
    page = html_of(client.get(url))
    assert 'data-testid="provisional"' in page
    assert "83.80" in page and "不合格" in page
    ranking = page.split('data-testid="ranking"')[1]
    assert ranking.index("湖滨小学") < ranking.index("西湖小学")  # vetoed last
    assert 'id="round-data"' in page and "echarts" in page
    round_services.take_action(world.admin, round_, "publish")
    page = html_of(client.get(url))
    assert 'data-testid="provisional"' not in page and "83.80" in page
    assert login(world.viewer).get(url).status_code == 200
    assert login(world.school_user).get(url).status_code == 403


def test_a_target_s_result_shows_the_groups_side_by_side(world, login):
    round_ = scored_round(world)
    hubin = target_of(round_, world.school)
    url = reverse("evaluations:round_target_result", args=[hubin.pk])
    assert login(world.school_user).get(url).status_code == 404  # not yet published
    page = html_of(login(world.admin).get(url))
    assert 'data-testid="provisional"' in page
    row = page.split('data-testid="row-A1.1"')[1].split("</tr>")[0]
    assert "25.20" in row and "30.00" in row and "22.00" in row  # result, self, experts
    assert "⚠" in page.split('data-testid="row-A1.2"')[1].split("</tr>")[0]  # B and C
    round_services.take_action(world.admin, round_, "publish")
    page = html_of(login(world.school_user).get(url))
    assert 'data-testid="total">83.80' in page and "良好" in page
    assert 'data-chart="areas"' in page


def test_a_target_s_earlier_rounds_on_the_same_framework(world, login):
    round_ = scored_round(world)
    round_services.take_action(world.admin, round_, "publish")
    later = round_services.create_round(
        world.admin,
        world.office,
        framework=round_.framework,
        title="2027年学校督导评估",
        year=2027,
        weights={"expert": "1"},
    )
    round_services.add_targets(world.admin, later, schools=[world.school])
    page = html_of(
        login(world.admin).get(
            reverse("evaluations:round_target_result", args=[target_of(later, world.school).pk])
        )
    )
    earlier = page.split('data-testid="earlier"')[1]
    assert round_.title in earlier and "83.80" in earlier


def test_the_results_read_a_fixed_number_of_queries(world, login, django_assert_max_num_queries):
    round_ = scored_round(world)
    client = login(world.admin)
    url = reverse("evaluations:round_results", args=[round_.pk])
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for n in range(4):
        school = SchoolFactory(office=world.office, name=f"新校{n}")
        target = RoundTarget.all_objects.create(round=round_, office=world.office, school=school)
        Score.objects.create(
            target=target, code="A1.1", rater=raters(round_)[0], group="expert", value="20"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
    target_url = reverse("evaluations:round_target_result", args=[target.pk])
    client.get(target_url)
    with django_assert_max_num_queries(25):
        assert client.get(target_url).status_code == 200


def test_dates_come_from_the_pinned_clock(world, today):
    round_ = build_round(world)
    assert round_.self_due == today + datetime.timedelta(days=10)
