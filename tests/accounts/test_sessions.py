"""How long a sign-in lasts: 12 hours, or the office's `remember_days` with "Keep me signed in
on this device", extended by each day of use (dudao/accounts/sessions.py)."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from dudao.accounts.models import OfficeSecurityPolicy
from tests.conftest import PASSWORD

pytestmark = pytest.mark.any_day

DAY = datetime.timedelta(days=1)


def sign_in(client, user, remember):
    data = {"login": user.username, "password": PASSWORD}
    if remember:
        data["remember"] = "on"
    response = client.post(reverse("accounts:login"), data)
    assert response.status_code == 302 and "/login" not in response["Location"]
    return response


def session_row(client):
    return Session.objects.get(session_key=client.cookies["sessionid"].value)


def test_without_the_tick_a_sign_in_lasts_twelve_hours(world, client, clock_now):
    response = sign_in(client, world.inspector_user, remember=False)
    assert response.cookies["sessionid"]["max-age"] == 12 * 3600
    expected = timezone.now() + datetime.timedelta(hours=12)
    assert abs(session_row(client).expire_date - expected) < datetime.timedelta(seconds=5)


def test_remembered_session_lasts_the_office_days(world, client, clock_now):
    response = sign_in(client, world.inspector_user, remember=True)
    assert response.cookies["sessionid"]["max-age"] == 30 * 24 * 3600
    expected = timezone.now() + 30 * DAY
    assert abs(session_row(client).expire_date - expected) < datetime.timedelta(seconds=5)


def test_each_day_of_use_extends_it_once(world, client, clock, clock_now):
    sign_in(client, world.inspector_user, remember=True)
    first_end = session_row(client).expire_date

    # The same day: no session write, the end stays where it was.
    clock.shift(datetime.timedelta(hours=1))
    client.get(reverse("core:home"))
    assert session_row(client).expire_date == first_end

    # 29 days later, still signed in; that request pushes the end 30 days on.
    clock.shift(29 * DAY)
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    assert response.cookies["sessionid"]["max-age"] == 30 * 24 * 3600
    new_end = session_row(client).expire_date
    assert abs(new_end - (timezone.now() + 30 * DAY)) < datetime.timedelta(seconds=5)
    assert new_end > first_end


def test_unused_for_longer_than_the_days_signs_out(world, client, clock, clock_now):
    sign_in(client, world.inspector_user, remember=True)
    clock.shift(31 * DAY)
    response = client.get(reverse("core:home"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_office_can_turn_it_off(world, client, clock_now):
    OfficeSecurityPolicy.objects.create(office=world.office, remember_days=0)
    response = sign_in(client, world.inspector_user, remember=True)
    assert response.cookies["sessionid"]["max-age"] == 12 * 3600


def test_office_sets_the_days(world, client, clock_now):
    OfficeSecurityPolicy.objects.create(office=world.office, remember_days=7)
    response = sign_in(client, world.inspector_user, remember=True)
    assert response.cookies["sessionid"]["max-age"] == 7 * 24 * 3600


def test_password_change_ends_other_remembered_sessions(world, client, clock_now):
    from django.test import Client

    phone = Client()
    sign_in(phone, world.inspector_user, remember=True)
    assert phone.get(reverse("core:home")).status_code == 200
    world.inspector_user.set_password("Another-pass-2026!")
    world.inspector_user.save()
    response = phone.get(reverse("core:home"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_the_tick_survives_the_two_step_code(world, client, clock_now):
    from tests.security.test_two_factor import code, device_for, verify

    device_for(world.admin)
    response = client.post(
        reverse("accounts:login"),
        {"login": world.admin.username, "password": PASSWORD, "remember": "on"},
    )
    assert response.url == reverse("accounts:login_verify")
    response = verify(client, code())
    assert response.status_code == 302
    assert response.cookies["sessionid"]["max-age"] == 30 * 24 * 3600


def test_sessions_are_read_from_the_cache_and_a_sign_out_ends_them(world, client, clock_now):
    """SESSION_ENGINE cached_db (issue 10): a page reads the session from the cache, not the
    database; signing out deletes both, so the old cookie is refused everywhere."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    sign_in(client, world.inspector_user, remember=True)
    cookie = client.cookies["sessionid"].value
    assert session_row(client)  # written through to the database
    client.get(reverse("core:home"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("core:home")).status_code == 200
    assert not any("django_session" in q["sql"] for q in queries.captured_queries)

    client.post(reverse("accounts:logout"))
    assert not Session.objects.filter(session_key=cookie).exists()
    stale = Client()
    stale.cookies["sessionid"] = cookie
    response = stale.get(reverse("core:home"))
    assert response.status_code == 302 and "/login" in response["Location"]
