from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.middleware.locale import LocaleMiddleware

# Paths anyone may open: the login page, the public school pages, static files, language.
# The API (/api/) authenticates each request itself (a token or the session) and answers 401.
PUBLIC_PREFIXES = (
    "/accounts/login/",
    "/p/",
    "/static/",
    "/i18n/",
    "/healthz",
    "/admin/",
    "/api/",
)


class LoginRequiredMiddleware:
    """Every page needs a login except the public ones: safer than remembering a decorator."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated and not request.path.startswith(PUBLIC_PREFIXES):
            if request.headers.get("HX-Request"):
                from django.http import HttpResponse

                response = HttpResponse(status=401)
                response["HX-Redirect"] = settings.LOGIN_URL and "/accounts/login/"
                return response
            return redirect_to_login(request.get_full_path())
        return self.get_response(request)


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """The UI speaks Chinese first: the language is the one the user picked (the language
    cookie set by the switcher), else settings.LANGUAGE_CODE — never the browser's
    Accept-Language, because office PCs and phones often run English system locales."""

    def process_request(self, request):
        # API clients name their language with Accept-Language (docs/api.md, "Errors").
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)
