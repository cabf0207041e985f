"""Keeps the current request's origin (IP, user agent) where the audit log can read it, so
service functions record "from where" without taking a request argument."""

from contextvars import ContextVar

_current_origin: ContextVar[tuple[str | None, str]] = ContextVar("audit_origin", default=(None, ""))


def client_ip(request) -> str | None:
    # Behind nginx the real address comes in X-Real-IP / X-Forwarded-For (first hop).
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    ip = (
        forwarded.split(",")[0].strip()
        or request.META.get("HTTP_X_REAL_IP")
        or request.META.get("REMOTE_ADDR")
    )
    return ip or None


def current_origin() -> tuple[str | None, str]:
    return _current_origin.get()


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_origin.set(
            (client_ip(request), request.META.get("HTTP_USER_AGENT", "")[:300])
        )
        try:
            return self.get_response(request)
        finally:
            _current_origin.reset(token)
