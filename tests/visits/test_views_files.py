"""Attachments through the visit screens: checked by content, served only through scoped
views, previews downscaled."""

import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from dudao.visits import services
from dudao.visits.models import Attachment, Visit
from tests.visits.conftest import png_bytes
from tests.visits.test_views import form_data


def jpeg_bytes(width=1600, height=1200) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 200)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def draft(world):
    return services.save_draft(world.inspector_user, world.school, uuid.uuid4())


def upload(client, visit, name, content, htmx=True):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(
        reverse("visits:attachment_add", args=[visit.pk]),
        {"file": SimpleUploadedFile(name, content)},
        **headers,
    )


def test_real_photo_is_accepted_and_preview_served(world, client, draft):
    client.force_login(world.inspector_user)
    response = upload(client, draft, "校门.jpg", jpeg_bytes())
    assert response.status_code == 200
    attachment = Attachment.objects.get()
    body = response.content.decode()
    assert reverse("visits:attachment_preview", args=[attachment.pk]) in body
    assert reverse("visits:attachment", args=[attachment.pk]) in body
    assert "/media/" not in body
    preview = client.get(reverse("visits:attachment_preview", args=[attachment.pk]))
    assert preview.status_code == 200
    assert preview["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(b"".join(preview.streaming_content))) as image:
        assert max(image.size) == 1280
    original = client.get(reverse("visits:attachment", args=[attachment.pk]))
    assert original.status_code == 200
    assert b"".join(original.streaming_content) == jpeg_bytes()


def test_png_accepted_without_js(world, client, draft):
    client.force_login(world.inspector_user)
    response = upload(client, draft, "教室.png", png_bytes(300, 200), htmx=False)
    assert response.status_code == 302
    assert response["Location"] == reverse("visits:edit", args=[draft.pk])
    assert Attachment.objects.get().kind == "image"


def test_script_renamed_jpg_is_refused(world, client, draft):
    client.force_login(world.inspector_user)
    client.cookies["django_language"] = "en"
    response = upload(client, draft, "photo.jpg", b"#!/bin/sh\nrm -rf /\n" * 20)
    assert response.status_code == 200
    body = response.content.decode()
    assert "upload-error" in body
    assert "is not an accepted file" in body and "photo.jpg" in body
    assert not Attachment.objects.exists()


def test_script_refused_without_js_with_a_message(world, client, draft):
    client.force_login(world.inspector_user)
    client.cookies["django_language"] = "en"
    response = upload(client, draft, "photo.jpg", b"#!/bin/sh\necho hi\n", htmx=False)
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("is not an accepted file" in m for m in messages)
    assert not Attachment.objects.exists()


def test_oversize_file_is_refused(world, client, draft, settings):
    settings.UPLOAD_LIMITS = {"image": 1024, "audio": 1024, "document": 1024}
    client.force_login(world.inspector_user)
    client.cookies["django_language"] = "en"
    response = upload(client, draft, "big.jpg", jpeg_bytes())
    assert "too large" in response.content.decode()
    assert not Attachment.objects.exists()


def test_empty_file_is_refused(world, client, draft):
    client.force_login(world.inspector_user)
    client.cookies["django_language"] = "en"
    response = upload(client, draft, "empty.jpg", b"")
    body = response.content.decode()
    assert "upload-error" in body
    assert "is empty" in body
    assert not Attachment.objects.exists()


def test_files_sent_with_the_plain_form(world, client):
    client.force_login(world.inspector_user)
    client.cookies["django_language"] = "en"
    data = form_data(submit="1")
    data["files"] = [
        SimpleUploadedFile("门口.jpg", jpeg_bytes(400, 300)),
        SimpleUploadedFile("evil.jpg", b"<?php system($_GET['c']); ?>"),
    ]
    response = client.post(reverse("visits:new", args=[world.school.pk]), data)
    assert response.status_code == 302
    visit = Visit.all_objects.get()
    assert [a.original_name for a in visit.attachments.all()] == ["门口.jpg"]
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("evil.jpg" in m for m in messages)


def test_delete_attachment_of_draft(world, client, draft):
    client.force_login(world.inspector_user)
    upload(client, draft, "a.png", png_bytes(50, 50))
    attachment = Attachment.objects.get()
    response = client.post(
        reverse("visits:attachment_delete", args=[attachment.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert not Attachment.objects.exists()


def test_attachment_of_submitted_visit_cannot_be_deleted(world, client, draft):
    client.force_login(world.inspector_user)
    upload(client, draft, "a.png", png_bytes(50, 50))
    services.submit_visit(world.inspector_user, draft.client_uuid, visited_at=draft.created_at)
    attachment = Attachment.objects.get()
    response = client.post(reverse("visits:attachment_delete", args=[attachment.pk]))
    assert response.status_code == 302
    assert Attachment.objects.exists()


def test_files_are_scoped(world, client, draft, other_inspector_user):
    client.force_login(world.inspector_user)
    upload(client, draft, "a.png", png_bytes(50, 50))
    attachment = Attachment.objects.get()
    urls = [
        reverse("visits:attachment", args=[attachment.pk]),
        reverse("visits:attachment_preview", args=[attachment.pk]),
    ]
    for user in (other_inspector_user, world.school_user, world.other_admin, world.viewer):
        client.force_login(user)
        for url in urls:  # a draft is private to its recorder (and the office admin)
            assert client.get(url).status_code == 404, (user, url)
        response = upload(client, draft, "b.png", png_bytes(60, 60))
        assert response.status_code in (403, 404)
    assert Attachment.objects.count() == 1
    client.force_login(world.admin)
    assert client.get(urls[0]).status_code == 200


def test_school_user_gets_files_of_its_submitted_visit(world, client, draft):
    client.force_login(world.inspector_user)
    upload(client, draft, "a.png", png_bytes(50, 50))
    services.submit_visit(world.inspector_user, draft.client_uuid, visited_at=draft.created_at)
    attachment = Attachment.objects.get()
    client.force_login(world.school_user)
    assert client.get(reverse("visits:attachment", args=[attachment.pk])).status_code == 200


def test_edit_page_lists_files_and_deletes_without_js(world, client, draft):
    client.force_login(world.inspector_user)
    upload(client, draft, "a.png", png_bytes(50, 50))
    attachment = Attachment.objects.get()
    page = client.get(reverse("visits:edit", args=[draft.pk])).content.decode()
    delete_url = reverse("visits:attachment_delete", args=[attachment.pk])
    assert f'formaction="{delete_url}"' in page
    response = client.post(delete_url)
    assert response.status_code == 302
    assert response["Location"] == reverse("visits:edit", args=[draft.pk])
    assert not Attachment.objects.exists()


def test_school_user_detail_offers_no_changes(world, client, draft):
    services.submit_visit(world.inspector_user, draft.client_uuid, visited_at=draft.created_at)
    client.force_login(world.school_user)
    response = client.get(reverse("visits:detail", args=[draft.pk]))
    assert response.status_code == 200
    assert response.context["finding_create_url"] is None
    body = response.content.decode()
    assert reverse("visits:attachment_add", args=[draft.pk]) not in body
