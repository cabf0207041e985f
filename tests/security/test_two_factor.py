"""Issue 9, item 4: an optional second factor (TOTP, RFC 6238) for office admins. Codes are
computed from the secret and the pinned clock."""

import datetime

import pytest
from django.urls import reverse

from dudao.accounts import passwords, twofactor
from dudao.accounts.models import OfficeSecurityPolicy, TOTPDevice
from dudao.audit.models import AuditEntry
from dudao.core.errors import DomainError, NotPermitted

from ..conftest import PASSWORD

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def code(secret=SECRET, shift=0):
    return twofactor.code_at(secret, twofactor.step_at() + shift)


def device_for(user, secret=SECRET, last_used_step=0):
    from django.utils import timezone

    return TOTPDevice.objects.create(
        user=user, secret=secret, confirmed_at=timezone.now(), last_used_step=last_used_step
    )


def post_login(client, login="admin", password=PASSWORD, next_url=""):
    data = {"login": login, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("accounts:login"), data)


def verify(client, value):
    return client.post(reverse("accounts:login_verify"), {"code": value})


def logged_in(client):
    return "_auth_user_id" in client.session


# ---- RFC 6238 -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
    ],
)
def test_rfc_6238_vectors(seconds, expected):
    """The SHA-1 test vectors of RFC 6238 appendix B (8 digits there; we show the last 6)."""
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # base32 of "12345678901234567890"
    assert twofactor.code_at(secret, seconds // 30) == expected[-6:]


def test_new_secrets_are_random_base32_of_160_bits():
    first, second = twofactor.new_secret(), twofactor.new_secret()
    assert first != second and len(first) == 32
    assert twofactor.matching_step(first, twofactor.code_at(first, twofactor.step_at()))


def test_one_step_of_drift_either_way():
    now = twofactor.step_at()
    assert twofactor.matching_step(SECRET, code(shift=-1)) == now - 1
    assert twofactor.matching_step(SECRET, code(shift=1)) == now + 1
    assert twofactor.matching_step(SECRET, code(shift=-2)) is None
    assert twofactor.matching_step(SECRET, code(shift=2)) is None
    assert twofactor.matching_step(SECRET, "12345") is None
    assert twofactor.matching_step(SECRET, "abcdef") is None


# ---- sign-in --------------------------------------------------------------------------------


def test_without_a_device_the_password_is_enough(world, client):
    assert post_login(client).status_code == 302
    assert logged_in(client)


def test_a_confirmed_device_asks_for_the_code(world, client):
    device_for(world.admin)
    response = post_login(client, next_url="/schools/")
    assert response.status_code == 302
    assert response.url == reverse("accounts:login_verify")
    assert not logged_in(client)
    assert client.get(reverse("schools:list")).status_code == 302  # not in yet
    page = client.get(reverse("accounts:login_verify"))
    assert page.status_code == 200
    response = verify(client, code())
    assert response.status_code == 302 and response.url == "/schools/"
    assert logged_in(client)
    entry = AuditEntry.all_objects.filter(action="login").latest("pk")
    assert entry.changes == {"second_factor": "totp"} and entry.actor == world.admin


def test_an_unconfirmed_device_asks_nothing(world, client):
    TOTPDevice.objects.create(user=world.admin, secret=SECRET)
    assert post_login(client).status_code == 302
    assert logged_in(client)


def test_wrong_code_is_refused_and_audited(world, client):
    device_for(world.admin)
    post_login(client)
    wrong = "000000" if code() != "000000" else "111111"
    response = verify(client, wrong)
    assert response.status_code == 200
    assert not logged_in(client)
    assert "4" in response.content.decode()  # tries left
    failure = AuditEntry.all_objects.filter(action="login_failed").latest("pk")
    assert failure.changes["reason"] == "totp" and failure.actor == world.admin


def test_a_code_is_accepted_once(world, client):
    device = device_for(world.admin)
    used = code()
    post_login(client)
    assert verify(client, used).status_code == 302
    client.post(reverse("accounts:logout"))
    post_login(client)
    response = verify(client, used)  # replayed within its 30 seconds
    assert response.status_code == 200 and not logged_in(client)
    device.refresh_from_db()
    assert device.last_used_step == twofactor.step_at()
    # An older step than the one used is refused too.
    assert not twofactor.use_code(device, code(shift=-1))
    assert twofactor.use_code(device, code(shift=1))


def test_five_wrong_codes_drop_the_pending_login(world, client):
    device_for(world.admin)
    post_login(client)
    wrong = "000000" if code() != "000000" else "111111"
    for _ in range(4):
        assert verify(client, wrong).status_code == 200
    response = verify(client, wrong)
    assert response.status_code == 302 and response.url == reverse("accounts:login")
    # The right code no longer helps: start again with the password.
    response = verify(client, code())
    assert response.status_code == 302 and response.url == reverse("accounts:login")
    assert not logged_in(client)
    assert AuditEntry.all_objects.filter(action="login_failed", changes__reason="totp").count() == 5
    post_login(client)
    assert verify(client, code()).status_code == 302 and logged_in(client)


def test_wrong_codes_are_limited_per_account_across_logins(world, client):
    device_for(world.admin)
    wrong = "000000" if code() != "000000" else "111111"
    for _ in range(twofactor.ACCOUNT_WRONG_CODES // twofactor.MAX_WRONG_CODES):
        post_login(client)
        for _ in range(twofactor.MAX_WRONG_CODES):
            verify(client, wrong)
    post_login(client)
    response = verify(client, code())
    assert response.status_code == 302 and response.url == reverse("accounts:login")
    assert not logged_in(client)


def test_the_pending_login_expires_after_five_minutes(world, client, clock):
    device_for(world.admin)
    post_login(client)
    clock.shift(datetime.timedelta(minutes=5, seconds=5))
    response = verify(client, code())
    assert response.status_code == 302 and response.url == reverse("accounts:login")
    assert not logged_in(client)


def test_no_pending_login_no_code_page(world, client):
    response = client.get(reverse("accounts:login_verify"))
    assert response.status_code == 302 and response.url == reverse("accounts:login")


def test_a_foreign_next_is_not_followed(world, client):
    device_for(world.admin)
    post_login(client, next_url="https://evil.example/")
    response = verify(client, code())
    assert response.status_code == 302 and response.url == "/"


def test_the_office_can_require_it_of_its_admins(world, client):
    """The first login after the requirement sets the app up before the session opens."""
    OfficeSecurityPolicy.objects.create(office=world.office, require_totp_for_admins=True)
    response = post_login(client)
    assert response.url == reverse("accounts:login_verify") and not logged_in(client)
    page = client.get(reverse("accounts:login_verify"))
    assert page.status_code == 200
    assert 'src="data:image/svg+xml;base64,' in page.content.decode()
    secret = client.session[twofactor.PENDING_KEY]["secret"]
    assert twofactor.spaced(secret) in page.content.decode()
    assert verify(client, twofactor.code_at(secret, twofactor.step_at())).status_code == 302
    assert logged_in(client)
    device = TOTPDevice.objects.get(user=world.admin)
    assert device.secret == secret and device.confirmed_at
    # Other roles are not asked.
    client.post(reverse("accounts:logout"))
    assert post_login(client, "inspector").status_code == 302 and logged_in(client)


# ---- set up and turn off --------------------------------------------------------------------


def test_any_user_sets_it_up_with_a_code(world, login):
    client = login(world.inspector_user)
    page = client.get(reverse("accounts:twofactor"))
    assert page.status_code == 200
    body = page.content.decode()
    assert '<img src="data:image/svg+xml;base64,' in body
    assert "<script" not in body.split("<main", 1)[-1].split("</main>")[0]
    secret = client.session[twofactor.SETUP_KEY]
    wrong = "000000" if code(secret) != "000000" else "111111"
    assert client.post(reverse("accounts:twofactor"), {"code": wrong}).status_code == 200
    assert not TOTPDevice.objects.exists()
    response = client.post(reverse("accounts:twofactor"), {"code": code(secret)})
    assert response.status_code == 302
    device = TOTPDevice.objects.get(user=world.inspector_user)
    assert device.secret == secret and device.confirmed_at
    assert AuditEntry.all_objects.filter(
        target_id=str(world.inspector_user.pk), changes__two_factor=[False, True]
    ).exists()
    # The page now offers to turn it off.
    assert "twofactor/disable" in client.get(reverse("accounts:twofactor")).content.decode()


def test_the_provisioning_uri(world):
    uri = twofactor.provisioning_uri(SECRET, "admin")
    assert uri.startswith("otpauth://totp/Dudao%3Aadmin?secret=" + SECRET)
    assert "issuer=Dudao" in uri and "digits=6" in uri and "period=30" in uri


def test_turning_it_off_needs_the_password_and_a_code(world, login):
    device = device_for(world.admin)
    client = login(world.admin)
    url = reverse("accounts:twofactor_disable")
    assert client.post(url, {"password": PASSWORD}).status_code == 200
    assert client.post(url, {"password": "wrong", "code": code()}).status_code == 200
    wrong = "000000" if code() != "000000" else "111111"
    assert client.post(url, {"password": PASSWORD, "code": wrong}).status_code == 200
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert client.post(url, {"password": PASSWORD, "code": code()}).status_code == 302
    assert not TOTPDevice.objects.exists()
    assert AuditEntry.all_objects.filter(changes__two_factor=[True, False]).exists()


def test_it_cannot_be_turned_off_when_the_office_requires_it(world):
    device_for(world.admin)
    OfficeSecurityPolicy.objects.create(office=world.office, require_totp_for_admins=True)
    with pytest.raises(DomainError):
        twofactor.disable_device(world.admin, PASSWORD, code())
    assert TOTPDevice.objects.exists()


def test_the_office_admin_removes_a_lost_app(world, login):
    device_for(world.inspector_user)
    for role in ("zone_leader", "inspector", "school", "viewer", "other_admin", "superuser"):
        with pytest.raises(NotPermitted):
            twofactor.reset_device(world.personas()[role], world.inspector_user)
    assert TOTPDevice.objects.exists()
    client = login(world.admin)
    page = client.get(reverse("accounts:security_policy")).content.decode()
    assert reverse("accounts:twofactor_reset", args=[world.inspector_user.pk]) in page
    response = client.post(reverse("accounts:twofactor_reset", args=[world.inspector_user.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.exists()


def test_the_secret_stays_out_of_the_audit_log(world, login):
    client = login(world.inspector_user)
    client.get(reverse("accounts:twofactor"))
    secret = client.session[twofactor.SETUP_KEY]
    client.post(reverse("accounts:twofactor"), {"code": code(secret)})
    for entry in AuditEntry.all_objects.all():
        assert secret not in str(entry.changes)


def test_the_requirement_is_part_of_the_policy(world):
    passwords.update_security_policy(world.admin, world.office, require_totp_for_admins=True)
    assert twofactor.is_required(world.admin)
    assert not twofactor.is_required(world.inspector_user)
    assert not twofactor.is_required(world.other_admin)
