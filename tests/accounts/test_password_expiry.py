"""What stays open to a user whose password expired (dudao.accounts.middleware), and who is
never caught."""

import datetime

import pytest
from django.urls import reverse

from dudao.accounts import passwords
from dudao.accounts.models import OfficeSecurityPolicy, User

from ..factories import UserFactory


@pytest.fixture
def expired(world, clock, login):
    """County A's inspector, 91 days after its password was set (default expiry 90 days)."""
    clock.shift(datetime.timedelta(days=91))
    return login(User.objects.get(pk=world.inspector_user.pk))


def test_the_change_page_logout_language_and_static_stay_open(world, expired):
    response = expired.get(reverse("core:home"))
    assert response.status_code == 302 and response.url == reverse("accounts:password")
    page = expired.get(reverse("accounts:password"))
    assert page.status_code == 200
    assert "90" in page.content.decode()  # the message names the office's limit
    language = expired.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert language.status_code == 302 and language.url == "/"
    assert expired.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in expired.session


def test_htmx_requests_get_hx_redirect(world, expired):
    response = expired.get(reverse("notifications:bell"), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == reverse("accounts:password")


def test_the_policy_is_read_per_office(world, clock, login):
    OfficeSecurityPolicy.objects.create(office=world.office, max_age_days=30)
    clock.shift(datetime.timedelta(days=31))
    assert login(world.admin).get(reverse("core:home")).status_code == 302
    assert login(world.other_admin).get(reverse("core:home")).status_code == 200


def test_a_factory_user_starts_with_a_fresh_password(db):
    user = UserFactory()
    assert user.password_changed_at is not None
    assert not passwords.is_expired(user)


def test_the_model_set_password_restarts_the_clock(world, clock):
    clock.shift(datetime.timedelta(days=100))
    user = User.objects.get(pk=world.school_user.pk)
    assert passwords.is_expired(user)
    user.set_password("Qinghe-later-1")
    user.save()
    assert not passwords.is_expired(User.objects.get(pk=user.pk))
