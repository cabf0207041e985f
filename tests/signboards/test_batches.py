"""Large signboard batches render in the background and are offered when ready."""

import pytest
from django.urls import reverse

from dudao.audit.models import AuditEntry
from dudao.signboards.models import SignboardBatch

from .helpers import pdf_page_count


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SIGNBOARD_INLINE_LIMIT = 1  # the world's county has 3 schools


def test_county_batch_over_the_limit_is_rendered_in_the_background(
    world, client, django_capture_on_commit_callbacks
):
    client.force_login(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("signboards:county"))
    batch = SignboardBatch.all_objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("signboards:batch", args=[batch.pk])
    # The test settings run tasks inline: the batch is already rendered.
    assert batch.status == SignboardBatch.Status.DONE and batch.school_count == 3
    page = client.get(response["Location"])
    assert b"batch-download" in page.content
    pdf = client.get(reverse("signboards:batch_file", args=[batch.pk]))
    data = b"".join(pdf.streaming_content)
    assert data.startswith(b"%PDF") and pdf_page_count(data) == 3
    assert AuditEntry.all_objects.filter(target_type__icontains="signboardbatch").count() == 1


def test_asking_twice_reuses_the_batch(world, client):
    client.force_login(world.admin)
    first = client.get(reverse("signboards:county"))["Location"]
    second = client.get(reverse("signboards:county"))["Location"]
    assert first == second and SignboardBatch.all_objects.count() == 1


def test_zone_leader_batch_is_theirs_only(world, client):
    client.force_login(world.zone_leader)
    location = client.get(reverse("signboards:zone", args=[world.zone.pk]))["Location"]
    batch = SignboardBatch.all_objects.get()
    assert location == reverse("signboards:batch", args=[batch.pk])
    assert client.get(location).status_code == 200
    client.force_login(world.other_admin)
    assert client.get(location).status_code == 404
    client.force_login(world.inspector_user)
    assert client.get(location).status_code == 403
    client.force_login(world.admin)
    assert client.get(location).status_code == 200


def test_failed_render_shows_why(world, client, monkeypatch, django_capture_on_commit_callbacks):
    from dudao.signboards import boards

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(boards, "render_pdf", broken)
    client.force_login(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        location = client.get(reverse("signboards:county"))["Location"]
    page = client.get(location)
    assert SignboardBatch.all_objects.get().status == SignboardBatch.Status.FAILED
    assert "disk full" in page.content.decode()
    batch = SignboardBatch.all_objects.get()
    assert client.get(reverse("signboards:batch_file", args=[batch.pk])).status_code == 404
