"""A campaign's results (issue 12 §5): compliance rates against hand-computed figures, the
non-compliant schools, the matrix, the notes, the XLSX, the query count, the school's page."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from dudao.accounts import scoping
from dudao.campaigns import checks, results
from dudao.campaigns.models import Campaign, CampaignTarget
from dudao.reports import exporter
from tests.factories import SchoolFactory

from .conftest import build_campaign, png_upload, set_status

Status = CampaignTarget.Status


def _submit(user, cw, name, values, notes="", notes_by_code=None):
    target = cw.targets[name]
    checks.add_evidence(user, target, cw.items["2.1"], png_upload(color=(len(name), 1, 1)))
    answers = {}
    for code, value in values.items():
        answers[cw.items[code].pk] = {"value": value}
        if notes_by_code and code in notes_by_code:
            answers[cw.items[code].pk]["note"] = notes_by_code[code]
    return checks.submit_target(user, target, answers, notes=notes)


@pytest.fixture
def checked(world, running_campaign, other_inspector_user):
    """The three schools checked (figures worked out by hand in the tests)."""
    cw = running_campaign
    _submit(
        world.inspector_user,
        cw,
        "school",
        {"1.1": "yes", "1.2": "好", "1.3": "45", "2.1": "无人值守", "2.2": "良好"},
        notes="课后服务内容丰富",
        notes_by_code={"1.2": "作业分层设计有特色", "2.1": "上午门卫不在岗"},
    )
    _submit(
        other_inspector_user,
        cw,
        "zone_school",
        {"1.1": "no", "1.2": "差", "1.3": "75", "2.1": "有人值守", "2.2": "无"},
    )
    _submit(
        world.inspector_user,
        cw,
        "far_school",
        {"1.1": "yes", "1.2": "一般", "1.3": "30", "2.1": "有人值守", "2.2": "无", "2.3": "no"},
    )
    return cw


def _row(data, code):
    return next(r for r in data["item_rows"] if r["item"].code == code)


def test_rates_overall_by_zone_and_by_type(world, checked):
    data = results.campaign_results(world.admin, checked.campaign)
    overall = {
        r["item"].code: r["overall"] and (r["overall"]["compliant"], r["overall"]["assessed"])
        for r in data["item_rows"]
    }
    assert overall == {
        "1.1": (2, 3),
        "1.2": (1, 3),
        "1.3": (2, 3),
        "2.1": (2, 3),
        "2.2": (0, 0),  # free text is never assessed
        "2.3": (0, 1),
    }
    assert _row(data, "1.1")["overall"]["percent"] == "66.7%"
    assert _row(data, "2.2")["overall"]["rate"] is None
    assert _row(data, "2.2")["overall"]["percent"] == "—"
    # zones: 第一责任区 (school, zone_school), then the schools without a zone (far_school)
    assert len(data["zones"]) == 2 and data["zones"][0] == "第一责任区"
    zone_rates = {
        r["item"].code: [c and (c["compliant"], c["assessed"]) for c in r["zones"]]
        for r in data["item_rows"]
    }
    assert zone_rates["1.1"] == [(1, 2), (1, 1)]
    assert zone_rates["1.2"] == [(1, 2), (0, 1)]
    assert zone_rates["2.3"] == [None, (0, 1)]
    # types: primary (school, zone_school), junior (far_school)
    assert len(data["types"]) == 2
    type_rates = {
        r["item"].code: [c and (c["compliant"], c["assessed"]) for c in r["types"]]
        for r in data["item_rows"]
    }
    assert type_rates["1.3"] == [(1, 2), (1, 1)]
    assert type_rates["2.1"] == [(1, 2), (1, 1)]
    assert type_rates["2.3"] == [None, (0, 1)]


def test_rate_is_none_without_assessed_answers():
    assert results.rate(0, 0) is None
    assert results.rate(1, 4) == 0.25
    assert results.percent(2 / 3) == "66.7%"


def test_non_compliant_schools_matrix_and_notes(world, checked):
    data = results.campaign_results(world.admin, checked.campaign)
    failing = {r["item"].code: [f["school"] for f in r["failing"]] for r in data["item_rows"]}
    assert failing == {
        "1.1": ["西湖小学"],
        "1.2": ["西湖小学", "城东中学"],
        "1.3": ["西湖小学"],
        "2.1": ["湖滨小学"],
        "2.2": [],
        "2.3": ["城东中学"],
    }
    matrix = {row["target"].school.name: row["cells"] for row in data["matrix"]}
    assert matrix == {
        "湖滨小学": ["✓", "✓", "✓", "✗", "—", "—"],
        "西湖小学": ["✗", "✗", "✗", "✓", "—", "—"],
        "城东中学": ["✓", "✗", "✓", "✓", "—", "✗"],
    }
    assert data["highlights"] == [
        {
            "school": "湖滨小学",
            "text": "作业分层设计有特色",
            "item_id": checked.items["1.2"].pk,
            "code": "1.2",
        }
    ]
    assert [(q["school"], q["text"], q["code"]) for q in data["problems"]] == [
        ("湖滨小学", "上午门卫不在岗", "2.1")
    ]
    assert data["notes"] == [{"school": "湖滨小学", "text": "课后服务内容丰富"}]


def test_progress_counts_every_target_figures_only_submitted(world, running_campaign):
    cw = running_campaign
    _submit(
        world.inspector_user,
        cw,
        "school",
        {"1.1": "no", "1.2": "好", "1.3": "45", "2.1": "有人值守", "2.2": "无"},
    )
    # a draft at far_school: in progress, not counted in the rates
    checks.save_answers(
        world.inspector_user, cw.targets["far_school"], {cw.items["1.1"].pk: {"value": "yes"}}
    )
    data = results.campaign_results(world.admin, cw.campaign)
    progress = {
        t["name"]: (t["pending"], t["in_progress"], t["submitted"], t["total"])
        for t in data["progress"]
    }
    assert progress == {"第一组": (0, 1, 1, 2), "第二组": (1, 0, 0, 1)}
    assert data["totals"] == {"pending": 1, "in_progress": 1, "submitted": 1, "total": 3}
    assert (
        _row(data, "1.1")["overall"]["compliant"],
        _row(data, "1.1")["overall"]["assessed"],
    ) == (0, 1)
    matrix = {row["target"].school.name: row["cells"] for row in data["matrix"]}
    assert matrix["城东中学"] == ["—"] * 6  # a draft shows nothing yet


def test_query_count_does_not_grow_with_targets(world, checked, django_assert_num_queries):
    def count():
        with CaptureQueriesContext(connection) as queries:
            results.campaign_results(world.admin, checked.campaign)
        return len(queries)

    before = count()
    for index in range(4):
        school = SchoolFactory(office=world.office, name=f"新校{index}", zone=world.zone)
        target = CampaignTarget.objects.unscoped().create(
            campaign=checked.campaign,
            office=world.office,
            school=school,
            team=checked.team1,
            position=10 + index,
        )
        checked.targets[f"new{index}"] = target
        _submit(
            world.inspector_user,
            checked,
            f"new{index}",
            {"1.1": "yes", "1.2": "好", "1.3": "1", "2.1": "有人值守", "2.2": "x"},
            notes_by_code={"1.1": "好"},
        )
    assert count() == before


def test_xlsx_export_holds_the_figures(world, checked):
    from dudao.campaigns import results as _registered  # noqa: F401  (registers the report)

    export = exporter.export("campaign_results", exporter.XLSX, world.admin, checked.campaign.pk)
    assert export.filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(export.content))
    texts = {
        str(cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    }
    assert {
        "66.7%",
        "33.3%",
        "0.0%",
        "湖滨小学",
        "西湖小学",
        "城东中学",
        "✓",
        "✗",
        "作业分层设计有特色",
    } <= texts
    assert len(book.worksheets) == 5
    report = exporter.build("campaign_results", world.admin, checked.campaign.pk)
    assert report.figures["submitted"] == 3
    assert report.figures["rates"]["1.1"] == pytest.approx(2 / 3)
    assert report.figures["rates"]["2.2"] is None


def test_xlsx_export_refuses_another_county(world, checked):
    from django.http import Http404

    with pytest.raises(Http404):
        exporter.build("campaign_results", world.other_admin, checked.campaign.pk)


# --- pages -------------------------------------------------------------------------------------


def test_results_page_and_download(world, checked, login):
    client = login(world.admin)
    page = client.get(reverse("campaigns:results", args=[checked.campaign.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "66.7%" in html and "作业分层设计有特色" in html and "上午门卫不在岗" in html
    download = client.get(reverse("campaigns:results_xlsx", args=[checked.campaign.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    viewer = login(world.viewer)
    assert viewer.get(reverse("campaigns:results", args=[checked.campaign.pk])).status_code == 200


def test_results_page_queries_are_bounded(world, checked, login, django_assert_max_num_queries):
    client = login(world.admin)
    url = reverse("campaigns:results", args=[checked.campaign.pk])
    client.get(url)
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200


def test_school_sees_its_result_only_once_published(world, checked, login):
    target = checked.targets["school"]
    client = login(world.school_user)
    url = reverse("campaigns:school_result", args=[target.pk])
    assert client.get(url).status_code == 404
    assert "双减专项督导" not in client.get(reverse("campaigns:school_results")).content.decode()
    set_status(checked.campaign, Campaign.Status.CLOSED)
    assert client.get(url).status_code == 404
    set_status(checked.campaign, Campaign.Status.PUBLISHED)
    page = client.get(url)
    assert page.status_code == 200
    assert "无人值守" in page.content.decode()
    assert "双减专项督导" in client.get(reverse("campaigns:school_results")).content.decode()
    # never another school's
    other = checked.targets["zone_school"]
    assert client.get(reverse("campaigns:school_result", args=[other.pk])).status_code == 404


def test_unannounced_campaign_hidden_from_the_school_until_checked(world, login):
    cw = build_campaign(world, unannounced=True, title="四不两直专项")
    target = cw.targets["school"]
    assert not scoping.campaign_targets_for(world.school_user).filter(pk=target.pk).exists()
    assert not scoping.campaigns_for(world.school_user).filter(pk=cw.campaign.pk).exists()
    visited = checks.mark_visited(world.inspector_user, target).visited_at
    assert scoping.campaign_targets_for(world.school_user).filter(pk=target.pk).exists()
    # a published unannounced campaign: the school's page only after its check
    other = build_campaign(world, unannounced=True, title="另一次四不两直")
    set_status(other.campaign, Campaign.Status.PUBLISHED)
    client = login(world.school_user)
    url = reverse("campaigns:school_result", args=[other.targets["school"].pk])
    assert client.get(url).status_code == 404
    CampaignTarget.objects.unscoped().filter(pk=other.targets["school"].pk).update(
        visited_at=visited
    )
    assert client.get(url).status_code == 200
