"""Writes to API tokens (docs/api.md): a user creates and revokes their own tokens; the office
admin revokes any token of its office. Audited; the secret is returned once and never stored
(only its SHA-256)."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.audit import services as audit
from dudao.core import guards
from dudao.core.errors import DomainError, NotPermitted
from dudao.core.idempotency import once

from .models import ApiToken

SECRET_PREFIX = "dudao_"  # noqa: S105 (how every token starts; not a secret)
MAX_ACTIVE_TOKENS = 20  # per user: a phone, a tablet, a script or two, with room to spare
LAST_USED_EVERY = 60  # seconds: `last_used_at` is written at most once a minute per token


def digest(secret: str) -> str:
    """The stored form of a secret. Secrets are 256 random bits, so a fast hash is enough."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _office_id(user):
    if user.office_id:
        return user.office_id
    if user.inspector_id:
        return user.inspector.office_id
    if user.school_id:
        return user.school.office_id
    return None


@transaction.atomic
def create_token(actor, *, name: str, request_key=None) -> tuple[ApiToken, str | None]:
    """A new token of the actor's own, and its secret (shown once). A repeated form (the same
    `request_key`) returns the token made the first time and no secret."""
    guards.require_person(actor)
    if actor.is_superuser:
        raise NotPermitted(_("The superuser does not use API tokens; use a named account."))
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Name the device or purpose of the token."), field="name")
    if len(name) > 80:
        raise DomainError(_("Use at most 80 characters."), field="name")
    made = {}

    def create():
        active = ApiToken.objects.unscoped().filter(user=actor, revoked_at__isnull=True)
        if active.count() >= MAX_ACTIVE_TOKENS:
            raise DomainError(
                _("You have %(count)d active tokens: revoke one before creating another.")
                % {"count": MAX_ACTIVE_TOKENS},
                field="name",
            )
        secret = SECRET_PREFIX + secrets.token_urlsafe(32)
        token = ApiToken.objects.unscoped().create(
            user=actor,
            office_id=_office_id(actor),
            name=name,
            prefix=secret[: len(SECRET_PREFIX) + 6],
            digest=digest(secret),
        )
        audit.record_create(actor, token)
        made["secret"] = secret
        return token

    token = once(actor, request_key, "api.token.create", create, _fetch)
    return token, made.get("secret")


@transaction.atomic
def revoke_token(actor, token: ApiToken) -> ApiToken:
    """Revoke a token: its owner, or the office admin of the token's office. Revoking a revoked
    token changes nothing."""
    token = ApiToken.objects.unscoped().select_for_update().get(pk=token.pk)
    guards.require_self_or_office_admin(
        actor,
        token.user_id,
        token.office_id,
        message=_("Only the token's owner or the office administrator may revoke it."),
    )
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.revoked_by = actor if getattr(actor, "pk", None) else None
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(
        actor,
        audit.Action.UPDATE,
        token,
        {
            "revoked_at": [None, token.revoked_at.isoformat()],
            "revoked_by": [None, str(actor)],
        },
    )
    return token


def _fetch(pk) -> ApiToken:
    return ApiToken.objects.unscoped().get(pk=pk)


def token_for_secret(secret: str) -> ApiToken | None:
    """The active token with this secret, its user loaded, or None (unknown, revoked, or its
    user deactivated). Notes when it was used (at most once a minute)."""
    if not secret or not secret.startswith(SECRET_PREFIX) or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.unscoped()
        .select_related("user")
        .filter(digest=digest(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > LAST_USED_EVERY:
        ApiToken.objects.unscoped().filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
