"""The language switcher remembers a logged-in user's choice: a new device and the e-mail
copies of notifications speak it."""

from django.conf import settings
from django.core import mail
from django.urls import reverse

from dudao.accounts.models import User
from dudao.notifications.services import notify
from tests.conftest import PASSWORD


def test_switching_language_is_remembered_for_the_user(world, client):
    client.force_login(world.inspector_user)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert User.objects.get(pk=world.inspector_user.pk).language == "en"
    # Nonsense is ignored, as Django's switcher ignores it.
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert User.objects.get(pk=world.inspector_user.pk).language == "en"


def test_anonymous_switching_stores_nothing(world, client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert not User.objects.exclude(language="").exists()


def test_a_new_device_speaks_the_chosen_language_after_login(world, client):
    User.objects.filter(pk=world.inspector_user.pk).update(language="en")
    response = client.post(reverse("accounts:login"), {"login": "inspector", "password": PASSWORD})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get(reverse("visits:my_schools")).content.decode()
    assert "My schools" in page


def test_email_copies_follow_the_chosen_language(
    world, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFY_BY_EMAIL = True
    world.admin.email = "office@example.org"
    world.admin.language = "en"
    world.admin.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify([world.admin], "finding.overdue", {"school": "湖滨小学"}, url="/findings/1/")
    assert mail.outbox[0].subject == "Overdue rectification at 湖滨小学"
