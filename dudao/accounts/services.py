"""Accounts: the one login path (throttled, audited), and user management by the office admin
(checked by the guards, dudao/core/guards.py: the office admin of the account's office; a
password also by its owner)."""

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dudao.audit import services as audit
from dudao.audit.middleware import client_ip
from dudao.audit.models import AuditEntry
from dudao.core import guards
from dudao.core.errors import DomainError, NotPermitted

from . import passwords, throttle
from .models import Role, User


class LoginThrottled(DomainError):
    """Too many failed attempts: the attempt was refused without checking the password.
    `wait` is the number of seconds before the next attempt may be made."""

    def __init__(self, message, *, wait: int, field: str | None = None):
        super().__init__(message, field=field)
        self.wait = wait


def find_account(login: str) -> User | None:
    """The account a login string names: an exact username (any case) first, else a phone."""
    login = (login or "").strip()
    if not login:
        return None
    return (
        User.objects.filter(username__iexact=login).first()
        or User.objects.filter(phone=login).first()
    )


def _throttled_message(wait: int) -> str:
    return ngettext(
        "Too many failed attempts for this account or from this network: "
        "try again in %(seconds)d second.",
        "Too many failed attempts for this account or from this network: "
        "try again in %(seconds)d seconds.",
        wait,
    ) % {"seconds": wait}


def attempt_login(request, login: str, password: str) -> User:
    """The one authentication path (the login page and Django admin's login both call it).

    Throttled without locks (`throttle`): an attempt that must still wait is refused
    without checking the password, with the same message and work whether the account
    exists or not. Every attempt is audited (LOGIN, or LOGIN_FAILED with its reason).
    Raises LoginThrottled or DomainError on refusal."""
    login = (login or "").strip()[:150]
    device, device_user = throttle.device_account(request, login)
    buckets = throttle.buckets_for(login, client_ip(request), device, device_user)
    wait = throttle.wait_seconds(buckets, login)
    if wait:
        throttle.dummy_password_check(password)
        _audit_failure(login, "throttled", wait=wait)
        raise LoginThrottled(_throttled_message(wait), wait=wait)
    throttle.count_attempt(buckets, login)
    user = authenticate(request, username=login, password=password)
    if user is None:
        throttle.count_failure(buckets, login)
        account = find_account(login)
        if account is None:
            reason = "unknown_login"
        elif not account.is_active:
            reason = "inactive"
        else:
            reason = "wrong_password"
        _audit_failure(login, reason, account=account)
        raise DomainError(_("The username/phone or password is incorrect."))
    throttle.succeeded(buckets, login)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_login_count=0)
        user.failed_login_count = 0
        audit.record(user, AuditEntry.Action.LOGIN, user, {"known_device": device is not None})
    return user


@transaction.atomic
def _audit_failure(login: str, reason: str, *, account: User | None = None, wait: int = 0):
    """A LOGIN_FAILED row with its reason; a wrong password also counts on the account's
    consecutive failures (information for the office admin, never a lock)."""
    if account is None and reason == "throttled":
        account = find_account(login)  # after the decision: only for the audit row
    changes = {"login": login, "reason": reason}
    if wait:
        changes["wait_seconds"] = wait
    if account is not None and reason == "wrong_password":
        User.objects.filter(pk=account.pk).update(failed_login_count=F("failed_login_count") + 1)
        account.refresh_from_db(fields=["failed_login_count"])
        changes["failures"] = account.failed_login_count
    audit.record(account, AuditEntry.Action.LOGIN_FAILED, account, changes)


def verify_current_password(request, user: User, password: str) -> None:
    """Changing one's own password asks for the current one: checked through the same
    throttle (a stolen session must not become a password oracle) and audited when wrong.
    Raises LoginThrottled or DomainError on the form's `current_password` field."""
    login = f"#password-change:{user.pk}"
    buckets = throttle.buckets_for(login, client_ip(request))[1:]  # not the whole address
    wait = throttle.wait_seconds(buckets, login)
    if wait:
        throttle.dummy_password_check(password)
        _audit_failure(user.username, "throttled_current_password", account=user, wait=wait)
        raise LoginThrottled(_throttled_message(wait), wait=wait, field="current_password")
    throttle.count_attempt(buckets, login)
    if not user.check_password(password or ""):
        _audit_failure(user.username, "wrong_current_password", account=user)
        raise DomainError(_("The current password is incorrect."), field="current_password")
    throttle.succeeded(buckets, login)


USER_FIELDS = [
    "username",
    "display_name",
    "phone",
    "email",
    "role",
    "inspector",
    "school",
    "region",
    "is_active",
]


def _anchor(user: User, office):
    """Tie the account to what its role scopes by, inside the admin's own office."""
    role = user.role
    user.office = office
    if role == Role.OFFICE_ADMIN:
        user.inspector = user.school = user.region = None
    elif role in (Role.INSPECTOR, Role.ZONE_LEADER):
        if user.inspector is None or user.inspector.office_id != office.pk:
            raise DomainError(_("Choose the inspector record for this account."), field="inspector")
        if role == Role.ZONE_LEADER and not user.inspector.led_zones.exists():
            raise DomainError(
                _("%(name)s leads no zone; set them as a zone's leader first.")
                % {"name": user.inspector.name},
                field="inspector",
            )
        user.school = user.region = None
    elif role == Role.SCHOOL:
        if user.school is None or user.school.office_id != office.pk:
            raise DomainError(_("Choose the school for this account."), field="school")
        user.inspector = user.region = None
    elif role == Role.VIEWER:
        region = user.region
        if (
            region is None
            or region.level not in ("city", "province")
            or not (office.region.path.startswith(region.path))
        ):
            raise DomainError(
                _("Choose the city or province above this county for a viewer."), field="region"
            )
        user.inspector = user.school = None
    else:
        raise DomainError(_("Choose a role."), field="role")
    if user.phone == "":
        user.phone = None


def _check_unique(user: User):
    """One login string, one account: a username or phone may name no other account, as
    its username or as its phone (else one of them could never log in with it)."""
    others = User.objects.exclude(pk=user.pk)
    if others.filter(username__iexact=user.username).exists():
        raise DomainError(_("This username is taken."), field="username")
    if others.filter(phone__iexact=user.username).exists():
        raise DomainError(
            _("This username is another account's phone number; choose another username."),
            field="username",
        )
    if user.phone and others.filter(phone=user.phone).exists():
        raise DomainError(_("Another account already uses this phone number."), field="phone")
    if user.phone and others.filter(username__iexact=user.phone).exists():
        raise DomainError(
            _("This phone number is another account's username; enter another number."),
            field="phone",
        )
    if (
        user.inspector_id
        and User.objects.filter(inspector_id=user.inspector_id).exclude(pk=user.pk).exists()
    ):
        raise DomainError(_("This inspector already has an account."), field="inspector")


def _require_manager(actor, user: User) -> None:
    """The office admin of the account's office; a superuser's account is managed in Django
    admin, never here."""
    guards.require_office_admin(actor, user.office_id)
    if user.is_superuser:
        raise NotPermitted(_("Superuser accounts are managed in the Django admin."))


@transaction.atomic
def create_user(actor, office, *, password: str, **data) -> User:
    guards.require_office_admin(actor, office)
    user = User(**{k: v for k, v in data.items() if k in USER_FIELDS})
    _anchor(user, office)
    _check_unique(user)
    user.set_password(password)
    user.save()
    passwords.remember(user)
    audit.record_create(actor, user)
    return user


@transaction.atomic
def update_user(actor, user: User, **data) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    _require_manager(actor, user)
    before = audit.snapshot(user)
    for key, value in data.items():
        if key in USER_FIELDS:
            setattr(user, key, value)
    if user.pk == actor.pk and (not user.is_active or user.role != Role.OFFICE_ADMIN):
        raise DomainError(_("You cannot deactivate or demote your own account."))
    _anchor(user, user.office or actor.office)
    _check_unique(user)
    user.save()
    audit.record_update(actor, user, before)
    return user


@transaction.atomic
def set_password(actor, user: User, password: str) -> User:
    """The account's owner changes its own password (the view checked the current one with
    `verify_current_password`); the office admin resets one of its office's accounts, which
    also clears the failed attempts counted for its username and phone."""
    user = User.objects.select_for_update().get(pk=user.pk)
    guards.require_self_or_office_admin(actor, user)
    user.set_password(password)
    user.failed_login_count = 0
    user.save(update_fields=["password", "failed_login_count"])
    passwords.remember(user)
    audit.record(actor, audit.Action.UPDATE, user, {"password": ["***", "***"]})
    if actor.pk != user.pk:
        transaction.on_commit(lambda: throttle.clear_login(user.username, user.phone or ""))
    return user


def set_preferred_language(user: User, language: str) -> None:
    """Remember the language `user` chose in the switcher (one of settings.LANGUAGES). Not
    audited: a display preference, not a record."""
    if language not in dict(settings.LANGUAGES) or user.language == language:
        return
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language
