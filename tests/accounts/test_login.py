import pytest
from django.urls import reverse

from dudao.audit.models import AuditEntry

from ..conftest import PASSWORD


def post_login(client, login, password=PASSWORD, **extra):
    return client.post(reverse("accounts:login"), {"login": login, "password": password}, **extra)


def test_login_by_username(world, client):
    response = post_login(client, "admin", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302
    entry = AuditEntry.all_objects.get(action="login")
    assert entry.actor == world.admin
    assert entry.ip == "10.1.2.3"


def test_login_by_phone(world, client):
    response = post_login(client, "13800000001")
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_wrong_password_is_refused_and_audited(world, client):
    response = post_login(client, "admin", "wrong")
    assert response.status_code == 200
    assert "不正确" in response.content.decode()
    assert AuditEntry.all_objects.filter(action="login_failed", actor=world.admin).count() == 1


def test_unknown_user_failure_is_audited_without_actor(world, client):
    post_login(client, "nobody", "wrong")
    entry = AuditEntry.all_objects.get(action="login_failed")
    assert entry.actor is None
    assert entry.changes["login"] == "nobody"


def test_repeated_failures_slow_down_but_never_lock(world, client, settings, clock):
    """No lock: after LOGIN_FREE_ATTEMPTS failures the next attempt must wait (refused
    without checking the password, 429), and once the delay has passed the right password
    gets in."""
    settings.LOGIN_FREE_ATTEMPTS = 3
    for _ in range(3):
        post_login(client, "admin", "wrong")
    world.admin.refresh_from_db()
    assert world.admin.failed_login_count == 3  # information for the office admin
    response = post_login(client, "admin")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEntry.all_objects.filter(
        action="login_failed", changes__reason="throttled"
    ).exists()
    clock.shift(2)
    assert post_login(client, "admin").status_code == 302


def test_success_resets_failure_count(world, client):
    post_login(client, "admin", "wrong")
    post_login(client, "admin")
    world.admin.refresh_from_db()
    assert world.admin.failed_login_count == 0


def test_open_redirect_refused(world, client):
    response = client.post(
        reverse("accounts:login") + "?next=https://evil.example/",
        {"login": "admin", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_logout_is_post_only_and_audited(world, login):
    client = login(world.admin)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert AuditEntry.all_objects.filter(action="logout").exists()


def test_anonymous_is_sent_to_login(db, client):
    response = client.get("/schools/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_production_hasher_is_argon2():
    import importlib
    import os

    os.environ.setdefault("SECRET_KEY", "x")
    prod = importlib.import_module("dudao.settings")
    assert prod.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@pytest.mark.parametrize("lang,expected", [("en", "Log in to Dudao"), ("zh-hans", "登录")])
def test_login_page_languages(db, client, lang, expected):
    client.cookies["django_language"] = lang
    assert expected in client.get(reverse("accounts:login")).content.decode()
