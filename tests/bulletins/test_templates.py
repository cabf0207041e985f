"""The office's own Word templates for its documents (通报、通知、简报): each kind of bulletin
is a `ReportKind` with a bundled GB/T 9704 default, uploaded, downloaded and reset on the
reports page like every other template (docs/architecture.md §6); the document of a kind is
rendered with the office's template of that kind, and other offices and kinds keep theirs."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from dudao.bulletins import document
from dudao.bulletins.models import Kind
from dudao.reports import exporter
from dudao.reports.models import ReportKind, ReportTemplate
from tests.reports.helpers import body, docx_text

from .conftest import publish

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HOUSE = "上城区教育督导室专用版式"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def house_template(marker=HOUSE) -> bytes:
    """The bundled default with a line of the office's own above the title (what an office
    does in Word: edit a copy, keep the tags)."""
    bundled = Document(exporter.default_template_path(ReportKind.BULLETIN))
    bundled.paragraphs[0].insert_paragraph_before(marker)
    out = io.BytesIO()
    bundled.save(out)
    return out.getvalue()


def upload(client, kind, content):
    return client.post(
        reverse("reports:template_upload", args=[kind]),
        {"file": SimpleUploadedFile("模板.docx", content, content_type=DOCX_TYPE)},
        follow=True,
    )


def word(client, bulletin) -> str:
    return docx_text(body(client.get(reverse("bulletins:document", args=[bulletin.pk, "docx"]))))


def test_every_kind_has_a_template_kind_with_a_bundled_default():
    assert set(document.TEMPLATE_KINDS) == set(Kind.values)
    for kind, template_kind in document.TEMPLATE_KINDS.items():
        assert template_kind in ReportKind.values
        assert exporter.default_template_path(template_kind).exists()
        entry = exporter.REGISTRY[document.NAMES[kind]]
        assert entry.template_kind == template_kind and entry.for_user


def test_the_reports_page_offers_the_bulletin_templates(world, client):
    client.force_login(world.admin)
    page = client.get(reverse("reports:index")).content.decode()
    for kind in (ReportKind.BULLETIN, ReportKind.BULLETIN_NOTICE, ReportKind.BRIEFING):
        assert reverse("reports:template_upload", args=[kind]) in page
        default = client.get(reverse("reports:template_default", args=[kind]))
        assert default.status_code == 200
        assert "{{ title }}" in docx_text(body(default))


def test_an_uploaded_bulletin_template_renders_the_office_s_bulletins(world, client):
    bulletin = publish(world)
    notice = publish(world, kind=Kind.NOTICE, title="关于开展秋季开学专项督导的通知")
    client.force_login(world.admin)
    assert HOUSE not in word(client, bulletin)

    response = upload(client, ReportKind.BULLETIN, house_template())
    assert response.status_code == 200
    assert ReportTemplate.objects.filter(office=world.office, kind=ReportKind.BULLETIN).exists()
    text = word(client, bulletin)
    assert HOUSE in text and bulletin.title in text and bulletin.number in text
    assert HOUSE not in word(client, notice)  # the 通知 keeps its own (bundled) template

    # a school reads the same document in the office's layout
    client.force_login(world.school_user)
    assert HOUSE in word(client, bulletin)

    # the other county's office keeps the bundled one
    foreign = publish_foreign(world)
    client.force_login(world.other_admin)
    assert HOUSE not in word(client, foreign)

    # reset: back to the bundled default
    client.force_login(world.admin)
    client.post(reverse("reports:template_reset", args=[ReportKind.BULLETIN]))
    assert HOUSE not in word(client, bulletin)


def test_a_briefing_template_is_its_own(world, client):
    briefing = publish(world, kind=Kind.BRIEFING, title="督导简报", audience="all_schools")
    client.force_login(world.admin)
    upload(client, ReportKind.BRIEFING, house_template("简报专用版式"))
    assert "简报专用版式" in word(client, briefing)
    assert "简报专用版式" not in word(client, publish(world))


def test_a_template_without_the_tags_it_needs_is_refused(world, client):
    client.force_login(world.admin)
    broken = Document()
    broken.add_paragraph("{{ title ")
    out = io.BytesIO()
    broken.save(out)
    upload(client, ReportKind.BULLETIN_NOTICE, out.getvalue())
    assert not ReportTemplate.objects.filter(kind=ReportKind.BULLETIN_NOTICE).exists()


def publish_foreign(world):
    from dudao.bulletins import services

    draft = services.create_bulletin(
        world.other_admin,
        world.other_office,
        kind=Kind.BULLETIN,
        topic="results",
        title="玄武区通报",
        body="一、总体情况\n情况良好。",
    )
    return services.publish_bulletin(world.other_admin, draft, expected_version=draft.version)
