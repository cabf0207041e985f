"""Login throttling without locks (issue 9, items 1-2).

Nobody can lock an account from outside. Failed attempts are counted in Django's cache on
*buckets*, and a bucket that has seen too many failures makes the next attempt wait:

- ``address``: every attempt from one client address (``client_ip``), whatever the login:
  ``LOGIN_FREE_ATTEMPTS_PER_ADDRESS`` failures are free within ``LOGIN_ADDRESS_WINDOW_SECONDS``
  (higher than the others, so a school's shared NAT is not held back by one user);
- ``login-address``: one login string from one address;
- ``login``: one login string from anywhere: the account, whether it exists or not. The
  login string is normalised (stripped, lower case); whether an account answers to it is
  never looked up to decide, so the refusal is the same for unknown and existing accounts;
- ``device``: an attempt for an account carrying a valid "known device" cookie for it (set
  on every successful login) is counted on its own (device, account) bucket instead of the
  three above, so the owner still gets in while an attacker hammers the account from
  elsewhere.

After ``free`` failures in a bucket, each further attempt waits a delay that doubles (1 s,
2 s, 4 s… capped at ``LOGIN_MAX_DELAY_SECONDS``), counted from the bucket's last failure. An
attempt inside the delay is refused without checking the password. On the buckets of one login
an attempt is counted *before* its password is checked (so parallel guesses at one account see
each other) and given back when it succeeds. The ``address`` bucket counts failures only, once
the password has been checked (`count_failure`): counted in advance, a month-end rush of
colleagues signing in together behind one office NAT looked like a spray, and under concurrent
requests a lost give-back (the cache's read-modify-write is not atomic) left phantom failures
that shut the whole address out (bench/load.py found both). A bucket is forgotten ``window``
seconds after its last failure.

The cache is the default one (settings.CACHES): with several web machines it must be shared
(Redis, Memcached or a shared folder), or each machine counts on its own.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils import timezone

PREFIX = "dudao:login-throttle:"
DEVICE_SALT = "dudao.accounts.known-device"
DEVICE_MAX_ACCOUNTS = 8  # accounts remembered by one device (a shared office computer)


def normalise(login: str) -> str:
    """The login string as counted: usernames are matched without regard to case."""
    return (login or "").strip().lower()


def _digest(*parts) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:40]


def _now() -> float:
    return timezone.now().timestamp()


@dataclass(frozen=True)
class Bucket:
    kind: str
    key: str
    free: int
    window: int


@dataclass(frozen=True)
class Device:
    """A valid known-device cookie: its random id and the accounts it has logged in to."""

    id: str
    user_ids: tuple[int, ...]


# Known-device cookie ---------------------------------------------------------------------


def read_device(request) -> Device | None:
    """The request's known-device cookie, if its signature and age are valid."""
    value = request.COOKIES.get(settings.LOGIN_DEVICE_COOKIE_NAME)
    if not value:
        return None
    try:
        data = signing.loads(
            value, salt=DEVICE_SALT, max_age=settings.LOGIN_DEVICE_COOKIE_DAYS * 86400
        )
        device_id = str(data["d"])
        user_ids = tuple(int(pk) for pk in data["u"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    return Device(device_id, user_ids)


def device_account(request, login: str):
    """The account `login` names, when the request carries a known-device cookie for it;
    else None. Only a holder of a valid signed cookie reaches the database here."""
    device = read_device(request)
    wanted = normalise(login)
    if device is None or not device.user_ids or not wanted:
        return None, None
    from .models import User

    for user in User.objects.filter(pk__in=device.user_ids):
        if wanted in {user.username.lower(), (user.phone or "").lower()}:
            return device, user
    return None, None


def remember_device(request, response, user) -> None:
    """Set (or extend) the signed known-device cookie after `user` logged in."""
    device = read_device(request)
    device_id = device.id if device else secrets.token_urlsafe(16)
    user_ids = [pk for pk in (device.user_ids if device else ()) if pk != user.pk]
    user_ids = [user.pk, *user_ids][:DEVICE_MAX_ACCOUNTS]
    response.set_cookie(
        settings.LOGIN_DEVICE_COOKIE_NAME,
        signing.dumps({"d": device_id, "u": user_ids}, salt=DEVICE_SALT, compress=True),
        max_age=settings.LOGIN_DEVICE_COOKIE_DAYS * 86400,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


# Buckets ---------------------------------------------------------------------------------


def buckets_for(login: str, address: str | None, device: Device | None = None, user=None):
    """The buckets an attempt for `login` from `address` is counted on."""
    login = normalise(login)
    window = settings.LOGIN_THROTTLE_WINDOW_SECONDS
    free = settings.LOGIN_FREE_ATTEMPTS
    if device is not None and user is not None:
        return [Bucket("device", PREFIX + "device:" + _digest(device.id, user.pk), free, window)]
    address = address or "unknown"
    return [
        Bucket(
            "address",
            PREFIX + "address:" + _digest(address),
            settings.LOGIN_FREE_ATTEMPTS_PER_ADDRESS,
            settings.LOGIN_ADDRESS_WINDOW_SECONDS,
        ),
        Bucket("login-address", PREFIX + "login-address:" + _digest(login, address), free, window),
        Bucket("login", PREFIX + "login:" + _digest(login), free, window),
    ]


def _reset_key(login: str) -> str:
    return PREFIX + "reset:" + _digest(normalise(login))


def _states(buckets, login: str) -> dict[str, dict]:
    """Each bucket's state {"n": failures, "first": t, "last": t}, an empty one when it has
    expired or was cleared (reset) after it began."""
    keys = [b.key for b in buckets]
    reset_key = _reset_key(login)
    stored = cache.get_many([*keys, reset_key])
    reset_at = stored.get(reset_key) or 0
    now = _now()
    states = {}
    for bucket in buckets:
        state = stored.get(bucket.key)
        if (
            not isinstance(state, dict)
            or now - state.get("last", 0) > bucket.window
            or (bucket.kind != "address" and state.get("first", 0) < reset_at)
        ):
            state = {"n": 0, "first": now, "last": 0.0}
        states[bucket.key] = state
    return states


def delay_after(failures: int, free: int) -> int:
    """The wait before the next attempt after `failures` failures: none while free, then
    1 s, 2 s, 4 s… up to LOGIN_MAX_DELAY_SECONDS."""
    if failures < free:
        return 0
    return min(2 ** min(failures - free, 30), settings.LOGIN_MAX_DELAY_SECONDS)


def wait_seconds(buckets, login: str) -> int:
    """Seconds the attempt must still wait (0: it may go ahead): the longest of its buckets."""
    states = _states(buckets, login)
    now = _now()
    wait = 0.0
    for bucket in buckets:
        state = states[bucket.key]
        delay = delay_after(state["n"], bucket.free)
        if delay:
            wait = max(wait, state["last"] + delay - now)
    return math.ceil(wait) if wait > 0 else 0


def _add_failure(buckets, login: str) -> None:
    states = _states(buckets, login)
    now = _now()
    for bucket in buckets:
        state = states[bucket.key]
        state["n"] += 1
        state["last"] = now
        cache.set(bucket.key, state, timeout=bucket.window)


def count_attempt(buckets, login: str) -> None:
    """Count the attempt as a failure on the login's own buckets before its password is
    checked (given back on success by `succeeded`); the address waits for `count_failure`."""
    _add_failure([b for b in buckets if b.kind != "address"], login)


def count_failure(buckets, login: str) -> None:
    """The password was wrong: count it on the address too."""
    _add_failure([b for b in buckets if b.kind == "address"], login)


def succeeded(buckets, login: str) -> None:
    """The password was right: the login's buckets start afresh; the address keeps its
    failures (a valid account of one's own must not wipe a spraying address clean)."""
    for bucket in buckets:
        if bucket.kind != "address":
            cache.delete(bucket.key)


def clear_login(*logins: str) -> None:
    """Forget the failures counted for these login strings (every address, every device):
    the office admin reset the account's password."""
    now = _now()
    for login in logins:
        if login:
            cache.set(_reset_key(login), now, timeout=settings.LOGIN_THROTTLE_WINDOW_SECONDS)


# Dummy work ------------------------------------------------------------------------------

_DUMMY_HASH = None


def dummy_password_check(password: str) -> None:
    """Hash the password once, as a real check would, so a refusal that checks nothing takes
    as long as one that does."""
    global _DUMMY_HASH
    from django.contrib.auth.hashers import check_password, make_password

    if _DUMMY_HASH is None:
        _DUMMY_HASH = make_password(secrets.token_urlsafe(16))
    check_password(password or "", _DUMMY_HASH)
