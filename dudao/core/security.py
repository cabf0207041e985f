"""Request hygiene and security headers (issue 9, items 10–12). Three middlewares:

- `ProxyHeadersMiddleware` (first in MIDDLEWARE): forwarded headers (X-Forwarded-For,
  X-Real-IP, X-Forwarded-Proto, X-Forwarded-Host/Port, Forwarded) are removed from a request
  whose peer is not one of settings.TRUSTED_PROXIES, so neither the audit log
  (`dudao.audit.middleware.client_ip`) nor Django's SECURE_PROXY_SSL_HEADER (is_secure(), HSTS,
  secure redirects) believes a client that talks to the application directly.
- `RejectNulMiddleware`: a NUL character anywhere in the request (path, query or form
  parameter, uploaded file name, cookie, header) answers 400 with a short page, in one place
  for every form and filter: PostgreSQL refuses NUL in text and would answer 500.
- `SecurityHeadersMiddleware`: Content-Security-Policy (no inline script or style; a
  per-request nonce in request.csp_nonce for what must stay inline) and Permissions-Policy.
  HSTS, Referrer-Policy, Cross-Origin-Opener-Policy and nosniff come from Django's
  SecurityMiddleware (settings SECURE_*).
"""

import logging
import secrets

from django.conf import settings
from django.core import checks
from django.http import HttpResponseBadRequest
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from dudao.audit.middleware import is_trusted_proxy, parse_ip

logger = logging.getLogger(__name__)

FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_REAL_IP",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_FORWARDED",
)


class ProxyHeadersMiddleware:
    """Forwarded headers count only from a trusted proxy (see the module docstring)."""

    warned = False

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        peer = parse_ip(request.META.get("REMOTE_ADDR"))
        if not is_trusted_proxy(peer):
            dropped = [name for name in FORWARDED_HEADERS if request.META.pop(name, None)]
            if dropped and not ProxyHeadersMiddleware.warned:
                # Once per process: a proxy the operator forgot to list, or a forging client.
                ProxyHeadersMiddleware.warned = True
                logger.warning(
                    "Ignored %s from %s, which is not in TRUSTED_PROXIES: if the application "
                    "runs behind a reverse proxy, set TRUSTED_PROXIES to its address.",
                    ", ".join(dropped),
                    request.META.get("REMOTE_ADDR") or "an unknown peer",
                )
        return self.get_response(request)


NUL = "\x00"


def _with_nul(request) -> str | None:
    """Where the request carries a NUL character (for the message), or None."""
    if NUL in request.path_info or NUL in request.path:
        return _("The address")
    for key, values in request.GET.lists():
        if NUL in key or any(NUL in value for value in values):
            return _("The parameter “%(name)s”") % {"name": key.replace(NUL, "")[:40]}
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        for key, values in request.POST.lists():
            if NUL in key or any(NUL in value for value in values):
                return _("The field “%(name)s”") % {"name": key.replace(NUL, "")[:40]}
        for key, files in request.FILES.lists():
            if NUL in key or any(NUL in (upload.name or "") for upload in files):
                return _("The file name in “%(name)s”") % {"name": key.replace(NUL, "")[:40]}
    for key, value in request.COOKIES.items():
        if NUL in key or NUL in value:
            return _("A cookie")
    for key, value in request.META.items():
        if key.startswith("HTTP_") and isinstance(value, str) and NUL in value:
            return _("A header")
    return None


class RejectNulMiddleware:
    """400 for a request with a NUL character anywhere (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        where = _with_nul(request)
        if where is not None:
            message = _(
                "%(where)s contains a NUL character (\\0), which no field accepts. "
                "Remove it and send the request again."
            ) % {"where": where}
            html = render_to_string("400_nul.html", {"message": message})
            return HttpResponseBadRequest(html)
        return self.get_response(request)


class CSPNonce:
    """A per-request nonce for an inline <style> or <script> that must stay inline:
    `nonce="{{ request.csp_nonce }}"`. The policy names it only if a page used it."""

    def __init__(self):
        self.value = secrets.token_urlsafe(16)
        self.used = False

    def __str__(self):
        self.used = True
        return self.value


# Responses a browser never renders as a document do without a policy; a PDF opened in
# Chrome's viewer must not get one (object-src 'none' would block the viewer).
NO_POLICY_TYPES = ("application/pdf",)


def content_security_policy(nonce: CSPNonce | None = None) -> str:
    extra = f" 'nonce-{nonce.value}'" if nonce is not None and nonce.used else ""
    img = " ".join(["'self'", "data:", *getattr(settings, "CSP_MEDIA_ORIGINS", [])])
    directives = {
        "default-src": "'self'",
        "script-src": "'self'" + extra,
        "style-src": "'self'" + extra,
        "img-src": img,
        "media-src": "'self' " + " ".join(getattr(settings, "CSP_MEDIA_ORIGINS", [])),
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value.strip()}" for name, value in directives.items())


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = nonce = CSPNonce()
        response = self.get_response(request)
        content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        # Django's technical 404 and 500 pages (DEBUG only) are styled and scripted inline.
        debug_page = settings.DEBUG and (response.status_code == 404 or response.status_code >= 500)
        if (
            "Content-Security-Policy" not in response
            and content_type not in NO_POLICY_TYPES
            and not debug_page
        ):
            response["Content-Security-Policy"] = content_security_policy(nonce)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = policy
        return response


@checks.register(checks.Tags.security, deploy=True)
def check_trusted_proxies(app_configs=None, **kwargs):
    """`manage.py check --deploy`: HTTPS behind a proxy needs the proxy named."""
    if settings.SECURE_PROXY_SSL_HEADER and not getattr(settings, "TRUSTED_PROXIES", None):
        return [
            checks.Warning(
                "SECURE_PROXY_SSL_HEADER is set (DUDAO_HTTPS=1) but TRUSTED_PROXIES is empty: "
                "X-Forwarded-Proto is ignored, so requests through the proxy do not count as "
                "HTTPS (no HSTS) and the audit log records the proxy's address.",
                hint="Set TRUSTED_PROXIES to the proxy's address, e.g. TRUSTED_PROXIES=127.0.0.1 "
                "for nginx on the same machine (docs/deployment.md, section 5).",
                id="dudao.W001",
            )
        ]
    return []
