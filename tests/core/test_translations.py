"""The zh_Hans catalogue is complete and compiled: Chinese is the default UI language, so an
untranslated msgid or a stale .mo shows English to every user."""

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

needs_msgfmt = pytest.mark.skipif(not shutil.which("msgfmt"), reason="msgfmt (gettext) missing")


@needs_msgfmt
def test_catalogue_has_no_untranslated_or_fuzzy_entries():
    out = subprocess.run(  # noqa: S603
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(PO)],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    assert "untranslated" not in out, out
    assert "fuzzy" not in out, out


@needs_msgfmt
def test_compiled_catalogue_matches_the_po(tmp_path):
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-o", str(fresh), str(PO)], check=True)  # noqa: S603, S607
    with MO.open("rb") as committed, fresh.open("rb") as compiled:
        assert gettext.GNUTranslations(committed)._catalog == (
            gettext.GNUTranslations(compiled)._catalog
        ), "run `make messages` (or compilemessages) and commit the .mo"


def test_chinese_is_the_default_and_english_is_available():
    assert settings.LANGUAGE_CODE == "zh-hans"
    with translation.override("zh-hans"):
        assert translation.gettext("Schools") == "学校"
    with translation.override("en"):
        assert translation.gettext("Schools") == "Schools"


def test_browser_language_does_not_override_chinese(client):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "登录督导平台" in page.content.decode()


def test_the_language_switcher_gives_english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert "Log in to Dudao" in client.get("/accounts/login/").content.decode()
