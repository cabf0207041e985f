"""A notification is a message key and parameters, rendered in the reader's language."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from dudao.notifications.messages import MESSAGES
from dudao.notifications.models import Notification
from dudao.notifications.services import notify

PARAMS = {
    "school": "湖滨小学",
    "description": "消防通道堆放杂物",
    "report": "湖滨小学整改台账",
    "title": "关于湖滨小学作业公示情况的通报",
    "number": "清督通〔2026〕3号",
    "inspector": "张督学",
    "certificate": "督学资格证",
    "date": "2026-12-24",
    "due": "2026-12-25",
    "deadline": "2026-12-26",
    "code": "QH-2026-17",
    "count": "7",
    "grade": "良好",
    "name": "第一责任区",
}


@pytest.mark.parametrize("kind", sorted(MESSAGES))
def test_every_message_speaks_both_languages(kind):
    """Each parameter the English title names shows in both languages' titles."""
    row = Notification(kind=kind, params=PARAMS)
    with translation.override("en"):
        english = row.title
        names = re.findall(r"%\((\w+)\)s", str(MESSAGES[kind].title))
    with translation.override("zh-hans"):
        chinese = row.title
    assert names, f"{kind}: a title without parameters"
    for name in names:
        assert PARAMS[name] in english, f"{kind}: {name}"
        assert PARAMS[name] in chinese, f"{kind}: {name} lost in the translation"
    assert english != chinese, f"{kind}: no Chinese translation in django.po"
    assert row.body == ("消防通道堆放杂物" if MESSAGES[kind].body else "")


def test_one_stored_row_reads_in_each_readers_language(world, client):
    (stored,) = notify([world.school_user], "finding.reject", PARAMS, url="/findings/1/")
    stored.refresh_from_db()
    with translation.override("zh-hans"):
        assert stored.title == "湖滨小学 的整改复查未通过，请继续整改"
    with translation.override("en"):
        assert stored.title == "Rectification not accepted at 湖滨小学: please rectify again"

    client.force_login(world.school_user)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "湖滨小学 的整改复查未通过，请继续整改" in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("notifications:list")).content.decode()
    assert "Rectification not accepted at 湖滨小学: please rectify again" in page
    assert "消防通道堆放杂物" in page  # the problem as written, in every language


def test_rows_written_before_message_keys_keep_their_text():
    old = Notification(
        kind="finding.created", legacy_title="湖滨小学 有新发现的问题", legacy_body="旧"
    )
    with translation.override("en"):
        assert (old.title, old.body) == ("湖滨小学 有新发现的问题", "旧")


def test_a_missing_parameter_or_an_unknown_key_never_breaks_the_page():
    with translation.override("en"):
        assert Notification(kind="finding.overdue").title == "Overdue rectification at …"
        assert Notification(kind="gone.away", params=PARAMS).title == "gone.away"
