"""The monthly reports' own words (docs/rules.md §14): the highlights (二、工作亮点) and the
supervision suggestions (四、督导建议) are drafted from the records and edited before download,
on the reports page, by the inspector themself or the office admin (the office's summary: the
office admin only). The saved text is what the document prints; emptied, the draft is back."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dudao.audit.models import AuditEntry
from dudao.core.errors import StaleObject
from dudao.core.guards import SYSTEM
from dudao.reports import exporter, services
from dudao.reports.models import MonthlyReportText
from tests.core.test_guards import assert_refused
from tests.factories_supervision import VisitFactory, at

from .helpers import docx_text
from .test_monthly import day, get, inspector_url, office_url, period

HIGHLIGHTS = "湖滨小学课后服务形式多样，学生参与率高。\n西湖小学作业公示制度落实到位。"
SUGGESTIONS = "加强作业管理。"


def inspector_text_url(world, inspector=None):
    return reverse("reports:inspector_text", args=[(inspector or world.inspector).pk, *period()])


def office_text_url():
    return reverse("reports:office_text", args=[*period()])


@pytest.fixture
def visited(world):
    """A visit of the month with feedback: the draft's one line."""
    VisitFactory(
        school=world.school,
        inspector=world.inspector,
        created_by=world.inspector_user,
        visited_at=at(day(5)),
        feedback="校园安全管理规范。其余略。",
    )


def post(client, url, version=0, highlights=HIGHLIGHTS, suggestions=SUGGESTIONS, **headers):
    return client.post(
        url,
        {"highlights": highlights, "suggestions": suggestions, "version": version},
        **headers,
    )


def rows():
    return MonthlyReportText.objects.unscoped()


# --- the page ----------------------------------------------------------------------------------


def test_the_page_shows_the_draft_until_a_text_is_saved(world, client, visited):
    client.force_login(world.inspector_user)
    page = client.get(inspector_text_url(world)).content.decode()
    assert "校园安全管理规范。" in page and "其余略" not in page
    assert 'name="version" value="0"' in page


def test_the_inspector_saves_their_own_words_and_the_document_prints_them(world, client, visited):
    client.force_login(world.inspector_user)
    response = post(client, inspector_text_url(world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("reports:index"))
    row = rows().get()
    assert (row.office_id, row.inspector_id, (row.year, row.month)) == (
        world.office.pk,
        world.inspector.pk,
        period(),
    )
    assert row.updated_by == world.inspector_user
    entry = AuditEntry.objects.unscoped().get(target_id=str(row.pk), action="create")
    assert entry.office_id == world.office.pk

    text = docx_text(get(client, inspector_url(world)))
    assert "湖滨小学课后服务形式多样，学生参与率高。" in text
    assert "西湖小学作业公示制度落实到位。" in text  # one paragraph a line
    assert "加强作业管理。" in text
    assert "校园安全管理规范。" not in text  # the draft is replaced

    # The office admin and the zone leader read the same words.
    for reader in (world.admin, world.zone_leader):
        report = exporter.build("inspector_monthly", reader, world.inspector, *period())
        assert report.sections[1].paragraphs == HIGHLIGHTS.splitlines()
        assert report.sections[3].paragraphs == [SUGGESTIONS]


def test_emptied_the_draft_is_back(world, client, visited):
    client.force_login(world.admin)
    post(client, inspector_text_url(world))
    version = rows().get().version
    post(client, inspector_text_url(world), version=version, highlights="", suggestions="")
    row = rows().get()
    assert (row.highlights, row.suggestions, row.version) == ("", "", version + 1)
    assert AuditEntry.objects.unscoped().filter(target_id=str(row.pk), action="update").exists()
    report = exporter.build("inspector_monthly", world.admin, world.inspector, *period())
    assert any("校园安全管理规范。" in line for line in report.sections[1].paragraphs)
    assert report.sections[3].paragraphs == report.figures["drafts"]["suggestions"].splitlines()


def test_the_office_admin_edits_the_summary(world, client, visited):
    client.force_login(world.admin)
    page = client.get(office_text_url()).content.decode()
    assert "校园安全管理规范。" in page
    assert post(client, office_text_url()).status_code == 302
    row = rows().get()
    assert (row.office_id, row.inspector_id) == (world.office.pk, None)
    text = docx_text(get(client, office_url()))
    assert "西湖小学作业公示制度落实到位。" in text
    # the inspector's report keeps its own draft
    report = exporter.build("inspector_monthly", world.admin, world.inspector, *period())
    assert report.figures["text"]["version"] is None
    # the viewer reads the office's words; the other county has its own summary
    viewer = exporter.build("office_monthly", world.viewer, world.office, *period())
    assert viewer.sections[1].paragraphs == HIGHLIGHTS.splitlines()
    other = exporter.build("office_monthly", world.other_admin, world.other_office, *period())
    assert other.figures["text"]["version"] is None


def test_a_save_over_someone_elses_newer_text_is_refused(world, client, visited):
    client.force_login(world.admin)
    post(client, inspector_text_url(world))
    client.force_login(world.inspector_user)
    response = post(client, inspector_text_url(world), version=0, highlights="晚到的文字")
    assert response.status_code == 200  # the form again, with the error
    assert rows().get().highlights == HIGHLIGHTS
    with pytest.raises(StaleObject):
        services.save_report_text(
            world.inspector_user,
            office=world.office,
            inspector=world.inspector,
            year=period()[0],
            month=period()[1],
            highlights="晚到的文字",
            expected_version=0,
        )


def test_an_empty_post_changes_nothing(world, client):
    client.force_login(world.admin)
    assert client.post(office_text_url(), {}).status_code == 200
    assert not rows().exists()


def test_htmx_gets_and_posts_the_partial(world, client, visited):
    client.force_login(world.admin)
    htmx = {"HTTP_HX_REQUEST": "true"}
    page = client.get(inspector_text_url(world), **htmx).content.decode()
    assert "<html" not in page and f'id="report-text-{world.inspector.pk}"' in page
    response = post(client, inspector_text_url(world), **htmx)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and 'name="version" value="1"' in html
    assert rows().get().highlights == HIGHLIGHTS


# --- who may edit ------------------------------------------------------------------------------


def test_out_of_scope_is_not_found(world, client):
    """Another county's admin does not find county A's inspector, nor an inspector a
    colleague's: 404 for the page and the save, and nothing is written."""
    for user, inspector in (
        (world.other_admin, world.inspector),
        (world.inspector_user, world.other_inspector),
        (world.admin, world.foreign_inspector),
    ):
        client.force_login(user)
        url = inspector_text_url(world, inspector)
        assert client.get(url).status_code == 404
        assert post(client, url).status_code == 404
    assert not rows().exists()


def test_readers_who_may_not_write_are_refused(world, client):
    cases = [
        (world.zone_leader, inspector_text_url(world)),  # reads the report, does not write it
        (world.viewer, inspector_text_url(world)),
        (world.superuser, inspector_text_url(world)),
        (world.school_user, inspector_text_url(world)),
        (world.inspector_user, office_text_url()),
        (world.viewer, office_text_url()),
        (world.superuser, office_text_url()),
    ]
    for user, url in cases:
        client.force_login(user)
        assert client.get(url).status_code == 403, (user, url)
        assert post(client, url).status_code == 403, (user, url)
    assert not rows().exists()


def save(world, inspector=None, office=None):
    def call(actor):
        return services.save_report_text(
            actor,
            office=office or world.office,
            inspector=inspector,
            year=period()[0],
            month=period()[1],
            highlights=HIGHLIGHTS,
        )

    return call


@pytest.mark.parametrize("persona", ["zone_leader", "school", "viewer", "other_admin", "superuser"])
def test_the_service_refuses_everyone_but_the_inspector_and_the_office_admin(world, persona):
    assert_refused(save(world, inspector=world.inspector), world.personas()[persona])


@pytest.mark.parametrize(
    "persona", ["inspector", "zone_leader", "school", "viewer", "other_admin", "superuser"]
)
def test_only_the_office_admin_writes_the_summary(world, persona):
    assert_refused(save(world), world.personas()[persona])


def test_the_system_writes_no_report(world):
    assert_refused(save(world), SYSTEM)
    assert_refused(save(world, inspector=world.inspector), SYSTEM)


def test_the_other_countys_admin_writes_its_own_summary_only(world):
    row = save(world, office=world.other_office)(world.other_admin)
    assert row.office_id == world.other_office.pk
    assert_refused(save(world, office=world.office), world.other_admin)


# --- the reports page -------------------------------------------------------------------------


def test_the_reports_page_offers_the_edits_each_may_make(world, client):
    edit = "Edit highlights"
    index = f"{reverse('reports:index')}?month={period()[0]:04d}-{period()[1]:02d}"
    client.force_login(world.admin)
    page = client.get(index, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert office_text_url() in page and inspector_text_url(world) in page
    assert inspector_text_url(world, world.other_inspector) in page
    client.force_login(world.inspector_user)
    page = client.get(index).content.decode()
    assert inspector_text_url(world) in page and office_text_url() not in page
    client.force_login(world.zone_leader)
    page = client.get(index).content.decode()
    assert inspector_text_url(world) not in page  # another inspector's report
    client.force_login(world.viewer)
    page = client.get(index).content.decode()
    assert "/text/" not in page and edit not in page


def test_the_editing_page_runs_a_fixed_number_of_queries(world, client, visited):
    client.force_login(world.admin)
    url = inspector_text_url(world)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(6, 12):
        VisitFactory(
            school=world.school,
            inspector=world.inspector,
            created_by=world.inspector_user,
            visited_at=at(day(n)),
            feedback=f"第{n}次反馈。",
        )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
