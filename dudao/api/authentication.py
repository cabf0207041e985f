"""How the API knows who is calling (docs/api.md): a personal or device token
(`Authorization: Bearer dudao_…`), else the browser's session with its CSRF token."""

from django.utils import translation
from rest_framework import authentication, exceptions
from rest_framework.authentication import SessionAuthentication

from . import services


class TokenAuthentication(authentication.BaseAuthentication):
    keywords = ("bearer", "token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode(errors="replace") not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                translation.gettext("Send the token as “Authorization: Bearer <token>”.")
            )
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            secret = ""
        token = services.token_for_secret(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(
                translation.gettext("The token is unknown or has been revoked.")
            )
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


__all__ = ["SessionAuthentication", "TokenAuthentication"]
