import datetime
import io
import os

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from dudao.visits import services
from dudao.visits.models import Attachment
from dudao.visits.orphans import delete_orphans, find_orphans
from tests.factories_supervision import VisitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "PNG")
    return buffer.getvalue()


def save_now(name: str, content: bytes) -> str:
    """Save a file dated by the pinned clock (the file system keeps the wall clock's time)."""
    name = default_storage.save(name, io.BytesIO(content))
    written = timezone.now().timestamp()
    os.utime(default_storage.path(name), (written, written))
    return name


def test_only_old_unreferenced_files_are_deleted(world):
    visit = VisitFactory(
        school=world.school, created_by=world.inspector_user, status="draft", submitted_at=None
    )
    kept = services.add_attachment(
        world.inspector_user, visit, SimpleUploadedFile("a.png", png(), "image/png")
    )
    stray = save_now("visits/2026/11/stray.png", b"left behind")
    assert find_orphans() == []  # younger than a day
    later = timezone.now() + datetime.timedelta(days=2)
    assert find_orphans(now=later) == [stray]
    assert delete_orphans(now=later) == [stray]
    assert not default_storage.exists(stray)
    kept = Attachment.objects.get(pk=kept.pk)
    assert default_storage.exists(kept.file.name)
    assert not kept.preview or default_storage.exists(kept.preview.name)


def test_command_dry_run_lists_without_deleting(world, capsys):
    save_now("rectification/2026/11/stray.pdf", b"x")
    call_command("clean_orphan_files", "--dry-run")
    assert "Would delete 0" in capsys.readouterr().out  # not a day old yet
