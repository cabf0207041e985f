import pytest

from dudao.signboards import boards


@pytest.fixture(autouse=True)
def _fresh_font_check():
    boards.reset_font_check()
    yield
    boards.reset_font_check()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def fast_pdf(monkeypatch):
    """Skip WeasyPrint but still render the board template (so lazy queries would show)."""

    def fake_render_pdf(board_list, title=""):
        boards.render_boards_html(board_list, title)
        return b"%PDF-1.7 fake " + str(len(board_list)).encode()

    monkeypatch.setattr(boards, "render_pdf", fake_render_pdf)
