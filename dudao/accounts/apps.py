from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dudao.accounts"
    label = "accounts"

    def ready(self):
        # Registers every scoped model's visibility rule (dudao/core/scopes.py).
        from . import scoping  # noqa: F401
