"""The security pages of accounts (dudao/accounts/views_security.py): the office's policy,
two-step verification and the sign-in's code step."""

from .common import ADMIN_ONLY, LOGIN, POST_ONLY_ADMIN, everyone, only, writes


def inspector_with_app(w):
    """County A's inspector with a confirmed authenticator app (for the reset row)."""
    from django.utils import timezone

    from dudao.accounts.models import TOTPDevice

    TOTPDevice.objects.get_or_create(
        user=w.inspector_user,
        defaults={"secret": "JBSWY3DPEHPK3PXP", "confirmed_at": timezone.now()},
    )
    return [w.inspector_user.pk]


# no sign-in is waiting for its code: everyone is sent on (anon to the login page, the
# logged-in home)
NO_PENDING = everyone(302) | {"anon": LOGIN}

MATRIX = {
    "accounts:login_verify": (None, NO_PENDING, NO_PENDING),
    # an empty POST re-renders the form with its errors
    "accounts:security_policy": (None, ADMIN_ONLY, ADMIN_ONLY),
    # any user sets up their own app; an empty code is refused on the page
    "accounts:twofactor": (None, everyone(200), everyone(200)),
    # nobody in the world has an app: back to the page with a message
    "accounts:twofactor_disable": (None, everyone(405), everyone(302)),
    # the office admin removes a lost app of its office's account (no data needed)
    "accounts:twofactor_reset": (
        inspector_with_app,
        POST_ONLY_ADMIN,
        only({"admin": writes(302), "other_admin": 404}),
    ),
}

# Removing another account's app: refused for every role but county A's office admin (the
# policy page acts on the actor's own office, like creating an account, so it is not here).
WRITES = {
    "accounts:twofactor_reset": inspector_with_app,
}
