"""`dudao monitoring …` offline: no SECRET_KEY, no database, no settings module to prepare.

The monitoring engine is pure Python (see the package docstring), so `dudao/cli.py` sends
`dudao monitoring evaluate|template|rules …` here instead of through the project's settings.
`main(argv)` gives Django the few settings the command uses — translations (the messages are
in Chinese unless --lang en), a throwaway secret, no database, no apps — and runs the very
management command that `manage.py monitoring` runs (`management/commands/monitoring.py`):
one implementation, the same output and exit codes either way.
"""

import secrets
from pathlib import Path

import dudao

# What the offline command needs from dudao/settings.py, which cannot be imported here (it
# refuses to load without SECRET_KEY and creates var/ and the database settings).
# tests/monitoring/test_cli_offline.py checks that these match the real settings.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [Path(dudao.__file__).resolve().parent.parent / "locale"]


def offline_settings():
    """The settings of an offline run: nothing that reaches a database, a file or a secret."""
    return {
        # Never stored nor used to sign anything that outlives the process.
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": False,
        "DATABASES": {},  # Django's dummy backend: any query would fail loudly
        "INSTALLED_APPS": [],
        "USE_I18N": True,
        "LANGUAGE_CODE": LANGUAGE_CODE,
        "LANGUAGES": LANGUAGES,
        "LOCALE_PATHS": LOCALE_PATHS,
        "USE_TZ": True,
        "TIME_ZONE": "Asia/Shanghai",
    }


def configure():
    """Configure Django for an offline run, unless settings are already in place (a test run,
    or a caller that configured them)."""
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(**offline_settings())
    django.setup()


def main(argv):
    """Run `argv` (["dudao", "monitoring", …]) as `manage.py monitoring` would, offline."""
    configure()
    from dudao.monitoring.management.commands.monitoring import Command

    Command().run_from_argv(argv)
