from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "dudao.api"
    verbose_name = "API"

    def ready(self):
        from . import schema  # noqa: F401  (the token's OpenAPI security scheme)
