"""Evaluation rounds (round_services, round_workflow, access): set-up, self-assessment with
evidence, expert scoring, who reads which scores, and the published result against a
hand-computed sheet (docs/rules.md §24, docs/evaluation.md)."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dudao.accounts import scoping
from dudao.accounts.models import Role
from dudao.audit.models import AuditEntry
from dudao.core.errors import DomainError, IllegalTransition, NotPermitted
from dudao.evaluations import access, round_services
from dudao.evaluations.models import Evidence, Round, RoundEvent, RoundTarget, Score
from dudao.inspectors.models import Conflict, RecusalGround
from dudao.rectification.models import Finding
from tests.factories import SchoolFactory, UserFactory

from .round_fixtures import build_framework, build_round, expert

pytestmark = pytest.mark.django_db
Stage = Round.Stage


def target_of(round_, school) -> RoundTarget:
    return (
        RoundTarget.objects.unscoped()
        .select_related("round__framework", "school")
        .get(round=round_, school=school)
    )


def score(actor, target, group, **values):
    return round_services.save_scores(
        actor,
        target,
        {code.replace("_", "."): {"value": value} for code, value in values.items()},
        group=group,
    )


FULL_SELF = {"A1_1": "30", "A1_2": "A", "A2_1": "yes", "A2_2": "40", "V1": "yes"}


# ---- set-up ----------------------------------------------------------------------------------


def test_a_round_is_created_in_preparation_with_history_and_audit(world):
    round_ = build_round(world)
    assert round_.stage == Stage.DRAFT
    assert RoundEvent.objects.filter(round=round_, action="created").exists()
    assert AuditEntry.objects.unscoped().filter(target_type="evaluations.Round").exists()
    assert round_.targets.count() == 2 and round_.raters.count() == 2


@pytest.mark.parametrize("persona", ["inspector_user", "school_user", "viewer", "other_admin"])
def test_only_the_office_admin_creates_a_round(world, persona):
    with pytest.raises(NotPermitted):
        round_services.create_round(
            getattr(world, persona),
            world.office,
            framework=build_framework(),
            title="t",
            year=2026,
        )


def test_a_second_submission_of_the_form_is_the_same_round(world):
    key = uuid.uuid4()
    fields = {"framework": build_framework(), "title": "t", "year": 2026, "request_key": key}
    one = round_services.create_round(world.admin, world.office, **fields)
    two = round_services.create_round(world.admin, world.office, **fields)
    assert one.pk == two.pk and Round.objects.unscoped().count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"weights": {"experts": "1"}}, "weights"),
        ({"weights": {"expert": "-1"}}, "weights"),
        ({"weights": {"expert": "0", "self": "0"}}, "weights"),
        ({"grades": [["优秀", "90"], ["合格", "120"]]}, "grades"),
        ({"pass_grade": "良"}, "pass_grade"),
        ({"disagreement": "1.5"}, "disagreement"),
        ({"title": "  "}, "title"),
    ],
)
def test_bad_round_settings_are_refused_on_their_field(world, fields, field):
    base = {"framework": build_framework(), "title": "t", "year": 2026}
    with pytest.raises(DomainError) as refused:
        round_services.create_round(world.admin, world.office, **(base | fields))
    assert refused.value.field == field
    assert not Round.objects.unscoped().exists()


def test_deadlines_come_in_stage_order(world, today):
    with pytest.raises(DomainError) as refused:
        round_services.create_round(
            world.admin,
            world.office,
            framework=build_framework(),
            title="t",
            year=2026,
            self_due=today + datetime.timedelta(days=10),
            expert_due=today + datetime.timedelta(days=5),
        )
    assert refused.value.field == "expert_due"


def test_a_draft_framework_or_another_office_s_is_refused(world):
    with pytest.raises(DomainError, match=r"published|已发布"):
        round_services.create_round(
            world.admin,
            world.office,
            framework=build_framework(status="draft"),
            title="t",
            year=2026,
        )
    with pytest.raises(DomainError):
        round_services.create_round(
            world.admin,
            world.office,
            framework=build_framework(office=world.other_office),
            title="t",
            year=2026,
        )


def test_targets_must_fit_the_framework_and_the_office(world):
    round_ = build_round(world)
    kindergarten = SchoolFactory(office=world.office, name="实验幼儿园", type="kindergarten")
    with pytest.raises(DomainError, match="实验幼儿园"):
        round_services.add_targets(world.admin, round_, schools=[kindergarten])
    with pytest.raises(NotPermitted):
        round_services.add_targets(world.admin, round_, schools=[world.foreign_school])
    # Already there: skipped, nothing added.
    assert round_services.add_targets(world.admin, round_, schools=[world.school]) == 0
    assert round_services.add_targets(world.admin, round_, schools=[world.far_school]) == 1


def test_a_rater_who_must_recuse_is_refused_on_that_school(world):
    round_ = build_round(world)
    target = target_of(round_, world.school)
    ground = RecusalGround.objects.create(office=world.office, name="近亲属任职")
    Conflict.all_objects.create(inspector=world.inspector, school=world.school, ground=ground)
    with pytest.raises(DomainError, match=r"回避|冲突|conflict"):
        round_services.add_rater(
            world.admin, round_, user=world.inspector_user, group="expert", target=target
        )
    # Named on every target, the inspector never scores the school they must recuse from.
    round_services.add_rater(world.admin, round_, user=world.inspector_user, group="expert")
    round_ = round_services.take_action(world.admin, round_, "open")
    round_ = round_services.take_action(world.admin, round_, "start_scoring")
    target = target_of(round_, world.school)
    assert access.scoring_groups(world.inspector_user, target) == []
    assert access.scoring_groups(world.inspector_user, target_of(round_, world.zone_school))


def test_a_school_does_not_rate_itself_as_a_peer(world):
    round_ = build_round(world)
    with pytest.raises(DomainError):
        round_services.add_rater(
            world.admin,
            round_,
            user=world.school_user,
            group="peer",
            target=target_of(round_, world.school),
        )


def test_a_rater_is_in_one_group(world):
    round_ = build_round(world)
    rater = round_.raters.first().user
    with pytest.raises(DomainError) as refused:
        round_services.add_rater(world.admin, round_, user=rater, group="above")
    assert refused.value.field == "group"


def test_a_round_without_targets_does_not_open(world):
    round_ = round_services.create_round(
        world.admin, world.office, framework=build_framework(), title="t", year=2026
    )
    with pytest.raises(DomainError, match=r"评估对象|targets"):
        round_services.take_action(world.admin, round_, "open")


def test_the_stages_go_in_order_with_a_history_line_each(world):
    round_ = build_round(world, stage=Stage.REVIEW)
    with pytest.raises(IllegalTransition):
        round_services.take_action(world.admin, round_, "open")
    with pytest.raises(DomainError):  # sending back needs a reason
        round_services.take_action(world.admin, round_, "reopen")
    round_ = round_services.take_action(world.admin, round_, "reopen", note="A2.2 复核")
    assert round_.stage == Stage.EXPERT_SCORING
    actions = list(RoundEvent.objects.filter(round=round_).values_list("action", flat=True))
    assert actions[-4:] == ["open", "start_scoring", "start_review", "reopen"]


# ---- self-assessment ---------------------------------------------------------------------


def test_the_school_self_assesses_with_evidence_and_submits(world):
    round_ = build_round(world, stage=Stage.SELF_ASSESSMENT)
    target = target_of(round_, world.school)
    score(world.school_user, target, "self", A1_1="28", A1_2="B")
    with pytest.raises(DomainError, match=r"A2.1"):  # not everything scored
        round_services.submit_self_assessment(world.school_user, target)
    score(world.school_user, target, "self", A2_1="yes", A2_2="35", V1="yes")
    upload = SimpleUploadedFile("党建台账.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    evidence = round_services.add_evidence(world.school_user, target, "A1.1", upload)
    assert Evidence.objects.get(pk=evidence.pk).code == "A1.1"
    target = round_services.submit_self_assessment(world.school_user, target, summary="自评良好")
    assert target.self_submitted_at is not None
    with pytest.raises(DomainError):  # submitted: changed only when the office reopens it
        score(world.school_user, target, "self", A1_1="30")
    round_services.reopen_self_assessment(world.admin, target)
    score(world.school_user, target, "self", A1_1="30")


def test_values_that_do_not_suit_the_method_are_refused_all_at_once(world):
    round_ = build_round(world, stage=Stage.SELF_ASSESSMENT)
    target = target_of(round_, world.school)
    with pytest.raises(round_services.ScoreErrors) as refused:
        score(world.school_user, target, "self", A1_1="31", A1_2="E", A2_1="maybe", A2_2="20")
    assert set(refused.value.errors) == {"A1.1", "A1.2", "A2.1"}
    assert not Score.objects.exists()  # all or nothing


def test_another_school_cannot_self_assess_and_does_not_see_the_target(world):
    round_ = build_round(world, stage=Stage.SELF_ASSESSMENT)
    other = UserFactory(role=Role.SCHOOL, office=world.office, school=world.zone_school)
    target = target_of(round_, world.school)
    with pytest.raises(NotPermitted):
        score(other, target, "self", A1_1="30")
    assert not scoping.round_targets_for(other).filter(pk=target.pk).exists()
    assert scoping.round_targets_for(other).filter(school=world.zone_school).exists()


def test_a_round_in_preparation_is_the_office_s_alone(world):
    round_ = build_round(world)
    for user in (world.school_user, round_.raters.first().user, world.inspector_user):
        assert not scoping.rounds_for(user).exists()
    assert scoping.rounds_for(world.admin).filter(pk=round_.pk).exists()


# ---- expert scoring and reading ----------------------------------------------------------


def test_an_expert_scores_only_the_assigned_targets_and_indicators(world):
    round_ = build_round(world)
    narrow = expert(world, "narrow")
    round_services.add_rater(
        world.admin,
        round_,
        user=narrow,
        group="expert",
        target=target_of(round_, world.school),
        indicator_codes=["A2"],
    )
    round_ = build_round_to(world, round_, Stage.EXPERT_SCORING)
    visible = scoping.round_targets_for(narrow)
    assert list(visible.values_list("school_id", flat=True)) == [world.school.pk]
    target = target_of(round_, world.school)
    score(narrow, target, "expert", A2_1="yes", A2_2="30")
    with pytest.raises(round_services.ScoreErrors) as refused:
        score(narrow, target, "expert", A1_1="20")
    assert set(refused.value.errors) == {"A1.1"}
    with pytest.raises(NotPermitted):  # not their group, nor self-assessment now
        score(narrow, target, "self", A2_1="yes")


def build_round_to(world, round_, stage):
    steps = {Stage.SELF_ASSESSMENT: ["open"], Stage.EXPERT_SCORING: ["open", "start_scoring"]}
    for action in steps[stage]:
        round_ = round_services.take_action(world.admin, round_, action)
    return round_


def test_two_experts_scoring_the_same_target_lose_nothing(world):
    round_ = build_round(world, stage=Stage.EXPERT_SCORING)
    target = target_of(round_, world.school)
    one, two = [r.user for r in round_.raters.order_by("pk")]
    score(one, target, "expert", A1_1="20")
    score(two, target, "expert", A1_1="24", A2_2="30")
    score(one, target, "expert", A2_2="32")  # the first again, after the second saved
    rows = set(Score.objects.filter(target=target).values_list("rater__username", "code", "value"))
    assert rows == {
        ("expert1", "A1.1", "20"),
        ("expert1", "A2.2", "32"),
        ("expert2", "A1.1", "24"),
        ("expert2", "A2.2", "30"),
    }


def test_who_reads_which_scores_before_and_after_publication(world):
    round_ = build_round(world, stage=Stage.SELF_ASSESSMENT)
    target = target_of(round_, world.school)
    score(world.school_user, target, "self", **FULL_SELF)
    round_ = round_services.take_action(world.admin, round_, "start_scoring")
    target = target_of(round_, world.school)
    one, two = [r.user for r in round_.raters.order_by("pk")]
    score(one, target, "expert", A1_1="20")
    score(two, target, "expert", A1_1="24")
    rows = list(Score.objects.filter(target=target))

    def groups(user):
        return sorted(
            {(s.group, s.rater.username) for s in access.visible_scores(user, target, rows)}
        )

    assert groups(world.school_user) == [("self", "school")]  # no expert score before publishing
    assert groups(one) == [("expert", "expert1"), ("self", "school")]  # not the other expert's
    assert len(groups(world.admin)) == 3 and len(groups(world.viewer)) == 3
    round_ = round_services.take_action(world.admin, round_, "start_review")
    round_ = round_services.take_action(world.admin, round_, "publish")
    target = target_of(round_, world.school)
    assert groups(world.school_user) == groups(world.admin)


# ---- the result --------------------------------------------------------------------------


def test_the_published_result_matches_the_hand_computed_sheet(world):
    """Weights expert 0.6, self 0.4. 湖滨小学: expert means A1.1 22, A1.2 14 (B 16, C 12),
    A2.1 5, A2.2 32 → 25.2 + 16.4 + 7 + 35.2 = 83.8, 良好. 西湖小学 would score 97.6 but both
    experts answer the veto item no: vetoed, 不合格, and a finding in the ledger."""
    round_ = build_round(world, stage=Stage.SELF_ASSESSMENT)
    hubin, xihu = target_of(round_, world.school), target_of(round_, world.zone_school)
    xihu_user = UserFactory(role=Role.SCHOOL, office=world.office, school=world.zone_school)
    score(world.school_user, hubin, "self", **FULL_SELF)
    score(xihu_user, xihu, "self", **FULL_SELF)
    round_ = round_services.take_action(world.admin, round_, "start_scoring")
    one, two = [r.user for r in round_.raters.order_by("pk")]
    score(one, hubin, "expert", A1_1="20", A1_2="B", A2_1="yes", A2_2="30", V1="yes")
    score(two, hubin, "expert", A1_1="24", A1_2="C", A2_1="no", A2_2="34", V1="yes")
    for rater in (one, two):
        score(rater, xihu, "expert", A1_1="28", A1_2="A", A2_1="yes", A2_2="38", V1="no")
    round_ = round_services.take_action(world.admin, round_, "start_review")
    findings_before = Finding.objects.unscoped().count()
    round_ = round_services.take_action(world.admin, round_, "publish")
    hubin, xihu = target_of(round_, world.school), target_of(round_, world.zone_school)
    assert hubin.total == Decimal("83.80") and hubin.max_total == Decimal(100)
    assert (hubin.grade, hubin.vetoed, hubin.passed) == ("良好", False, True)
    assert hubin.scores == {
        "A1": "41.60",
        "A1.1": "25.20",
        "A1.2": "16.40",
        "A2": "42.20",
        "A2.1": "7.00",
        "A2.2": "35.20",
        "V1": "0.00",
    } or {k: Decimal(v) for k, v in hubin.scores.items()} == {
        "A1": Decimal("41.6"),
        "A1.1": Decimal("25.2"),
        "A1.2": Decimal("16.4"),
        "A2": Decimal("42.2"),
        "A2.1": Decimal(7),
        "A2.2": Decimal("35.2"),
        "V1": Decimal(0),
    }
    assert xihu.total == Decimal("97.60")
    assert (xihu.grade, xihu.vetoed, xihu.passed) == ("不合格", True, False)
    new = Finding.objects.unscoped().filter(school=world.zone_school)
    assert Finding.objects.unscoped().count() == findings_before + 1 and new.count() == 1
    assert "V1" in new.get().description and round_.title in new.get().description


def test_a_pass_grade_above_the_lowest_sends_the_others_to_rectification(world):
    round_ = build_round(world, stage=Stage.SELF_ASSESSMENT, pass_grade="优秀")
    hubin = target_of(round_, world.school)
    score(world.school_user, hubin, "self", A1_1="25", A1_2="B", A2_1="yes", A2_2="35", V1="yes")
    for action in ("start_scoring", "start_review", "publish"):
        round_ = round_services.take_action(world.admin, round_, action)
    hubin = target_of(round_, world.school)
    assert hubin.grade == "良好" and hubin.passed is False  # 86 < 90
    assert Finding.objects.unscoped().filter(school=world.school).count() == 1


def test_own_indicators_add_to_the_target_s_maximum(world):
    """合格+订单: 湖滨小学 adds B1 (10 points) from its three-year plan."""
    round_ = build_round(world, own_indicators=True, stage=Stage.SELF_ASSESSMENT)
    hubin = target_of(round_, world.school)
    round_services.set_own_indicators(
        world.school_user, hubin, [{"code": "B1", "title": "阅读特色", "max_score": "10"}]
    )
    score(world.school_user, hubin, "self", **FULL_SELF, B1="8")
    results = round_services.compute_results(round_)
    assert results[hubin.pk].max == Decimal(110) and results[hubin.pk].total == Decimal(108)
    with pytest.raises(DomainError):
        round_services.set_own_indicators(
            world.school_user, hubin, [{"code": "A1.1", "title": "x", "max_score": "5"}]
        )


def test_a_group_without_a_weight_is_read_but_not_counted(world):
    round_ = build_round(world, stage=Stage.SELF_ASSESSMENT, weights={"expert": "1"})
    hubin = target_of(round_, world.school)
    score(world.school_user, hubin, "self", **FULL_SELF)
    round_ = round_services.take_action(world.admin, round_, "start_scoring")
    one = round_.raters.order_by("pk").first().user
    score(one, hubin, "expert", A1_1="15", A1_2="C", A2_1="no", A2_2="20", V1="yes")
    result = round_services.compute_results(round_)[hubin.pk]
    assert result.total == Decimal(47)  # 15 + 12 + 0 + 20: the experts' alone
    assert result.by_group["self"]["A1.1"] == Decimal(30)
