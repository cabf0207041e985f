"""Issue 9, item 4: the password policy MLPS level 2 (等保二级) expects, set per office: length
and character classes, no reuse of the last passwords, expiry."""

import datetime

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from dudao.accounts import passwords, services
from dudao.accounts.models import OfficeSecurityPolicy, PasswordHistory, User
from dudao.audit.models import AuditEntry
from dudao.core.errors import DomainError, NotPermitted

from ..conftest import PASSWORD


def change_own(client, new, current=PASSWORD):
    return client.post(reverse("accounts:password"), {"current_password": current, "password": new})


def reset_by_admin(client, world, new):
    return client.post(
        reverse("accounts:user_password", args=[world.inspector_user.pk]), {"password": new}
    )


# ---- complexity -----------------------------------------------------------------------------


@pytest.mark.parametrize("weak", ["qingheshiyan", "qinghe20261", "QINGHE20261"])
def test_weak_password_is_refused_by_the_default_policy(world, login, weak):
    client = login(world.admin)
    response = reset_by_admin(client, world, weak)
    assert response.status_code == 200
    # The rule is named, in the page's language (Chinese first).
    assert "须至少混合以下 3 类" in response.content.decode()
    world.inspector_user.refresh_from_db()
    assert world.inspector_user.check_password(PASSWORD)


def test_three_classes_pass_the_default_policy(world, login):
    client = login(world.admin)
    response = reset_by_admin(client, world, "Qinghe-school")
    assert response.status_code == 302
    world.inspector_user.refresh_from_db()
    assert world.inspector_user.check_password("Qinghe-school")


def test_the_office_policy_applies_its_own_length_and_classes(world):
    OfficeSecurityPolicy.objects.create(office=world.office, min_length=12, require_classes=4)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        validate_password("qinghe-2026", world.inspector_user)
    assert len(refused.value.messages) == 2
    assert "at least 12 characters; this one has 11" in refused.value.messages[0]
    assert "Mix at least 4 of these" in refused.value.messages[1]
    validate_password("Qinghe-2026!x", world.inspector_user)
    # The other county keeps the defaults.
    validate_password("qinghe-2026", world.other_admin)


def test_messages_say_the_rule(world, settings):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        passwords.ComplexityValidator().validate("abcdefghij", world.admin)
    assert refused.value.messages == [
        "Mix at least 3 of these: lower-case letters, upper-case letters, digits, symbols "
        "(this password has 1)."
    ]


# ---- history --------------------------------------------------------------------------------


def test_the_current_password_cannot_be_set_again(world, login):
    client = login(world.admin)
    response = reset_by_admin(client, world, PASSWORD)
    assert response.status_code == 200
    world.inspector_user.refresh_from_db()
    assert PasswordHistory.objects.filter(user=world.inspector_user).count() == 0


def test_reuse_of_the_last_passwords_is_refused(world, login):
    """history_count 3: the last three (the current one included) are refused, the fourth
    back may come again."""
    OfficeSecurityPolicy.objects.create(office=world.office, history_count=3)
    target = world.inspector_user
    for password in ["Qinghe-one-1", "Qinghe-two-2", "Qinghe-three-3", "Qinghe-four-4"]:
        services.set_password(world.admin, target, password)
    target.refresh_from_db()
    for old in ["Qinghe-two-2", "Qinghe-three-3", "Qinghe-four-4"]:
        with translation.override("en"), pytest.raises(ValidationError) as refused:
            validate_password(old, target)
        assert refused.value.messages == ["Choose a password different from your last 3 passwords."]
    validate_password("Qinghe-one-1", target)  # 4 passwords back: allowed again

    client = login(world.admin)
    assert reset_by_admin(client, world, "Qinghe-two-2").status_code == 200
    target.refresh_from_db()
    assert target.check_password("Qinghe-four-4")


def test_own_change_refuses_reuse_too(world, login):
    client = login(world.inspector_user)
    assert change_own(client, "Qinghe-new-2026").status_code == 302
    client = login(User.objects.get(pk=world.inspector_user.pk))
    response = change_own(client, PASSWORD, current="Qinghe-new-2026")
    assert response.status_code == 200
    assert User.objects.get(pk=world.inspector_user.pk).check_password("Qinghe-new-2026")


def test_history_keeps_a_bounded_number_of_hashes(world):
    for i in range(passwords.HISTORY_KEPT + 3):
        services.set_password(world.admin, world.inspector_user, f"Qinghe-{i:02d}-pw")
    assert (
        PasswordHistory.objects.filter(user=world.inspector_user).count() == passwords.HISTORY_KEPT
    )


def test_history_stores_hashes_not_passwords(world):
    services.set_password(world.admin, world.inspector_user, "Qinghe-secret-9")
    stored = PasswordHistory.objects.filter(user=world.inspector_user).latest("pk").encoded
    assert "Qinghe-secret-9" not in stored
    assert stored == User.objects.get(pk=world.inspector_user.pk).password


def test_a_new_account_starts_its_history_and_expiry(world):
    user = services.create_user(
        world.admin,
        world.office,
        password="Qinghe-first-1",
        username="newcomer",
        role="school",
        school=world.far_school,
    )
    assert PasswordHistory.objects.filter(user=user).count() == 1
    assert user.password_changed_at == User.objects.get(pk=user.pk).password_changed_at
    assert not passwords.is_expired(user)


# ---- expiry ---------------------------------------------------------------------------------


def test_expired_password_sends_to_the_change_page(world, login, clock):
    client = login(world.inspector_user)
    assert client.get(reverse("schools:list")).status_code == 200
    clock.shift(datetime.timedelta(days=91))
    client = login(world.inspector_user)  # the session itself lasted 12 hours
    response = client.get(reverse("schools:list"))
    assert response.status_code == 302
    assert response.url == reverse("accounts:password")
    # Only the change page, logout, static files and the language switch stay open.
    assert client.get(reverse("accounts:password")).status_code == 200
    assert client.post(reverse("inspectors:zone_list")).status_code == 302
    htmx = client.get(reverse("schools:list"), HTTP_HX_REQUEST="true")
    assert htmx["HX-Redirect"] == reverse("accounts:password")
    # A new password opens everything again.
    assert change_own(client, "Qinghe-after-91").status_code == 302
    assert client.get(reverse("schools:list")).status_code == 200


def test_expiry_follows_the_office_setting(world, login, clock):
    client = login(world.admin)
    passwords.update_security_policy(world.admin, world.office, max_age_days=0)
    clock.shift(datetime.timedelta(days=400))
    client = login(world.admin)
    assert client.get(reverse("schools:list")).status_code == 200
    passwords.update_security_policy(world.admin, world.office, max_age_days=365)
    clock.shift(datetime.timedelta(days=1))
    client = login(world.admin)
    assert client.get(reverse("schools:list")).status_code == 302


def test_expiry_exempts_accounts_without_office(world, login, clock):
    clock.shift(datetime.timedelta(days=400))
    assert login(world.superuser).get(reverse("schools:list")).status_code == 200


def test_fresh_passwords_cost_no_query(world, login, django_assert_num_queries):
    """The middleware reads the policy only for a password older than the shortest expiry an
    office may set."""
    request_user = world.inspector_user
    with django_assert_num_queries(0):
        assert not passwords.is_expired(request_user)


# ---- the office admin's page ------------------------------------------------------------------


def test_office_admin_sets_the_policy_and_it_is_audited(world, login):
    client = login(world.admin)
    assert client.get(reverse("accounts:security_policy")).status_code == 200
    response = client.post(
        reverse("accounts:security_policy"),
        {
            "min_length": 10,
            "require_classes": 4,
            "history_count": 6,
            "max_age_days": 60,
            "remember_days": 14,
            "require_totp_for_admins": "on",
        },
    )
    assert response.status_code == 302
    policy = OfficeSecurityPolicy.objects.get(office=world.office)
    assert (policy.min_length, policy.require_classes, policy.history_count) == (10, 4, 6)
    assert policy.max_age_days == 60 and policy.require_totp_for_admins
    assert policy.remember_days == 14
    entry = AuditEntry.all_objects.get(target_type="accounts.OfficeSecurityPolicy")
    assert entry.office_id == world.office.pk and entry.actor == world.admin
    # Saving again records what changed.
    client.post(
        reverse("accounts:security_policy"),
        {
            "min_length": 12,
            "require_classes": 4,
            "history_count": 6,
            "max_age_days": 60,
            "remember_days": 14,
        },
    )
    last = AuditEntry.all_objects.filter(action="update").latest("pk")
    assert last.changes["min_length"] == [10, 12]
    assert last.changes["require_totp_for_admins"] == [True, False]


@pytest.mark.parametrize(
    ("field", "value"),
    [("min_length", 6), ("require_classes", 5), ("history_count", 25), ("max_age_days", 7)],
)
def test_policy_limits(world, login, field, value):
    values = {"min_length": 8, "require_classes": 3, "history_count": 5, "max_age_days": 90}
    response = login(world.admin).post(reverse("accounts:security_policy"), values | {field: value})
    assert response.status_code == 200
    assert not OfficeSecurityPolicy.objects.exists()
    with pytest.raises(DomainError):
        passwords.update_security_policy(world.admin, world.office, **(values | {field: value}))


@pytest.mark.parametrize(
    "role", ["zone_leader", "inspector", "school", "viewer", "other_admin", "superuser"]
)
def test_only_the_office_admin_sets_the_policy(world, role):
    with pytest.raises(NotPermitted):
        passwords.update_security_policy(world.personas()[role], world.office, min_length=12)
    assert not OfficeSecurityPolicy.objects.exists()
    assert not AuditEntry.all_objects.filter(target_type="accounts.OfficeSecurityPolicy").exists()


def test_missing_row_means_defaults(world):
    policy = passwords.policy_for(world.office)
    assert policy.pk is None
    assert (policy.min_length, policy.require_classes, policy.history_count) == (8, 3, 5)
    assert (policy.max_age_days, policy.require_totp_for_admins) == (90, False)
