"""The round's results page reads a published round's results stored on each target at
publication (no engine run per request); before publication it scores live. The stored and
the live results agree, and the published page reads a fixed number of queries whatever the
number of targets, none of them on the scores."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from dudao.evaluations import round_services
from dudao.evaluations.models import Round, RoundTarget
from tests.factories import SchoolFactory

from .test_round_views import html_of, scored_round

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def ranking_of(page: str) -> list[tuple[str, str]]:
    """(school name, total) in the ranking's order."""
    table = page.split('data-testid="ranking"')[1].split("</table>")[0]
    rows = []
    for row in table.split("<tr")[1:]:
        name = re.search(r"(湖滨小学|西湖小学|新校\d)", row)
        total = re.search(r"\b(\d+\.\d\d)\b", row)
        if name and total:
            rows.append((name.group(1), total.group(1)))
    return rows


def test_stored_and_live_results_agree(world, login):
    round_ = scored_round(world)
    live = round_services.compute_results(round_)
    client = login(world.admin)
    url = reverse("evaluations:round_results", args=[round_.pk])
    before = ranking_of(html_of(client.get(url)))
    round_services.take_action(world.admin, round_, "publish")
    round_ = Round.objects.unscoped().get(pk=round_.pk)
    assert round_.stage == Round.Stage.PUBLISHED
    for target in RoundTarget.objects.unscoped().filter(round=round_):
        result = live[target.pk]
        assert target.total == result.total and target.max_total == result.max
        assert target.grade == result.grade and target.vetoed == result.vetoed
        assert target.passed == round_services.passes(round_, result)
        assert {c: Decimal(v) for c, v in target.scores.items()} == result.indicators
    after = ranking_of(html_of(client.get(url)))
    assert after == before and after[0] == ("湖滨小学", "83.80")


def test_the_published_page_runs_no_engine_and_reads_no_scores(
    world, login, monkeypatch, django_assert_max_num_queries
):
    round_ = scored_round(world)
    round_services.take_action(world.admin, round_, "publish")
    client = login(world.admin)
    url = reverse("evaluations:round_results", args=[round_.pk])
    client.get(url)

    def refuse(*args, **kwargs):
        raise AssertionError("the engine ran for a published round")

    monkeypatch.setattr(round_services, "compute_results", refuse)
    with django_assert_max_num_queries(20) as few:
        assert client.get(url).status_code == 200
    assert not [q for q in few.captured_queries if "evaluations_score" in q["sql"]]
    for n in range(6):
        school = SchoolFactory(office=world.office, name=f"新校{n}")
        RoundTarget.all_objects.create(
            round=round_,
            office=world.office,
            school=school,
            position=10 + n,
            total=Decimal(60 + n),
            max_total=Decimal(100),
            grade="合格",
            passed=True,
            scores={"A1": "30.00", "A2": f"{30 + n}.00"},
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = html_of(client.get(url))
    names = [name for name, _total in ranking_of(page)]
    assert names[:2] == ["湖滨小学", "新校5"] and len(names) == 8
    assert ("新校0", "60.00") in ranking_of(page)
