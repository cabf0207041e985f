"""The radar of a target's areas on its result page (issue 13 §6): the areas' percentages of
the result and of each rater group in the page's JSON (json_script, no inline script), the
same target's previous published round on the framework beside them, and the scripts the page
loads (the radar is in the ECharts build)."""

import datetime
import json
import re
from decimal import Decimal
from itertools import count
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from dudao.evaluations import round_services
from dudao.evaluations.models import Framework, Indicator, RoundTarget, TargetKind
from tests.evaluations.round_fixtures import expert

_keys = count(1)
VENDOR = Path(settings.BASE_DIR) / "dudao" / "static" / "vendor" / "echarts-5.6.0-dudao.min.js"
# Four areas (一级指标) of 25 points, one points leaf each: B1 … B4.
AREAS = [("B1", "办学方向"), ("B2", "课程教学"), ("B3", "教师发展"), ("B4", "学生发展")]


def four_areas(**fields) -> Framework:
    framework = Framework.all_objects.create(
        office=None,
        key=f"radar-{next(_keys)}",
        title="学校办学质量评价",
        kind=TargetKind.SCHOOL,
        status="published",
        total_max=Decimal(100),
        published_at=timezone.now(),
        **fields,
    )
    position = count(1)
    for code, title in AREAS:
        area = Indicator.objects.create(
            framework=framework,
            position=next(position),
            depth=0,
            code=code,
            title=title,
            max_score=Decimal(25),
        )
        Indicator.objects.create(
            framework=framework,
            parent=area,
            position=next(position),
            depth=1,
            code=f"{code}.1",
            title=f"{title}要点",
            max_score=Decimal(25),
            method="points",
        )
    return framework


def run_round(world, framework, year, self_scores, expert_scores, *, publish=True, codes=None):
    """A round of `year` on world.school: the school's self-assessment, one expert's scores
    (weights expert 0.6, self 0.4) on the areas' leaves (`codes`: the areas, B1 … B4 unless
    told), then review and, if asked, publication."""
    codes = codes or [code for code, _ in AREAS]
    today = timezone.localdate()
    round_ = round_services.create_round(
        world.admin,
        world.office,
        framework=framework,
        title=f"{year}年学校督导评估",
        year=year,
        self_due=today + datetime.timedelta(days=10),
        expert_due=today + datetime.timedelta(days=20),
        weights={"expert": "0.6", "self": "0.4"},
    )
    round_services.add_targets(world.admin, round_, schools=[world.school])
    rater = expert(world, f"radar-expert-{year}")
    round_services.add_rater(world.admin, round_, user=rater, group="expert")
    round_ = round_services.take_action(world.admin, round_, "open")
    target = RoundTarget.objects.unscoped().get(round=round_, school=world.school)

    def save(actor, group, values):
        round_services.save_scores(
            actor,
            target,
            {f"{code}.1": {"value": str(v)} for code, v in zip(codes, values, strict=True)},
            group=group,
        )

    save(world.school_user, "self", self_scores)
    round_ = round_services.take_action(world.admin, round_, "start_scoring")
    save(rater, "expert", expert_scores)
    round_ = round_services.take_action(world.admin, round_, "start_review")
    if publish:
        round_services.take_action(world.admin, round_, "publish")
    return RoundTarget.objects.unscoped().select_related("round").get(pk=target.pk)


def chart_data(page: str) -> dict:
    match = re.search(r'<script id="round-data" type="application/json">(.*?)</script>', page, re.S)
    assert match, "the page carries its chart data as json_script"
    return json.loads(match.group(1))


def test_the_radar_data_holds_each_area_s_percentage(world, login):
    # Self 25, 20, 15, 10; expert 20, 20, 20, 20 → result 0.4·self + 0.6·expert per area:
    # 22 (88 %), 20 (80 %), 18 (72 %), 16 (64 %).
    target = run_round(world, four_areas(), 2026, [25, 20, 15, 10], [20, 20, 20, 20])
    url = reverse("evaluations:round_target_result", args=[target.pk])
    page = login(world.school_user).get(url).content.decode()
    data = chart_data(page)
    assert data["areas"] == [f"{code} {title}" for code, title in AREAS]
    result, *groups = data["series"]
    assert result["values"] == [88.0, 80.0, 72.0, 64.0]
    by_values = sorted(g["values"] for g in groups)
    assert by_values == [[80.0, 80.0, 80.0, 80.0], [100.0, 80.0, 60.0, 40.0]]
    assert "previous" not in data  # its first round on this framework
    assert 'data-testid="radar"' in page and 'data-chart="areas"' in page


def test_the_radar_compares_with_the_previous_published_round(world, login):
    framework = four_areas()
    run_round(world, framework, 2024, [10, 10, 10, 10], [10, 10, 10, 10])
    run_round(world, framework, 2025, [20, 15, 10, 5], [20, 15, 10, 5])
    now = run_round(world, framework, 2026, [25, 20, 15, 10], [20, 20, 20, 20], publish=False)
    # The office reads the new round's provisional result beside last year's published one.
    data = chart_data(
        login(world.admin)
        .get(reverse("evaluations:round_target_result", args=[now.pk]))
        .content.decode()
    )
    assert data["series"][0]["values"] == [88.0, 80.0, 72.0, 64.0]
    previous = data["previous"]
    assert "2025年学校督导评估" in previous["name"] and "2025" in previous["name"]
    assert previous["values"] == [80.0, 60.0, 40.0, 20.0]  # the latest earlier round, not 2024


def test_an_area_the_previous_revision_lacked_is_left_empty(world, login):
    old = four_areas()
    run_round(world, old, 2025, [20, 20, 20, 20], [20, 20, 20, 20])
    # A new revision of the same framework (same key) whose fourth area has another code.
    new = four_areas()
    Framework.all_objects.filter(pk=new.pk).update(key=old.key, revision=old.revision + 1)
    Indicator.objects.filter(framework=new, code="B4").update(code="B5")
    Indicator.objects.filter(framework=new, code="B4.1").update(code="B5.1")
    new.refresh_from_db()
    codes = ["B1", "B2", "B3", "B5"]
    now = run_round(world, new, 2026, [25] * 4, [25] * 4, publish=False, codes=codes)
    data = chart_data(
        login(world.admin)
        .get(reverse("evaluations:round_target_result", args=[now.pk]))
        .content.decode()
    )
    assert data["areas"][-1] == "B5 学生发展"
    assert data["previous"]["values"] == [80.0, 80.0, 80.0, None]


def test_the_page_loads_the_radar_script_and_the_build_has_the_radar(world, login):
    target = run_round(world, four_areas(), 2026, [25, 20, 15, 10], [20, 20, 20, 20])
    page = (
        login(world.admin)
        .get(reverse("evaluations:round_target_result", args=[target.pk]))
        .content.decode()
    )
    assert "js/evaluations.js" in page and "vendor/echarts-5.6.0-dudao.min.js" in page
    assert "evaluations/rounds.js" not in page  # the ranking's bars only
    assert (Path(settings.BASE_DIR) / "dudao" / "static" / "js" / "evaluations.js").exists()
    # The radar series and its coordinate system are registered in the build (tools/echarts).
    library = VENDOR.read_text(encoding="utf-8")
    assert 'coordinateSystem:"radar"' in library and 'type="radar"' in library


def test_the_previous_round_costs_a_fixed_number_of_queries(
    world, login, django_assert_max_num_queries
):
    framework = four_areas()
    run_round(world, framework, 2025, [20, 15, 10, 5], [20, 15, 10, 5])
    now = run_round(world, framework, 2026, [25, 20, 15, 10], [20, 20, 20, 20])
    client = login(world.admin)
    url = reverse("evaluations:round_target_result", args=[now.pk])
    client.get(url)
    with django_assert_max_num_queries(27):
        assert client.get(url).status_code == 200
