import pytest

from dudao.signboards import boards


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _fresh_font_check():
    boards.reset_font_check()
    yield
    boards.reset_font_check()
