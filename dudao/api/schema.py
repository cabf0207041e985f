"""The OpenAPI description of the token (drf-spectacular finds the session one itself)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "dudao.api.authentication.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal or device token (Account → API tokens): "
            "`Authorization: Bearer dudao_…`.",
        }
