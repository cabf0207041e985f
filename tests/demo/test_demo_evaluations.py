"""The demo's evaluation rounds (`seed_demo`, step "evaluations", issue 13): a finished round
on the 2021 framework with a school below 合格 in the ledger, a 1000-point round in expert
scoring, and a published township round (目标管理) — built by the services under the simulated
clock, deterministic, nothing dated at or after today. The registry and the campaigns step are
built first (the supervision history is not needed here), then the step, once per module and
day."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import translation

from dudao.accounts import scoping
from dudao.accounts.models import Role, User
from dudao.demo import evaluations as demo
from dudao.demo import generator
from dudao.demo import school_calendar as cal
from dudao.evaluations import access, round_services, shipped
from dudao.evaluations.framework_services import spec_of
from dudao.evaluations.models import (
    Evidence,
    Rater,
    RaterGroup,
    Round,
    RoundEvent,
    RoundTarget,
    Score,
)
from dudao.inspectors.queries import barred_pairs
from dudao.organisations.models import GovernmentUnit, Office
from dudao.rectification.models import Finding, FindingEvent
from dudao.schools.models import SchoolType
from tests.clock import SHANGHAI, TODAYS

from .conftest import shared_build

SCHOOLS = 40
DAYS = {name: TODAYS[name] for name in ("first-of-month", "new-year", "summer-holiday")}
Stage = Round.Stage

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-evaluations")]


def build_step(ctx) -> None:
    """The step as `DemoBuilder.build` runs it (in the product's language)."""
    with translation.override(settings.LANGUAGE_CODE):
        demo.build_evaluations(ctx)


@pytest.fixture(scope="module", params=list(DAYS.values()), ids=list(DAYS))
def demo_day(request):
    return request.param


@pytest.fixture
def clock_now(demo_day):
    """The tests run on the day the demo was built."""
    return demo_day


@pytest.fixture(scope="module")
def built(demo_day, django_db_setup, django_db_blocker, demo_media):
    with shared_build(demo_day, demo_media, django_db_blocker):
        ctx = generator.DemoBuilder(
            seed=1, schools=SCHOOLS, skip=("supervision", "balance monitoring", "evaluations")
        ).build()
        build_step(ctx)
        yield ctx


@pytest.fixture
def office(built):
    return Office.objects.get(region__code=generator.MAIN_COUNTY.code)


def round_of(office, key: str) -> Round:
    return Round.objects.unscoped().get(office=office, framework__key=key)


@pytest.fixture
def finished(office):
    return round_of(office, shipped.COMPULSORY_QUALITY)


@pytest.fixture
def scoring(office):
    return round_of(office, shipped.SCHOOL_1000)


@pytest.fixture
def township(office):
    return round_of(office, shipped.TOWNSHIP_TARGETS)


def midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=SHANGHAI)


def targets_of(round_):
    return list(
        RoundTarget.objects.unscoped()
        .filter(round=round_)
        .select_related("school", "unit")
        .order_by("position")
    )


def actions_of(round_) -> list[str]:
    rows = RoundEvent.objects.filter(round=round_).order_by("at", "pk")
    return [a for a in rows.values_list("action", flat=True) if a not in ("raters_changed",)]


# ---- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize("today", [m.date() for m in TODAYS.values()])
def test_the_rounds_dates_fit_any_day(today):
    for dates in (demo.finished_dates(today), demo.township_dates(today)):
        days = [dates[k] for k in ("created", "opened", "self_due", "scoring", "expert_due")]
        assert days == sorted(days) and len(set(days)) == len(days)
        assert dates["scoring"] < dates["review"] <= dates["published"] < today
        assert dates["published"] <= dates["review_due"]
        assert all(cal.is_working_day(d) for d in days)
    assert demo.finished_dates(today)["created"].month == 4
    # The township round is on the calendar year before the one it runs in.
    township = demo.township_dates(today)
    assert township["created"].year == township["year"] + 1
    scoring = demo.scoring_dates(today)
    assert scoring["created"] < scoring["opened"] < scoring["self_due"] < scoring["scoring"]
    assert scoring["scoring"] < today < scoring["expert_due"] < scoring["review_due"]
    working = [
        scoring["scoring"] + datetime.timedelta(days=n)
        for n in range((today - scoring["scoring"]).days)
    ]
    assert sum(cal.is_working_day(d) for d in working) == demo.SCORING_BACK


def test_dates_of_the_default_demo():
    today = datetime.date(2026, 12, 1)
    assert demo.finished_dates(today)["year"] == 2026
    assert demo.township_dates(today)["year"] == 2025
    # In March the spring round of the year has not run yet: last year's.
    assert demo.finished_dates(datetime.date(2027, 3, 31))["year"] == 2026
    assert demo.township_dates(datetime.date(2027, 1, 1))["year"] == 2025


# ---- the finished round --------------------------------------------------------------------


def test_a_finished_round_on_ten_schools(built, finished):
    today = built.today
    assert finished.stage == Stage.PUBLISHED
    assert finished.framework.office_id is None  # the built-in revision
    assert finished.title == f"{finished.year}年义务教育学校办学质量督导评估"
    assert finished.year == demo.finished_dates(today)["year"]
    assert finished.weights == {"expert": "0.7", "self": "0.3"} and finished.grades == []
    assert finished.published_at < midnight(today)
    assert actions_of(finished) == [
        "created",
        "targets_changed",
        "open",
        "start_scoring",
        "start_review",
        "publish",
    ]
    targets = targets_of(finished)
    assert len(targets) == demo.FINISHED_SCHOOLS
    assert {t.school.type for t in targets} <= {SchoolType.PRIMARY, SchoolType.JUNIOR}
    # The `school` login's school takes part when it is a primary or junior school, and passes.
    login = User.objects.get(username="school")
    own = [t for t in targets if t.school_id == login.school_id]
    if login.school.type in (SchoolType.PRIMARY, SchoolType.JUNIOR):
        assert len(own) == 1 and own[0].passed


def test_the_schools_self_assess_with_evidence(finished):
    spec = spec_of(finished.framework)
    leaves = {leaf.code for leaf in spec.leaves}
    levels = []
    for target in targets_of(finished):
        assert target.self_submitted_at is not None and target.self_summary
        submitter = target.self_submitted_by
        assert submitter.role == Role.SCHOOL and submitter.school_id == target.school_id
        own = Score.objects.filter(target=target, group=RaterGroup.SELF)
        assert set(own.values_list("code", flat=True)) == leaves
        assert set(own.values_list("rater", flat=True)) == {submitter.pk}
        levels += list(own.values_list("value", flat=True))
        files = Evidence.objects.filter(target=target)
        assert files.count() == 2
        assert {f.content_type for f in files} == {"application/pdf", "image/png"}
        assert set(files.values_list("code", flat=True)) <= leaves
        assert all(f.created_at <= target.self_submitted_at for f in files)
    share = {v: levels.count(v) / len(levels) for v in set(levels)}
    assert share["A"] + share["B"] > 0.6 and 0 < share.get("C", 0) < 0.35  # mostly A/B


def test_three_to_five_experts_who_need_not_recuse_score_everything(finished):
    raters = list(Rater.objects.filter(round=finished).select_related("user"))
    assert 3 <= len(raters) <= 5
    assert {r.group for r in raters} == {RaterGroup.EXPERT}
    assert all(r.target_id is None and r.indicator_codes == [] for r in raters)
    targets = targets_of(finished)
    pairs = [(r.user.inspector_id, t.school_id) for r in raters for t in targets]
    assert all(r.user.inspector_id for r in raters)
    assert not barred_pairs(pairs)
    leaves = len(spec_of(finished.framework).leaves)
    for target in targets:
        for rater in raters:
            given = Score.objects.filter(target=target, rater=rater.user, group="expert")
            assert given.count() == leaves
        late = Score.objects.filter(target=target, updated_at__gte=finished.published_at)
        assert not late.exists()
    # The experts are a little stricter than the schools.
    results = round_services.compute_results(finished, targets).values()
    roots = [root.code for root in spec_of(finished.framework).roots]

    def total(group):
        return sum(r.by_group[group][code] for r in results for code in roots)

    assert total("expert") < total("self")


def test_the_stored_results_are_the_engine_s_and_spread_over_the_grades(finished):
    targets = targets_of(finished)
    fresh = round_services.compute_results(finished, targets)
    for target in targets:
        result = fresh[target.pk]
        assert (target.total, target.max_total, target.grade, target.vetoed) == (
            result.total,
            result.max,
            result.grade,
            result.vetoed,
        )
        assert {k: Decimal(v) for k, v in target.scores.items()} == result.indicators
        assert target.passed == (result.grade != "不合格")
        assert not result.missing
    grades = [t.grade for t in targets]
    assert {"优秀", "良好", "合格", "不合格"} <= set(grades)
    assert 1 <= grades.count("不合格") <= 2


def test_the_failing_schools_findings_are_in_the_ledger(built, finished):
    admin = User.objects.get(username="admin")
    ledger = scoping.findings_for(admin)
    for target in targets_of(finished):
        found = ledger.filter(school=target.school, description__contains=finished.title)
        if target.passed:
            assert not found.exists()
            continue
        finding = found.get()
        assert finding.found_on == finished.published_at.astimezone(SHANGHAI).date()
        assert finding.deadline == finding.found_on + datetime.timedelta(
            days=round_services.FINDING_DEADLINE_DAYS
        )
        assert str(target.total) in finding.description
        assert finding.created_at < midnight(built.today)
        events = FindingEvent.objects.filter(finding=finding, at__gte=midnight(built.today))
        assert not events.exists()
        # The school's account reads its published result.
        user = User.objects.filter(role=Role.SCHOOL, school=target.school).first()
        assert scoping.round_targets_for(user).filter(pk=target.pk).exists()


# ---- the round in expert scoring -------------------------------------------------------------


def test_a_round_in_expert_scoring_with_scores_missing(built, scoring):
    assert scoring.stage == Stage.EXPERT_SCORING and scoring.published_at is None
    assert scoring.expert_due > built.today
    assert actions_of(scoring)[-1] == "start_scoring"
    targets = targets_of(scoring)
    assert 6 <= len(targets) <= 8
    spec = spec_of(scoring.framework)
    leaves = {leaf.code for leaf in spec.leaves}
    for target in targets:
        assert target.self_submitted_at is not None and target.total is None
        assert target.self_submitted_by.school_id == target.school_id
        self_codes = Score.objects.filter(target=target, group="self").values_list(
            "code", flat=True
        )
        assert set(self_codes) == leaves
    raters = list(Rater.objects.filter(round=scoring).order_by("pk").select_related("user"))
    assert len(raters) == 3 and {r.group for r in raters} == {RaterGroup.EXPERT}
    assert raters[1].indicator_codes == demo.NARROW_CODES
    expert_scores = Score.objects.filter(target__round=scoring, group="expert")
    counts = [expert_scores.filter(rater=r.user).count() for r in raters]
    assert counts[0] == len(targets) * len(leaves)  # done
    assert 0 < counts[1] < counts[0] and 0 < counts[2] < len(leaves)  # begun
    narrow = {leaf.code for code in demo.NARROW_CODES for leaf in spec.walk(code) if leaf.is_leaf}
    assert set(expert_scores.filter(rater=raters[1].user).values_list("code", flat=True)) == (
        narrow
    )
    # The `inspector` login has its scoring to do, when it need not recuse.
    login = User.objects.get(username="inspector")
    pairs = [(login.inspector_id, t.school_id) for t in targets]
    if not barred_pairs(pairs):
        assert raters[2].user == login
    # Before publication a school reads only its own self-assessment.
    target = RoundTarget.objects.unscoped().select_related("round").get(pk=targets[0].pk)
    rows = list(Score.objects.filter(target=target))
    visible = access.visible_scores(target.self_submitted_by, target, rows)
    assert {s.group for s in visible} == {"self"} and len(visible) == len(leaves)


# ---- the township round ----------------------------------------------------------------------


def test_a_published_township_round(built, office, township):
    assert township.stage == Stage.PUBLISHED and township.published_at < midnight(built.today)
    assert township.year == demo.township_dates(built.today)["year"]
    assert township.weights == {"above": "0.5", "expert": "0.5"}
    units = GovernmentUnit.objects.unscoped().filter(
        office=office, kind=GovernmentUnit.Kind.TOWNSHIP
    )
    targets = targets_of(township)
    assert units.count() == len(built.main.townships) >= 1
    assert {t.unit_id for t in targets} == set(units.values_list("pk", flat=True))
    admin = User.objects.get(username="admin")
    raters = list(Rater.objects.filter(round=township).select_related("user"))
    above = [r.user for r in raters if r.group == RaterGroup.ABOVE]
    experts = [r.user for r in raters if r.group == RaterGroup.EXPERT]
    assert 2 <= len(above) <= 3 and len(experts) == 2
    assert User.objects.get(username="viewer") in above
    leaves = len(spec_of(township.framework).leaves)
    fresh = round_services.compute_results(township, targets)
    for target in targets:
        # The office self-assesses for a government unit.
        assert target.self_submitted_by == admin
        own = Score.objects.filter(target=target, group="self")
        assert own.count() == leaves and set(own.values_list("rater", flat=True)) == {admin.pk}
        for user in above + experts:
            assert Score.objects.filter(target=target, rater=user).count() == leaves
        assert (target.total, target.grade) == (fresh[target.pk].total, fresh[target.pk].grade)
        assert target.passed
    assert len({t.grade for t in targets}) >= 2


# ---- the whole step --------------------------------------------------------------------------


def test_nothing_is_dated_at_or_after_today(built, office):
    cutoff = midnight(built.today)
    rounds = Round.objects.unscoped().filter(office=office)
    assert rounds.count() == 3
    assert not rounds.filter(created_at__gte=cutoff).exists()
    assert not rounds.filter(published_at__gte=cutoff).exists()
    assert not RoundEvent.objects.filter(round__in=rounds, at__gte=cutoff).exists()
    targets = RoundTarget.objects.unscoped().filter(round__in=rounds)
    assert not targets.filter(self_submitted_at__gte=cutoff).exists()
    assert not Score.objects.filter(target__in=targets, updated_at__gte=cutoff).exists()
    assert not Evidence.objects.filter(target__in=targets, created_at__gte=cutoff).exists()
    evaluated = Finding.all_objects.filter(office=office, description__contains="评估")
    assert not evaluated.filter(created_at__gte=cutoff).exists()
    # Each round's history begins when it was created.
    for round_ in rounds:
        first = RoundEvent.objects.filter(round=round_).order_by("at", "pk").first()
        assert (first.action, first.at) == ("created", round_.created_at)


def test_the_step_is_deterministic(built, office):
    scope = generator.DemoScope.current()
    before = demo.evaluations_fingerprint(scope)
    totals = sorted(
        RoundTarget.objects.unscoped()
        .filter(office=office)
        .values_list("round__title", "school__code", "unit__name", "total", "grade")
        .order_by()
    )
    demo.reset_evaluations(scope)
    assert not Round.objects.unscoped().filter(office=office).exists()
    assert not GovernmentUnit.objects.unscoped().filter(office=office).exists()
    build_step(built)
    assert demo.evaluations_fingerprint(generator.DemoScope.current()) == before
    assert (
        sorted(
            RoundTarget.objects.unscoped()
            .filter(office=office)
            .values_list("round__title", "school__code", "unit__name", "total", "grade")
            .order_by()
        )
        == totals
    )


def test_reset_removes_the_rounds(built, office):
    demo.reset_evaluations(generator.DemoScope.current())
    for model in (Round, RoundTarget):
        assert not model.objects.unscoped().exists()
    assert not Score.objects.exists() and not Evidence.objects.exists()
    assert not Rater.objects.exists() and not RoundEvent.objects.exists()
