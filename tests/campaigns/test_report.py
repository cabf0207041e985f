"""The campaign report and bulletin (issue 12 §6): the four sections and the figures of
hand-computed results, the office's own words (edited, emptied back to the draft), the
bulletin's 文号, title, 主送 and 落款, LibreOffice and PDF rendering, who may read and write,
and a bounded number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from dudao.campaigns import checks, report
from dudao.campaigns.models import Campaign, CampaignReportText, CampaignTarget
from dudao.core.errors import DomainError, NotPermitted, StaleObject
from dudao.reports import exporter
from dudao.reports.exporter import long_date
from tests.factories import SchoolFactory
from tests.reports.helpers import body, docx_text

from .conftest import build_campaign, png_upload, set_status

Section = CampaignReportText.Section
HEADINGS = ("一、基本情况", "二、工作亮点", "三、存在问题", "四、督导建议")


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
def closed(world, running_campaign, other_inspector_user):
    """The three schools checked as in test_results.py, then the campaign closed. By hand:
    1.1 2/3 (zone_school fails), 1.2 1/3 (zone_school, far_school), 1.3 2/3 (zone_school),
    2.1 2/3 (school), 2.2 not assessed, 2.3 0/1 (far_school)."""
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
    Campaign.objects.unscoped().filter(pk=cw.campaign.pk).update(legal_basis="临教督〔2026〕5号")
    set_status(cw.campaign, Campaign.Status.CLOSED)
    return cw


def _download(client, user, name, campaign, fmt="docx", **query):
    client.force_login(user)
    response = client.get(reverse(f"campaigns:{name}", args=[campaign.pk, fmt]), query)
    assert response.status_code == 200, response.status_code
    return body(response)


def test_report_holds_the_four_sections_and_the_figures(world, client, closed):
    built = exporter.build("campaign_report", world.admin, closed.campaign.pk)
    assert built.figures["below"] == {
        "1.1": ("66.7%", 1),
        "1.2": ("33.3%", 2),
        "1.3": ("66.7%", 1),
        "2.1": ("66.7%", 1),
        "2.3": ("0.0%", 1),
    }
    assert (built.figures["schools"], built.figures["checked"]) == (3, 3)
    assert (built.figures["teams"], built.figures["inspectors"]) == (2, 2)
    text = docx_text(_download(client, world.admin, "report_file", closed.campaign))
    positions = [text.index(heading) for heading in HEADINGS]
    assert positions == sorted(positions)
    basic, highlights, problems, suggestions = (
        text[a:b] for a, b in zip(positions, [*positions[1:], len(text)], strict=True)
    )
    assert "临教督〔2026〕5号" in basic and closed.campaign.title in basic
    assert long_date(closed.campaign.starts_on) in basic
    assert "作业分层设计有特色" in highlights  # a note beside a compliant answer
    # per item below 100 %: the rate, the count and the schools; the problem noted
    assert "33.3%" in problems and "0.0%" in problems
    assert world.zone_school.name in problems and world.far_school.name in problems
    assert "上午门卫不在岗" in problems
    assert "门卫值守情况" in suggestions  # the draft names the items below the standard
    # the annex, per school: compliant / assessed items and the failed items
    for outcome in ("3/4", "1/4", "1.1、1.2、1.3", "3/5", "1.2、2.3"):
        assert outcome in suggestions, outcome


def test_random_draw_is_described(world, closed):
    Campaign.objects.unscoped().filter(pk=closed.campaign.pk).update(
        target_rule="random", draw_seed="20261201-abc", draw_method="按学段分层抽取3所"
    )
    built = exporter.build("campaign_report", world.admin, closed.campaign.pk)
    basic = " ".join(built.sections[0].paragraphs)
    assert "20261201-abc" in basic and "双随机" in basic
    assert "按学段分层抽取3所" not in basic  # the method in full is on the public page


def test_edited_text_replaces_the_draft_and_emptied_brings_it_back(world, client, closed):
    campaign = closed.campaign
    row = report.save_report_text(world.admin, campaign, Section.HIGHLIGHTS, "各校落实到位", 0)
    assert row.version == 1
    text = docx_text(_download(client, world.admin, "report_file", campaign))
    assert "各校落实到位" in text and "作业分层设计有特色" not in text
    # the figures of 三、存在问题 stay whatever the office writes beside them
    report.save_report_text(world.admin, campaign, Section.PROBLEMS, "个别学校安全意识不强")
    text = docx_text(_download(client, world.admin, "report_file", campaign))
    assert "个别学校安全意识不强" in text and "33.3%" in text and "上午门卫不在岗" not in text
    # emptied: the draft again (through the page, as the office does it)
    client.force_login(world.admin)
    url = reverse("campaigns:report_text", args=[campaign.pk])
    response = client.post(
        url,
        {
            "section": "highlights",
            "highlights-section": "highlights",
            "highlights-text": "",
            "highlights-version": 1,
        },
    )
    assert response.status_code == 302
    text = docx_text(_download(client, world.admin, "report_file", campaign))
    assert "各校落实到位" not in text and "作业分层设计有特色" in text
    assert CampaignReportText.objects.get(campaign=campaign, section="highlights").text == ""


def test_page_is_prefilled_with_the_draft_and_saving_it_unchanged_keeps_the_draft(
    world, client, closed
):
    client.force_login(world.admin)
    url = reverse("campaigns:report_text", args=[closed.campaign.pk])
    page = client.get(url).content.decode()
    assert "作业分层设计有特色" in page and "上午门卫不在岗" in page
    draft = report.report_matter(world.admin, closed.campaign.pk)["words"]["suggestions"]["draft"]
    response = client.post(
        url,
        {
            "section": "suggestions",
            "suggestions-section": "suggestions",
            "suggestions-text": draft,
            "suggestions-version": 0,
        },
    )
    assert response.status_code == 302
    assert CampaignReportText.objects.get(section="suggestions").text == ""
    # a stale version is refused on the page, nothing written
    report.save_report_text(world.admin, closed.campaign, Section.SUGGESTIONS, "加强督导")
    response = client.post(
        url,
        {
            "section": "suggestions",
            "suggestions-section": "suggestions",
            "suggestions-text": "别的建议",
            "suggestions-version": 0,
        },
    )
    assert response.status_code == 200
    assert CampaignReportText.objects.get(section="suggestions").text == "加强督导"


def test_save_checks_version_author_and_status(world, closed):
    campaign = closed.campaign
    report.save_report_text(world.admin, campaign, Section.SUGGESTIONS, "一", 0)
    with pytest.raises(StaleObject):
        report.save_report_text(world.admin, campaign, Section.SUGGESTIONS, "二", 0)
    for user in (world.viewer, world.inspector_user, world.other_admin):
        with pytest.raises(NotPermitted):
            report.save_report_text(user, campaign, Section.SUGGESTIONS, "三")
    assert CampaignReportText.objects.get(section="suggestions").text == "一"
    running = build_campaign(world, title="开学工作专项督导").campaign
    with pytest.raises(DomainError):
        report.save_report_text(world.admin, running, Section.SUGGESTIONS, "四")
    assert not CampaignReportText.objects.filter(campaign=running).exists()


def test_bulletin_holds_number_title_recipient_and_signature(world, client, closed):
    campaign = closed.campaign
    content = _download(client, world.admin, "bulletin_file", campaign, number="临教督〔2026〕9号")
    text = docx_text(content)
    with translation.override("zh-hans"):
        title = _("Bulletin on %(campaign)s") % {"campaign": campaign.title}
        recipient = _("All schools and kindergartens")
    assert "临教督〔2026〕9号" in text
    assert title in text and f"{recipient}：" in text
    assert text.count(world.office.name) >= 2  # the masthead and the signature
    assert long_date(campaign.ends_on) in text  # closed by hand: the campaign's last day
    assert all(heading in text for heading in HEADINGS)
    # without a number: the campaign's legal basis
    text = docx_text(_download(client, world.admin, "bulletin_file", campaign))
    assert "临教督〔2026〕5号" in text


def test_report_renders_in_libreoffice(world, client, closed, tmp_path):
    from tests.libreoffice import rendered, squeezed

    content = _download(client, world.admin, "report_file", closed.campaign)
    page = rendered(content, tmp_path, "campaign_report")
    assert page.is_a4_portrait
    text = squeezed(page.text)
    for expected in (*HEADINGS, "33.3%", world.far_school.name):
        assert squeezed(expected) in text, expected


def test_bulletin_renders_in_libreoffice(world, client, closed, tmp_path):
    from tests.libreoffice import rendered, squeezed

    content = _download(
        client, world.admin, "bulletin_file", closed.campaign, number="X〔2026〕1号"
    )
    page = rendered(content, tmp_path, "campaign_bulletin")
    assert page.is_a4_portrait
    assert squeezed("X〔2026〕1号") in squeezed(page.text)


@pytest.mark.parametrize("name", ["report_file", "bulletin_file"])
def test_pdf_builds(world, client, closed, name):
    content = _download(client, world.admin, name, closed.campaign, fmt="pdf")
    assert content.startswith(b"%PDF")


def test_who_reads_and_who_writes(world, client, closed):
    pk = closed.campaign.pk
    docx = reverse("campaigns:report_file", args=[pk, "docx"])
    text_page = reverse("campaigns:report_text", args=[pk])
    expected = {
        world.admin: (200, 200),
        world.viewer: (200, 403),
        world.inspector_user: (403, 403),
        world.zone_leader: (403, 403),
        world.school_user: (403, 403),
        world.other_admin: (404, 404),
    }
    for user, (read, write) in expected.items():
        client.force_login(user)
        assert client.get(docx).status_code == read, user
        assert client.get(text_page).status_code == write, user
    # an unknown format, a campaign not yet closed
    client.force_login(world.admin)
    assert client.get(reverse("campaigns:report_file", args=[pk, "xlsx"])).status_code == 404
    running = build_campaign(world, title="开学工作专项督导").campaign.pk
    assert client.get(reverse("campaigns:report_file", args=[running, "docx"])).status_code == 404
    assert client.get(reverse("campaigns:report_text", args=[running])).status_code == 404


def test_results_page_links_the_documents(world, client, closed):
    client.force_login(world.admin)
    page = client.get(reverse("campaigns:results", args=[closed.campaign.pk])).content.decode()
    assert reverse("campaigns:report_file", args=[closed.campaign.pk, "docx"]) in page
    assert reverse("campaigns:report_text", args=[closed.campaign.pk]) in page
    client.force_login(world.viewer)
    page = client.get(reverse("campaigns:results", args=[closed.campaign.pk])).content.decode()
    assert reverse("campaigns:report_text", args=[closed.campaign.pk]) not in page


def test_query_count_does_not_grow_with_schools(world, closed):
    def count():
        with CaptureQueriesContext(connection) as queries:
            exporter.build("campaign_report", world.admin, closed.campaign.pk)
        return len(queries)

    before = count()
    for position in range(4, 8):
        CampaignTarget.objects.unscoped().create(
            campaign=closed.campaign,
            office=world.office,
            school=SchoolFactory(office=world.office),
            team=closed.team2,
            position=position,
        )
    assert count() == before <= 15
