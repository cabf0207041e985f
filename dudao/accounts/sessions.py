"""How long a sign-in lasts (会话有效期).

Without "Keep me signed in on this device" a session lasts SESSION_COOKIE_AGE (12 hours) from
the sign-in. With it, it lasts the office's `remember_days` (OfficeSecurityPolicy, 30 by
default) and every day of use extends it: an inspector signs in once on their phone and not
again at every school gate, and a lost phone's session ends after `remember_days` unused (or at
once, when the password is changed: Django ends the other sessions then).

The extension is written at most once a day per session (`RENEWED_KEY` holds the day), so a
remembered session costs no session write on ordinary requests.
"""

from django.utils import timezone

from . import passwords

REMEMBER_KEY = "dudao_remember_days"
RENEWED_KEY = "dudao_renewed_on"
DAY_SECONDS = 24 * 3600


def start(request, user, remember: bool) -> None:
    """Call right after `login()`: make the new session remembered when asked and allowed."""
    days = passwords.policy_for(user.office_id).remember_days if remember else 0
    if days:
        request.session[REMEMBER_KEY] = days
        request.session[RENEWED_KEY] = timezone.localdate().isoformat()
        request.session.set_expiry(days * DAY_SECONDS)


def renew(request) -> None:
    """On a remembered session's first request of the day, push its end `remember_days` on
    (the session is saved and its cookie re-sent by SessionMiddleware)."""
    session = getattr(request, "session", None)
    if session is None or not session.get(REMEMBER_KEY):
        return
    today = timezone.localdate().isoformat()
    if session.get(RENEWED_KEY) != today:
        session[RENEWED_KEY] = today
        session.set_expiry(int(session[REMEMBER_KEY]) * DAY_SECONDS)


class SessionRenewalMiddleware:
    """Extends remembered sessions once a day of use (see `renew`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            renew(request)
        return self.get_response(request)
