"""The visit's feedback letter (书面反馈意见书) is an office template kind like the others
(issue 11 §1): an office uploads its own, the letter uses it, a reset brings back the bundled
one; `write_all()` builds the bundled letter with its signature block kept on one page."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from dudao.reports import docx_defaults, exporter, feedback
from dudao.reports.models import ReportKind, ReportTemplate

from .helpers import body, docx_text, make_visit

pytestmark = pytest.mark.django_db

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def docx_bytes(*paragraphs) -> bytes:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def letter_text(client, visit) -> str:
    response = client.get(reverse("reports:visit_feedback_docx", args=[visit.pk]))
    assert response.status_code == 200
    return docx_text(body(response))


def keeps(document) -> list[tuple[str, bool, bool]]:
    return [
        (p.text, bool(p.paragraph_format.keep_together), bool(p.paragraph_format.keep_with_next))
        for p in document.paragraphs
    ]


def test_the_feedback_letter_is_a_template_kind():
    assert feedback.KIND == ReportKind.VISIT_FEEDBACK == "visit_feedback"
    assert exporter.REGISTRY[feedback.KIND].template_kind == ReportKind.VISIT_FEEDBACK


def test_an_office_uploads_its_own_letter_then_resets_it(world, client):
    visit = make_visit(world.inspector_user, world.school)
    client.force_login(world.admin)
    assert "visit_feedback" in client.get(reverse("reports:index")).content.decode()
    default = client.get(reverse("reports:template_default", args=["visit_feedback"]))
    assert default.status_code == 200
    custom = docx_bytes("上城区督导室反馈专用抬头", "{{ title }}", "{{ recipient }}：")
    client.post(
        reverse("reports:template_upload", args=["visit_feedback"]),
        {"file": SimpleUploadedFile("反馈.docx", custom, content_type=DOCX_TYPE)},
    )
    template = ReportTemplate.objects.get()
    assert (template.office, template.kind) == (world.office, "visit_feedback")
    assert "上城区督导室反馈专用抬头" in letter_text(client, visit)
    client.force_login(world.school_user)  # the school's copy is the office's letter too
    assert "上城区督导室反馈专用抬头" in letter_text(client, visit)
    client.force_login(world.admin)
    client.post(reverse("reports:template_reset", args=["visit_feedback"]))
    assert not ReportTemplate.objects.exists()
    text = letter_text(client, visit)
    assert "上城区督导室反馈专用抬头" not in text and "湖滨小学：" in text


def test_write_all_builds_the_letter_with_its_signature_block_kept_together(tmp_path, monkeypatch):
    monkeypatch.setattr(docx_defaults, "TEMPLATE_DIR", tmp_path)
    monkeypatch.setattr(docx_defaults, "FONTCONFIG_PATH", tmp_path / "fonts.conf")
    written = {path.name for path in docx_defaults.write_all()}
    assert {f"{kind}.docx" for kind in ReportKind.values} <= written
    letter = Document(tmp_path / "visit_feedback.docx")
    plain = Document(tmp_path / "notice.docx")
    assert [p.text for p in letter.paragraphs] == [p.text for p in plain.paragraphs]
    assert keeps(letter) != keeps(plain)  # only the letter keeps its signatures together
    office_line = next(k for k in keeps(letter) if k[0] == "{{ office }}")
    assert office_line[1:] == (True, True)
    # the committed file is what write_all builds
    assert keeps(Document(exporter.default_template_path("visit_feedback"))) == keeps(letter)
