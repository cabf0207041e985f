import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from dudao.audit.models import AuditEntry
from dudao.reports import docx_defaults, exporter
from dudao.reports.models import ReportKind, ReportTemplate

from .helpers import body, docx_text, make_notice

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def writes():
    return AuditEntry.all_objects.exclude(action__in=["login", "login_failed"]).count()


def docx_bytes(*paragraphs) -> bytes:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def upload(client, content, name="模板.docx", kind="notice"):
    return client.post(
        reverse("reports:template_upload", args=[kind]),
        {"file": SimpleUploadedFile(name, content, content_type=DOCX_TYPE)},
        follow=True,
    )


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


@pytest.mark.parametrize("kind", ReportKind.values)
def test_bundled_defaults_render_the_sample(kind):
    path = exporter.default_template_path(kind)
    assert path.exists()
    from dudao.reports import builders

    text = docx_text(exporter.to_docx(builders.sample(kind), path))
    assert "示例小学" in text and "示例督导室" in text and "X教督整〔2026〕1号" in text
    assert "{{" not in text and "{%" not in text


def test_bundled_defaults_are_up_to_date(tmp_path):
    """The committed files are what docx_defaults builds (regenerate them when it changes)."""
    fresh = docx_defaults.build_document()
    bundled = Document(exporter.default_template_path("notice"))
    assert [p.text for p in fresh.paragraphs] == [p.text for p in bundled.paragraphs]


def test_download_default(world, client):
    client.force_login(world.admin)
    response = client.get(reverse("reports:template_default", args=["inspector_monthly"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename")
    assert ".docx" in response["Content-Disposition"]
    texts = [p.text for p in Document(io.BytesIO(body(response))).paragraphs]
    assert texts[0] == "{%p if masthead %}"  # the red 版头, for notices
    assert "{{ title }}" in texts
    assert client.get(reverse("reports:template_default", args=["nope"])).status_code == 404


def test_upload_is_used_for_the_office_only_then_reset(world, client):
    notice = make_notice(world)
    client.force_login(world.admin)
    custom = docx_bytes("上城区督导室专用抬头", "{{ title }}", "{{ number }}", "{{ recipient }}：")
    response = upload(client, custom)
    assert response.status_code == 200
    template = ReportTemplate.objects.get()
    assert (template.office, template.kind, template.uploaded_by) == (
        world.office,
        "notice",
        world.admin,
    )
    assert AuditEntry.all_objects.filter(
        action="create", target_type="reports.ReportTemplate"
    ).exists()
    text = docx_text(body(client.get(reverse("reports:notice_docx", args=[notice.pk]))))
    assert "上城区督导室专用抬头" in text and notice.number in text and "湖滨小学：" in text
    # the index shows the office's own template
    assert "模板.docx" in client.get(reverse("reports:index")).content.decode()
    # uploading again replaces it (still one row, an update in the audit log)
    upload(client, docx_bytes("第二版抬头", "{{ title }}"))
    assert ReportTemplate.objects.count() == 1
    text = docx_text(body(client.get(reverse("reports:notice_docx", args=[notice.pk]))))
    assert "第二版抬头" in text
    # reset: the default again
    client.post(reverse("reports:template_reset", args=["notice"]))
    assert not ReportTemplate.objects.exists()
    assert AuditEntry.all_objects.filter(
        action="delete", target_type="reports.ReportTemplate"
    ).exists()
    text = docx_text(body(client.get(reverse("reports:notice_docx", args=[notice.pk]))))
    assert "第二版抬头" not in text and notice.number in text


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"#!/bin/sh\necho hi\n", "模板.docx"),  # not a zip at all
        (b"", "模板.docx"),
        (docx_bytes("{{ title "), "模板.docx"),  # unbalanced tag
        (docx_bytes("{% for s in sections %}{{ s.heading }}"), "模板.docx"),  # unclosed loop
        (docx_bytes("{{ title }}"), "template.doc"),  # wrong type
    ],
)
def test_broken_template_is_refused_and_nothing_saved(world, client, content, name):
    client.force_login(world.admin)
    client.cookies["django_language"] = "en"
    before = writes()
    response = upload(client, content, name)
    assert response.status_code == 200
    assert any(m for m in messages_of(response)), "a clear error is shown"
    assert not ReportTemplate.objects.exists()
    assert writes() == before


def test_error_message_names_the_problem(world, client):
    client.force_login(world.admin)
    client.cookies["django_language"] = "en"
    response = upload(client, b"not a zip")
    assert "not a Word (.docx) document" in " ".join(messages_of(response))
    response = upload(client, docx_bytes("{{ title "))
    assert "cannot be filled in" in " ".join(messages_of(response))


@pytest.mark.parametrize("role", ["zone_leader", "inspector", "school", "viewer"])
def test_only_the_office_admin_may_change_templates(world, client, role):
    client.force_login(world.personas()[role])
    before = writes()
    response = client.post(
        reverse("reports:template_upload", args=["notice"]),
        {"file": SimpleUploadedFile("t.docx", docx_bytes("{{ title }}"))},
    )
    assert response.status_code == 403
    assert client.post(reverse("reports:template_reset", args=["notice"])).status_code == 403
    assert not ReportTemplate.objects.exists()
    assert writes() == before


def test_other_county_template_does_not_leak(world, client):
    notice = make_notice(world)
    client.force_login(world.other_admin)
    upload(client, docx_bytes("玄武区抬头", "{{ title }}"))
    assert ReportTemplate.objects.get().office == world.other_office
    client.force_login(world.admin)
    text = docx_text(body(client.get(reverse("reports:notice_docx", args=[notice.pk]))))
    assert "玄武区抬头" not in text


def test_template_tags_are_sandboxed(world, client):
    client.force_login(world.admin)
    before = writes()
    response = upload(client, docx_bytes("{{ title.__class__.__mro__[1].__subclasses__() }}"))
    assert messages_of(response)
    assert not ReportTemplate.objects.exists()
    assert writes() == before
