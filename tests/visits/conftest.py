import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dudao.accounts.models import Role
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def png_bytes(width=2000, height=1000, color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def png_upload():
    return SimpleUploadedFile("校门.png", png_bytes(), content_type="image/png")


@pytest.fixture
def other_inspector_user(world):
    """A user for `world.other_inspector` (assigned to zone_school, not to school)."""
    return UserFactory(
        username="other_inspector",
        role=Role.INSPECTOR,
        office=world.office,
        inspector=world.other_inspector,
    )
