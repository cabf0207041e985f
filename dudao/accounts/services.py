"""Accounts: login with lockout, and user management by the office admin (checked by the
guards, dudao/core/guards.py: the office admin of the account's office; a password also by
its owner)."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.audit import services as audit
from dudao.audit.models import AuditEntry
from dudao.core import guards
from dudao.core.errors import DomainError, NotPermitted

from .models import Role, User


def find_account(login: str) -> User | None:
    login = (login or "").strip()
    if not login:
        return None
    return User.objects.filter(Q(username__iexact=login) | Q(phone=login)).first()


def attempt_login(request, login: str, password: str) -> User:
    """Authenticate, counting failures: after LOGIN_MAX_FAILURES the account is locked for
    LOGIN_LOCKOUT_MINUTES. Every attempt is audited. Raises DomainError on refusal."""
    account = find_account(login)
    if account is not None and account.is_locked:
        audit.record(account, AuditEntry.Action.LOGIN_FAILED, account, {"reason": "locked"})
        raise DomainError(
            _("Too many failed attempts: this account is locked until %(time)s.")
            % {"time": timezone.localtime(account.locked_until).strftime("%H:%M")}
        )
    user = authenticate(request, username=login, password=password)
    if user is None:
        _register_failure(account, login)
        raise DomainError(_("The username/phone or password is incorrect."))
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)
        audit.record(user, AuditEntry.Action.LOGIN, user)
    return user


@transaction.atomic
def _register_failure(account: User | None, login: str):
    if account is None:
        audit.record(None, AuditEntry.Action.LOGIN_FAILED, None, {"login": login[:150]})
        return
    account = User.objects.select_for_update().get(pk=account.pk)
    account.failed_login_count += 1
    changes = {"failures": account.failed_login_count}
    if account.failed_login_count >= settings.LOGIN_MAX_FAILURES:
        account.locked_until = timezone.now() + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
        account.failed_login_count = 0
        audit.record(account, AuditEntry.Action.LOCKED, account, changes)
    else:
        audit.record(account, AuditEntry.Action.LOGIN_FAILED, account, changes)
    account.save(update_fields=["failed_login_count", "locked_until"])


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
    if User.objects.filter(username__iexact=user.username).exclude(pk=user.pk).exists():
        raise DomainError(_("This username is taken."), field="username")
    if user.phone and User.objects.filter(phone=user.phone).exclude(pk=user.pk).exists():
        raise DomainError(_("Another account already uses this phone number."), field="phone")
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
    """The account's owner changes its own password; the office admin resets one of its
    office's accounts (which also unlocks it)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    guards.require_self_or_office_admin(actor, user)
    user.set_password(password)
    user.failed_login_count = 0
    user.locked_until = None
    user.save(update_fields=["password", "failed_login_count", "locked_until"])
    audit.record(actor, audit.Action.UPDATE, user, {"password": ["***", "***"]})
    return user


def set_preferred_language(user: User, language: str) -> None:
    """Remember the language `user` chose in the switcher (one of settings.LANGUAGES). Not
    audited: a display preference, not a record."""
    if language not in dict(settings.LANGUAGES) or user.language == language:
        return
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language
