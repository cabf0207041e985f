"""The office's password policy (MLPS level 2, 等保二级, 身份鉴别): complexity, no reuse of the
last passwords, expiry.

- `policy_for(office)`: the office's `OfficeSecurityPolicy`, or the defaults when it has none
  (and for accounts without an office: the superuser, a new account not yet saved).
- `ComplexityValidator` and `HistoryValidator`: password validators, registered in
  settings.AUTH_PASSWORD_VALIDATORS beside Django's, so every `validate_password(password,
  user)` applies the user's office policy.
- `remember(user)`: after a password is set (services.create_user, services.set_password):
  keeps its hash in `PasswordHistory` and restarts the expiry clock.
- `is_expired(user)`: the password is older than the office's `max_age_days`
  (dudao.accounts.middleware sends the user to the change-password page).
- `update_security_policy(actor, office, **values)`: the office admin's write.
"""

import string
from datetime import timedelta

from django.contrib.auth.hashers import check_password, is_password_usable
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dudao.audit import services as audit
from dudao.core import guards
from dudao.core.errors import DomainError

from .models import OfficeSecurityPolicy, PasswordHistory

# Rows kept per user: the most an office may ask to remember.
HISTORY_KEPT = 24

POLICY_FIELDS = (
    "min_length",
    "require_classes",
    "history_count",
    "max_age_days",
    "remember_days",
    "require_totp_for_admins",
)


def default_policy(office=None) -> OfficeSecurityPolicy:
    """The defaults (not saved): what an office without its own row has."""
    return OfficeSecurityPolicy(office=office) if office is not None else OfficeSecurityPolicy()


def policy_for(office) -> OfficeSecurityPolicy:
    """The policy of `office` (an Office, its pk or None); the defaults when it has no row."""
    office_id = getattr(office, "pk", office)
    if office_id is None:
        return default_policy()
    policy = OfficeSecurityPolicy.objects.filter(office_id=office_id).first()
    if policy is None:
        policy = OfficeSecurityPolicy(office_id=office_id)
    return policy


def _policy_of_user(user) -> OfficeSecurityPolicy:
    return policy_for(getattr(user, "office_id", None) if user is not None else None)


# ---- complexity ---------------------------------------------------------------------------


def character_classes(password: str) -> set[str]:
    """Which of the four classes a password uses: lower, upper, digits, symbols (any other
    character, Chinese included, counts as a symbol)."""
    found = set()
    for char in password:
        if char in string.ascii_lowercase or (char.isalpha() and char.islower()):
            found.add("lower")
        elif char in string.ascii_uppercase or (char.isalpha() and char.isupper()):
            found.add("upper")
        elif char.isdigit():
            found.add("digits")
        else:
            found.add("symbols")
    return found


def _classes_text() -> str:
    return _("lower-case letters, upper-case letters, digits, symbols")


class ComplexityValidator:
    """The office's minimum length and the number of character classes a password mixes."""

    def validate(self, password, user=None):
        policy = _policy_of_user(user)
        errors = []
        if len(password) < policy.min_length:
            errors.append(
                ValidationError(
                    ngettext(
                        "Your office requires passwords of at least %(min)d character; this one "
                        "has %(length)d.",
                        "Your office requires passwords of at least %(min)d characters; this one "
                        "has %(length)d.",
                        policy.min_length,
                    )
                    % {"min": policy.min_length, "length": len(password)},
                    code="password_too_short_for_policy",
                )
            )
        found = len(character_classes(password))
        if found < policy.require_classes:
            errors.append(
                ValidationError(
                    _(
                        "Mix at least %(required)d of these: %(classes)s (this password has "
                        "%(found)d)."
                    )
                    % {
                        "required": policy.require_classes,
                        "classes": _classes_text(),
                        "found": found,
                    },
                    code="password_too_simple",
                )
            )
        if errors:
            raise ValidationError(errors)

    def get_help_text(self):
        policy = default_policy()
        return _(
            "At least %(min)d characters, mixing %(required)d of: %(classes)s (or as your "
            "office sets)."
        ) % {
            "min": policy.min_length,
            "required": policy.require_classes,
            "classes": _classes_text(),
        }


# ---- history ------------------------------------------------------------------------------


def recent_hashes(user, count: int) -> list[str]:
    """The hashes of the user's last `count` passwords, the current one first."""
    if count <= 0 or user is None or not getattr(user, "pk", None):
        return []
    hashes = list(
        PasswordHistory.objects.filter(user_id=user.pk)
        .order_by("-created_at", "-pk")
        .values_list("encoded", flat=True)[:count]
    )
    current = getattr(user, "password", "")
    if current and current not in hashes:
        hashes = [current, *hashes][:count]
    return hashes


class HistoryValidator:
    """A new password may not equal the current one or any of the last `history_count`."""

    def validate(self, password, user=None):
        if user is None or not getattr(user, "pk", None):
            return
        count = _policy_of_user(user).history_count
        for encoded in recent_hashes(user, max(count, 1)):
            if check_password(password, encoded):
                if count <= 1:
                    message = _("Choose a password different from the current one.")
                else:
                    message = _(
                        "Choose a password different from your last %(count)d passwords."
                    ) % {"count": count}
                raise ValidationError(message, code="password_reused")

    def get_help_text(self):
        return _("It may not repeat one of your last passwords.")


# ---- recording and expiry -----------------------------------------------------------------


def remember(user) -> None:
    """Call after `user`'s password was set and saved: its hash joins the history (the oldest
    beyond HISTORY_KEPT go) and the expiry clock restarts."""
    now = timezone.now()
    previous, previous_at = getattr(user, "_previous_password", ("", None))
    if (
        previous
        and is_password_usable(previous)
        and not PasswordHistory.objects.filter(user_id=user.pk).exists()
    ):
        # The first change of a password set before the history began (an account created
        # before this policy, a test factory): keep the one being replaced too.
        PasswordHistory.objects.create(
            user_id=user.pk, encoded=previous, created_at=min(previous_at or now, now)
        )
    PasswordHistory.objects.create(user_id=user.pk, encoded=user.password, created_at=now)
    stale = (
        PasswordHistory.objects.filter(user_id=user.pk)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)[HISTORY_KEPT:]
    )
    PasswordHistory.objects.filter(pk__in=list(stale)).delete()
    type(user).objects.filter(pk=user.pk).update(password_changed_at=now)
    user.password_changed_at = now


def expires_at(user, policy=None):
    """When the user's password expires (None: never, or the account has no office)."""
    if user.is_superuser or not user.office_id or user.password_changed_at is None:
        return None
    policy = policy or policy_for(user.office_id)
    if not policy.max_age_days:
        return None
    return user.password_changed_at + timedelta(days=policy.max_age_days)


def may_be_expired(user) -> bool:
    """Cheap first check, no query: a password younger than the shortest expiry an office may
    set cannot have expired."""
    if user.is_superuser or not user.office_id or user.password_changed_at is None:
        return False
    shortest = timedelta(days=OfficeSecurityPolicy.MIN_MAX_AGE_DAYS)
    return timezone.now() - user.password_changed_at >= shortest


def is_expired(user) -> bool:
    if not may_be_expired(user):
        return False
    deadline = expires_at(user)
    return deadline is not None and timezone.now() >= deadline


# ---- the office admin's write -------------------------------------------------------------


@transaction.atomic
def update_security_policy(actor, office, **values) -> OfficeSecurityPolicy:
    """Set `office`'s policy (the office admin of that office). Audited as a change of the
    policy row (created on the first save)."""
    guards.require_office_admin(actor, office)
    office_id = getattr(office, "pk", office)
    policy = OfficeSecurityPolicy.objects.select_for_update().filter(office_id=office_id).first()
    created = policy is None
    if created:
        policy = OfficeSecurityPolicy(office_id=office_id)
    before = audit.snapshot(policy)
    for key, value in values.items():
        if key in POLICY_FIELDS:
            setattr(policy, key, value)
    try:
        policy.full_clean(exclude=["office"])
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise DomainError(messages[0], field=None if field == "__all__" else field) from error
    policy.save()
    if created:
        audit.record(actor, audit.Action.CREATE, policy, audit.diff(before, audit.snapshot(policy)))
    else:
        audit.record_update(actor, policy, before)
    return policy
