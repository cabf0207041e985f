"""HTML compressed on the way out (issue 10: pages light enough for a weak mobile signal; the
office ledger is about 54 KB of HTML and 9 KB gzipped).

Django's GZipMiddleware, which already pads the gzip header with random bytes against BREACH,
and Django masks the CSRF token differently on every response. A page that shows a secret the
attacker could guess byte by byte with reflected input (the authenticator key on the
two-step setup page) is sent uncompressed: decorate its view with `never_compress`. Static
files come precompressed from WhiteNoise and pass through untouched."""

from functools import wraps

from django.middleware.gzip import GZipMiddleware


def never_compress(view):
    """Send this view's responses uncompressed (a secret on the page: see the module doc)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.dudao_never_compress = True
        return response

    return wrapped


# Text compresses; documents, photos and workbooks are compressed already (zip, JPEG).
COMPRESSIBLE = ("text/", "application/json", "application/javascript", "image/svg+xml")


class CompressionMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if getattr(response, "dudao_never_compress", False):
            return response
        if not response.get("Content-Type", "").startswith(COMPRESSIBLE):
            return response
        return super().process_response(request, response)
