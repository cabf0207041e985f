"""The zh_Hans catalogue is complete and compiled: Chinese is the default UI language, so an
untranslated msgid or a stale .mo shows English to every user."""

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.utils import translation

from dudao.imports.models import ImportJob
from dudao.inspectors.models import Inspector
from dudao.notifications.models import Notification
from dudao.rectification.models import AccountabilityCase, Escalation
from dudao.schools.models import School
from dudao.visits.models import SixMinimum

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


# --- the words of the documents (issue 11 §6) ----------------------------------------------

# Wordings the offices do not use, and the one they do.
REPLACED = {
    "特约督学": "特邀督导员",
    "在用": "在办 (schools) / 在岗 (inspectors)",
    "立案": "启动 (an accountability case)",
    "结案": "办结",
    "问责案件": "问责事项",
    "查看者": "市/省级用户（只读）",
    "督导室月度工作汇总": "责任督学挂牌督导月度工作汇总",
}


def _catalogue():
    """(msgctxt, msgid, msgstr) of every entry, read with the standard library's parser of
    the compiled catalogue (no polib needed): contexts are "ctx\\x04msgid" keys."""
    with MO.open("rb") as mo:
        catalog = gettext.GNUTranslations(mo)._catalog
    rows = []
    for key, text in catalog.items():
        msgid = key[0] if isinstance(key, tuple) else key
        if not msgid:
            continue  # the header
        ctx, _, plain = msgid.rpartition("\x04")
        rows.append((ctx, plain, text))
    return rows


@pytest.mark.parametrize("old", sorted(REPLACED))
def test_no_translation_uses_a_replaced_wording(old):
    offending = [(ctx, msgid, text) for ctx, msgid, text in _catalogue() if old in text]
    assert not offending, f"{old} → {REPLACED[old]}: {offending}"


def test_reports_are_报告_and_the_navigation_says_挂牌安排():
    with translation.override("zh-hans"):
        assert translation.gettext("Reports") == "报告"
        assert translation.gettext("Assignments") == "挂牌安排"
        assert translation.gettext("Viewer (city or province)") == "市/省级用户（只读）"
        assert translation.gettext("Invited inspector") == "特邀督导员"
        assert translation.gettext("Office monthly summary") == "责任督学挂牌督导月度工作汇总"
        assert translation.gettext("Monthly supervision summary") == "责任督学挂牌督导月度工作汇总"
        # 报表 stays only where a statistical table is meant.
        reports = [t for _c, msgid, t in _catalogue() if "报表" in t]
        assert all("report" not in msgid.lower() for msgid in reports), reports


def test_the_six_minimums_are_named_as_in_the_documents():
    with translation.override("zh-hans"):
        labels = {str(label) for label in SixMinimum.labels}
    assert {"观摩课后服务", "进班听课", "查看作业", "参加备课", "组织座谈"} <= labels


def test_accountability_cases_are_启动_and_办结():
    with translation.override("zh-hans"):
        assert str(AccountabilityCase.Status.OPEN.label) == "办理中"
        assert str(AccountabilityCase.Status.CLOSED.label) == "已办结"
        assert translation.gettext("Open the case") == "启动问责"
        assert translation.gettext("close the case") == "办结"
        assert str(AccountabilityCase._meta.verbose_name) == "问责事项"


def test_the_three_kinds_translate_differently():
    with translation.override("zh-hans"):
        names = [
            str(model._meta.get_field("kind").verbose_name)
            for model in (Notification, ImportJob, Inspector)
        ]
    assert names == ["通知类型", "导入类型", "督学类别"]


def test_schools_are_在办_and_inspectors_在岗():
    with translation.override("zh-hans"):
        assert str(School._meta.get_field("is_active").verbose_name) == "在办"
        assert str(Inspector._meta.get_field("is_active").verbose_name) == "在岗"
        assert translation.gettext("Active schools") == "在办学校"
        assert str(Escalation.CITY.label) == "市教育督导部门"


# --- the favicon ---------------------------------------------------------------------------


def test_every_page_links_a_favicon_that_is_served(client):
    href = static("favicon.svg")
    page = client.get("/accounts/login/").content.decode()
    assert f'<link rel="icon" type="image/svg+xml" href="{href}">' in page
    path = finders.find("favicon.svg")
    assert path, "dudao/static/favicon.svg is missing"
    svg = Path(path).read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "http://www.w3.org/2000/svg" in svg
    assert "href=" not in svg  # nothing fetched from elsewhere
    # The Content-Security-Policy lets the page load it (img-src 'self').
    csp = client.get("/accounts/login/")["Content-Security-Policy"]
    img_src = next(part for part in csp.split(";") if part.strip().startswith("img-src"))
    assert "'self'" in img_src
