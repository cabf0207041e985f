"""The `dudao` console command: Django's manage.py under the product's name.

`dudao monitoring …` (evaluate, template, rules) runs offline — no SECRET_KEY, no database, no
settings module (dudao/monitoring/cli.py) — with the same command code as `manage.py
monitoring`. Every other subcommand goes through manage.py and the project's settings."""

import os
import sys

# Subcommands that never touch the database nor need the project's settings.
OFFLINE = {"monitoring"}


def main(argv=None):
    argv = ["dudao", *(sys.argv[1:] if argv is None else argv)]
    if len(argv) > 1 and argv[1] in OFFLINE:
        from dudao.monitoring.cli import main as offline

        offline(argv)
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
