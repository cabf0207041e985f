"""Two-step verification: time-based one-time passwords from an authenticator app (TOTP,
RFC 6238: HMAC-SHA1, 6 digits, 30-second steps, one step of drift either way), with the
standard library only.

A user's `TOTPDevice` holds the shared secret (base32) and the last step a code was used for,
so a code is accepted once (replay refused). Any user may turn it on (page
`accounts:twofactor`); an office may require it of its office admins
(`OfficeSecurityPolicy.require_totp_for_admins`), who then set it up at their next sign-in.

Sign-in: once the password is right, `second_factor_redirect` keeps the pending sign-in in
the session (user, backend, next page, time) instead of logging in, and sends the browser to
`accounts:login_verify`, which asks for the code (or, for an office admin who must use it and
has no device yet, sets one up). A pending sign-in lasts PENDING_SECONDS; MAX_WRONG_CODES
wrong codes drop it (start again with the password). Wrong codes are audited
(LOGIN_FAILED, reason "totp").
"""

import base64
import hashlib
import hmac
import secrets
import struct
from io import BytesIO
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.audit import services as audit
from dudao.audit.models import AuditEntry
from dudao.core import guards
from dudao.core.errors import DomainError

from .models import Role, TOTPDevice, User
from .passwords import policy_for

PERIOD = 30  # seconds per step
DIGITS = 6
DRIFT = 1  # steps accepted before and after the current one
ISSUER = "Dudao"

PENDING_KEY = "pending_login"
PENDING_SECONDS = 5 * 60
MAX_WRONG_CODES = 5  # per pending sign-in: then start again with the password
# Per account, whatever the number of sign-ins: past this many wrong codes in the window, no
# code is checked until the window ends (only someone who knows the password gets here).
ACCOUNT_WRONG_CODES = 20
ACCOUNT_WINDOW_SECONDS = 60 * 60
SETUP_KEY = "totp_setup_secret"


# ---- RFC 6238 -----------------------------------------------------------------------------


def new_secret() -> str:
    """160 random bits in base32 (RFC 4226 recommends 160), as authenticator apps take it."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")


def _key(secret: str) -> bytes:
    secret = secret.strip().replace(" ", "").upper()
    return base64.b32decode(secret + "=" * (-len(secret) % 8))


def step_at(moment=None) -> int:
    """The TOTP time step of `moment` (default: now)."""
    moment = moment or timezone.now()
    return int(moment.timestamp()) // PERIOD


def code_at(secret: str, step: int) -> str:
    """The 6-digit code of `secret` for time step `step` (HOTP, RFC 4226, of the step)."""
    digest = hmac.new(_key(secret), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**DIGITS).zfill(DIGITS)


def matching_step(secret: str, code: str, after_step: int = 0) -> int | None:
    """The step (now ± DRIFT, later than `after_step`) whose code is `code`, or None."""
    code = "".join((code or "").split())
    if len(code) != DIGITS or not code.isdigit():
        return None
    now = step_at()
    for step in range(now - DRIFT, now + DRIFT + 1):
        if step > after_step and hmac.compare_digest(code_at(secret, step), code):
            return step
    return None


def provisioning_uri(secret: str, account: str) -> str:
    """The otpauth:// URI an authenticator app scans."""
    label = quote(f"{ISSUER}:{account}")
    query = urlencode(
        {
            "secret": secret,
            "issuer": ISSUER,
            "algorithm": "SHA1",
            "digits": DIGITS,
            "period": PERIOD,
        }
    )
    return f"otpauth://totp/{label}?{query}"


def qr_data_uri(text: str) -> str:
    """`text` as a QR code, an SVG in a data: URI for an <img> (no script, no inline style
    in the page)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def spaced(secret: str) -> str:
    """The secret in groups of four, for typing it by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# ---- devices ------------------------------------------------------------------------------


def device_of(user) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if any."""
    if user is None or not getattr(user, "pk", None):
        return None
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed_at__isnull=False).first()


def is_required(user) -> bool:
    """The user's office requires two-step verification of its office admins and the user is
    one."""
    return bool(
        user.role == Role.OFFICE_ADMIN
        and user.office_id
        and policy_for(user.office_id).require_totp_for_admins
    )


@transaction.atomic
def use_code(device: TOTPDevice, code: str) -> bool:
    """Accept `code` for `device` once: it must match a step later than the last one used."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    step = matching_step(device.secret, code, after_step=device.last_used_step)
    if step is None:
        return False
    device.last_used_step = step
    device.save(update_fields=["last_used_step"])
    return True


@transaction.atomic
def confirm_device(actor, secret: str, code: str) -> TOTPDevice:
    """Turn on two-step verification for `actor` with the app holding `secret`, proved by one
    of its codes. Replaces a previous device."""
    guards.require_person(actor)
    user = User.objects.select_for_update().get(pk=actor.pk)
    step = matching_step(secret, code)
    if step is None:
        raise DomainError(
            _("This code does not match: type the 6-digit code your app shows now."), field="code"
        )
    had = TOTPDevice.objects.filter(user=user).exists()
    TOTPDevice.objects.update_or_create(
        user=user,
        defaults={"secret": secret, "confirmed_at": timezone.now(), "last_used_step": step},
    )
    audit.record(actor, audit.Action.UPDATE, user, {"two_factor": [had, True]})
    return TOTPDevice.objects.get(user=user)


@transaction.atomic
def disable_device(actor, password: str, code: str) -> None:
    """Turn off `actor`'s two-step verification: needs the password and a current code."""
    guards.require_person(actor)
    user = User.objects.select_for_update().get(pk=actor.pk)
    device = device_of(user)
    if device is None:
        raise DomainError(_("Two-step verification is not on for your account."))
    if not user.check_password(password or ""):
        raise DomainError(_("The password is incorrect."), field="password")
    if is_required(user):
        raise DomainError(_("Your office requires two-step verification of office administrators."))
    if not use_code(device, code):
        raise DomainError(
            _("This code does not match: type the 6-digit code your app shows now."), field="code"
        )
    device.delete()
    audit.record(actor, audit.Action.UPDATE, user, {"two_factor": [True, False]})


@transaction.atomic
def reset_device(actor, user: User) -> None:
    """The office admin removes an account's authenticator app (a lost phone): the user signs
    in with the password alone, or sets a new app up if the office requires one."""
    user = User.objects.select_for_update().get(pk=user.pk)
    guards.require_office_admin(actor, user.office_id)
    if user.is_superuser:
        raise DomainError(_("Superuser accounts are managed in the Django admin."))
    deleted, _rows = TOTPDevice.objects.filter(user=user).delete()
    if deleted:
        audit.record(actor, audit.Action.UPDATE, user, {"two_factor": [True, False]})


# ---- the pending sign-in ------------------------------------------------------------------


def second_factor_redirect(request, user, next_url: str, remember: bool = False):
    """Call after the password succeeded, instead of `login()`: a redirect to the code page
    when `user` has an authenticator app or must set one up, else None (log in now)."""
    if device_of(user) is None and not is_required(user):
        return None
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": getattr(user, "backend", None) or settings.AUTHENTICATION_BACKENDS[0],
        "next": next_url or "",
        "remember": bool(remember),
        "at": timezone.now().timestamp(),
        "wrong": 0,
    }
    return redirect("accounts:login_verify")


def pending_login(request):
    """(user, pending data) of the sign-in waiting for its code, or (None, None) when there
    is none or it expired (then it is dropped)."""
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None, None
    age = timezone.now().timestamp() - float(pending.get("at", 0))
    user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
    if user is None or not 0 <= age <= PENDING_SECONDS:
        drop_pending(request)
        return None, None
    return user, pending


def save_pending(request, pending: dict) -> None:
    request.session[PENDING_KEY] = pending


def drop_pending(request) -> None:
    request.session.pop(PENDING_KEY, None)


def _account_key(user) -> str:
    return f"totp-wrong:{user.pk}"


def account_blocked(user) -> bool:
    """Too many wrong codes for this account within the window (ACCOUNT_WRONG_CODES)."""
    return (cache.get(_account_key(user)) or 0) >= ACCOUNT_WRONG_CODES


def code_accepted(user) -> None:
    cache.delete(_account_key(user))


def wrong_code(request, user, pending: dict) -> int:
    """Audit a wrong code and count it: the number of tries left (0: the pending sign-in was
    dropped)."""
    key = _account_key(user)
    cache.add(key, 0, ACCOUNT_WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired in between
        cache.set(key, 1, ACCOUNT_WINDOW_SECONDS)
    pending["wrong"] = int(pending.get("wrong", 0)) + 1
    left = MAX_WRONG_CODES - pending["wrong"]
    audit.record(
        user, AuditEntry.Action.LOGIN_FAILED, user, {"reason": "totp", "failures": pending["wrong"]}
    )
    if left <= 0:
        drop_pending(request)
    else:
        save_pending(request, pending)
    return max(left, 0)
