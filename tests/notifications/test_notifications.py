"""The notification service, the bell, the list and the e-mail copies."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from dudao.notifications.models import Notification
from dudao.notifications.services import mark_all_read, mark_read, notify, unread_count

PARAMS = {"school": "湖滨小学", "description": "消防通道堆放杂物"}
LINK = "/findings/1/"


def test_notify_creates_one_per_distinct_active_recipient(world):
    world.viewer.is_active = False
    world.viewer.save()
    created = notify(
        [world.admin, world.admin, world.school_user, world.viewer, None],
        "finding.created",
        PARAMS,
        url=LINK,
    )
    assert len(created) == 2
    assert unread_count(world.admin) == 1
    assert unread_count(world.viewer) == 0
    stored = Notification.all_objects.get(recipient=world.admin)
    assert (stored.kind, stored.params, stored.url) == ("finding.created", PARAMS, LINK)
    assert stored.legacy_title == ""


def test_notify_refuses_an_unknown_message_or_a_missing_link(world):
    with pytest.raises(ValueError, match="Unknown notification"):
        notify([world.admin], "finding.nonsense", PARAMS, url=LINK)
    for url in ("", "findings/1/", "https://evil.example/", "//evil.example/"):
        with pytest.raises(ValueError, match="links to its object"):
            notify([world.admin], "finding.created", PARAMS, url=url)
    assert Notification.all_objects.count() == 0


def test_mark_read_only_touches_own_notifications(world):
    (mine,) = notify([world.admin], "finding.overdue", PARAMS, url=LINK)
    (theirs,) = notify([world.school_user], "finding.created", PARAMS, url=LINK)
    assert mark_read(world.admin, mine.pk)
    assert mark_read(world.admin, mine.pk)  # idempotent
    assert not mark_read(world.admin, theirs.pk)
    theirs.refresh_from_db()
    assert theirs.read_at is None
    notify([world.admin], "finding.escalate", PARAMS, url=LINK)
    assert mark_all_read(world.admin) == 1
    assert unread_count(world.admin) == 0


def test_bell_shows_unread_count_and_list_is_private(world, client):
    notify([world.admin], "finding.overdue", {"school": "城东中学"}, url="/schools/")
    notify([world.school_user], "finding.created", {"school": "别人的学校"}, url="/schools/")
    client.force_login(world.admin)
    home = client.get(reverse("core:home")).content.decode()
    assert 'class="badge">1<' in home
    page = client.get(reverse("notifications:list")).content.decode()
    assert "城东中学 的整改已逾期" in page
    assert "别人的学校" not in page


def test_mark_all_read_is_a_button_like_the_others(world, client):
    client.force_login(world.admin)
    page = client.get(reverse("notifications:list")).content.decode()
    assert '<button type="submit" class="btn secondary" data-testid="mark-all-read">' in page


def test_open_marks_read_and_redirects_only_inside_the_site(world, client):
    (inside,) = notify([world.admin], "finding.overdue", PARAMS, url="/schools/")
    # Rows written before links were checked may hold anything: the view still refuses.
    outside = Notification.all_objects.create(
        recipient=world.admin, kind="x", legacy_title="outside", url="https://evil.example/"
    )
    (foreign,) = notify([world.school_user], "finding.created", PARAMS, url="/schools/")
    client.force_login(world.admin)
    response = client.post(reverse("notifications:open", args=[inside.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/schools/"
    response = client.post(reverse("notifications:open", args=[outside.pk]))
    assert response["Location"] == reverse("notifications:list")
    assert client.post(reverse("notifications:open", args=[foreign.pk])).status_code == 404
    assert unread_count(world.admin) == 0


def test_email_copies_are_sent_by_a_task_once_in_the_recipients_language(
    world, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFY_BY_EMAIL = True
    settings.PUBLIC_BASE_URL = "https://dudao.example"
    world.admin.email = "office@example.org"
    world.admin.save()
    # Whatever language the writer's request speaks, the copy is in the recipient's.
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        (n,) = notify([world.admin], "finding.overdue", PARAMS, url=LINK)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "湖滨小学 的整改已逾期"
    assert mail.outbox[0].body == "消防通道堆放杂物\n\nhttps://dudao.example/findings/1/"
    n.refresh_from_db()
    assert n.emailed_at is not None
    from dudao.notifications.tasks import email_notifications

    email_notifications.call([n.pk])  # a retried task sends nothing twice
    assert len(mail.outbox) == 1


def test_email_copies_follow_the_recipients_language(
    world, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFY_BY_EMAIL = True
    settings.LANGUAGE_CODE = "en"
    world.admin.email = "office@example.org"
    world.admin.save()
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        notify([world.admin], "finding.overdue", PARAMS, url=LINK)
    assert mail.outbox[0].subject == "Overdue rectification at 湖滨小学"


def test_no_email_without_smtp(world, settings, django_capture_on_commit_callbacks):
    settings.NOTIFY_BY_EMAIL = False
    world.admin.email = "office@example.org"
    world.admin.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify([world.admin], "finding.overdue", PARAMS, url=LINK)
    assert mail.outbox == []
    assert Notification.all_objects.get().emailed_at is None
