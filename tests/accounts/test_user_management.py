import pytest
from django.urls import reverse

from dudao.accounts import services
from dudao.accounts.models import Role, User
from dudao.audit.models import AuditEntry
from dudao.core.errors import DomainError


def test_admin_creates_inspector_account(world, login):
    client = login(world.admin)
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "zhang",
            "display_name": "张督学",
            "phone": "13900001111",
            "role": "inspector",
            "inspector": world.other_inspector.pk,
            "password": "Strong-pass-2026",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()
    user = User.objects.get(username="zhang")
    assert user.office == world.office
    assert user.inspector == world.other_inspector
    assert user.check_password("Strong-pass-2026")
    assert AuditEntry.all_objects.filter(action="create", target_type="accounts.User").exists()


def test_weak_password_refused(world, login):
    client = login(world.admin)
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "weak",
            "role": "office_admin",
            "password": "123",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="weak").exists()


def test_inspector_from_other_office_refused(world):
    with pytest.raises(DomainError):
        services.create_user(
            world.admin,
            world.office,
            username="x",
            role=Role.INSPECTOR,
            inspector=world.foreign_inspector,
            password="Strong-pass-2026",
        )


def test_zone_leader_must_lead_a_zone(world):
    with pytest.raises(DomainError) as error:
        services.create_user(
            world.admin,
            world.office,
            username="x",
            role=Role.ZONE_LEADER,
            inspector=world.other_inspector,
            password="Strong-pass-2026",
        )
    assert error.value.field == "inspector"


def test_viewer_region_must_be_above_county(world):
    from dudao.organisations.models import Region

    foreign_city = Region.objects.get(code="320100")
    with pytest.raises(DomainError):
        services.create_user(
            world.admin,
            world.office,
            username="v",
            role=Role.VIEWER,
            region=foreign_city,
            password="Strong-pass-2026",
        )


def test_duplicate_phone_refused(world):
    with pytest.raises(DomainError) as error:
        services.create_user(
            world.admin,
            world.office,
            username="dup",
            role=Role.OFFICE_ADMIN,
            phone="13800000001",
            password="Strong-pass-2026",
        )
    assert error.value.field == "phone"


def test_admin_cannot_demote_self(world):
    with pytest.raises(DomainError):
        services.update_user(world.admin, world.admin, is_active=False)


def test_reset_password_clears_the_throttle(
    world, login, settings, django_capture_on_commit_callbacks
):
    from django.test import Client

    settings.LOGIN_FREE_ATTEMPTS = 2
    stranger = Client(REMOTE_ADDR="10.9.9.9")
    for _ in range(2):
        stranger.post(reverse("accounts:login"), {"login": "inspector", "password": "wrong"})
    refused = stranger.post(
        reverse("accounts:login"), {"login": "inspector", "password": "Another-strong-2026"}
    )
    assert refused.status_code == 429
    admin = login(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            reverse("accounts:user_password", args=[world.inspector_user.pk]),
            {"password": "Another-strong-2026"},
        )
    assert response.status_code == 302
    world.inspector_user.refresh_from_db()
    assert world.inspector_user.failed_login_count == 0
    owner = Client(REMOTE_ADDR="10.9.9.9")
    response = owner.post(
        reverse("accounts:login"), {"login": "inspector", "password": "Another-strong-2026"}
    )
    assert response.status_code == 302


def test_admin_cannot_edit_other_county_users(world, login):
    client = login(world.other_admin)
    assert client.get(reverse("accounts:user_edit", args=[world.admin.pk])).status_code == 404


def test_user_list_query_count_is_bounded(world, login, django_assert_max_num_queries):
    client = login(world.admin)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("accounts:user_list")).status_code == 200
