from django.conf import settings
from django.contrib.auth.views import redirect_to_login

# Paths anyone may open: the login page, the public school pages, static files, language.
PUBLIC_PREFIXES = ("/accounts/login/", "/p/", "/static/", "/i18n/", "/healthz", "/admin/")


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
