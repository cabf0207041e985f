"""Rate limits per token (docs/api.md): each token, or each session user, may make
settings.API_RATE_PER_MINUTE requests a minute, counted by dudao/core/ratelimit.py (the
cache every process shares). Beyond it: 429 with Retry-After."""

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from dudao.core import ratelimit


class PerTokenRateThrottle(BaseThrottle):
    def allow_request(self, request, view):
        self.wait_seconds = 0
        limit = getattr(settings, "API_RATE_PER_MINUTE", 600)
        if not limit:
            return True
        token = request.auth
        if token is not None and getattr(token, "pk", None):
            key = f"token:{token.pk}"
        elif request.user and request.user.is_authenticated:
            key = f"user:{request.user.pk}"
        else:
            key = f"addr:{self.get_ident(request)}"
        self.wait_seconds = ratelimit.count("api", key, limit, window=60)
        return not self.wait_seconds

    def wait(self):
        return self.wait_seconds or None
