from django.core import mail
from django.urls import reverse

from dudao.notifications.models import Notification
from dudao.notifications.services import mark_all_read, mark_read, notify, unread_count


def test_notify_creates_one_per_distinct_active_recipient(world):
    world.viewer.is_active = False
    world.viewer.save()
    created = notify(
        [world.admin, world.admin, world.school_user, world.viewer, None],
        "finding.created",
        "新问题",
    )
    assert len(created) == 2
    assert unread_count(world.admin) == 1
    assert unread_count(world.viewer) == 0


def test_mark_read_only_touches_own_notifications(world):
    (mine,) = notify([world.admin], "x", "mine")
    (theirs,) = notify([world.school_user], "x", "theirs")
    assert mark_read(world.admin, mine.pk)
    assert mark_read(world.admin, mine.pk)  # idempotent
    assert not mark_read(world.admin, theirs.pk)
    theirs.refresh_from_db()
    assert theirs.read_at is None
    notify([world.admin], "x", "two")
    assert mark_all_read(world.admin) == 1
    assert unread_count(world.admin) == 0


def test_bell_shows_unread_count_and_list_is_private(world, client):
    notify([world.admin], "finding.overdue", "逾期问题 A", url="/schools/")
    notify([world.school_user], "finding.created", "别人的消息")
    client.force_login(world.admin)
    home = client.get(reverse("core:home")).content.decode()
    assert 'class="badge">1<' in home
    page = client.get(reverse("notifications:list")).content.decode()
    assert "逾期问题 A" in page
    assert "别人的消息" not in page


def test_open_marks_read_and_redirects_only_inside_the_site(world, client):
    (inside,) = notify([world.admin], "x", "inside", url="/schools/")
    (outside,) = notify([world.admin], "x", "outside", url="https://evil.example/")
    (foreign,) = notify([world.school_user], "x", "foreign", url="/schools/")
    client.force_login(world.admin)
    response = client.post(reverse("notifications:open", args=[inside.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/schools/"
    response = client.post(reverse("notifications:open", args=[outside.pk]))
    assert response["Location"] == reverse("notifications:list")
    assert client.post(reverse("notifications:open", args=[foreign.pk])).status_code == 404
    assert unread_count(world.admin) == 0


def test_email_copies_are_sent_by_a_task_once(world, settings, django_capture_on_commit_callbacks):
    settings.NOTIFY_BY_EMAIL = True
    world.admin.email = "office@example.org"
    world.admin.save()
    with django_capture_on_commit_callbacks(execute=True):
        (n,) = notify([world.admin], "x", "整改逾期", body="请处理")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "整改逾期"
    n.refresh_from_db()
    assert n.emailed_at is not None
    from dudao.notifications.tasks import email_notifications

    email_notifications.call([n.pk])  # a retried task sends nothing twice
    assert len(mail.outbox) == 1


def test_no_email_without_smtp(world, settings, django_capture_on_commit_callbacks):
    settings.NOTIFY_BY_EMAIL = False
    world.admin.email = "office@example.org"
    world.admin.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify([world.admin], "x", "t")
    assert mail.outbox == []
    assert Notification.objects.get().emailed_at is None
