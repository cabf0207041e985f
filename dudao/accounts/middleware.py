from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import passwords

# Open to a user whose password expired: static files and the language switch (by prefix).
ALLOWED_PREFIXES = ("/static/", "/i18n/")
ALLOWED_NAMES = ("accounts:password", "accounts:logout")


class PasswordExpiryMiddleware:
    """A signed-in user whose password is older than the office's `max_age_days`
    (OfficeSecurityPolicy) may only change it (accounts:password) or log out: every other
    page sends them there with a message; an htmx request gets HX-Redirect. Accounts without
    an office (the superuser) are exempt. No query for a password younger than the shortest
    expiry an office may set (passwords.may_be_expired)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(ALLOWED_PREFIXES)
            and passwords.is_expired(user)
        ):
            target = reverse("accounts:password")
            if request.path not in {reverse(name) for name in ALLOWED_NAMES}:
                return self._send_to(request, target, user)
        return self.get_response(request)

    def _send_to(self, request, target, user):
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=200)
            response["HX-Redirect"] = target
            return response
        policy = passwords.policy_for(user.office_id)
        messages.warning(
            request,
            _(
                "Your password is more than %(days)d days old, the longest your office "
                "allows: choose a new one to continue."
            )
            % {"days": policy.max_age_days},
        )
        return redirect(target)
