"""The `dudao` console command: Django's manage.py under the product's name.

`dudao monitoring …` (evaluate, template, rules), `dudao campaigns draw …` and `dudao evaluation
score …` run offline — no SECRET_KEY, no database, no settings module (dudao/monitoring/cli.py,
dudao/campaigns/cli.py, dudao/evaluations/cli.py).
`dudao monitoring` runs the same command code as `manage.py monitoring`. Every other subcommand
goes through manage.py and the project's settings."""

import importlib
import os
import sys

# Subcommands that never touch the database nor need the project's settings, and the module
# whose `main(argv)` runs each.
OFFLINE = {
    "monitoring": "dudao.monitoring.cli",
    "campaigns": "dudao.campaigns.cli",
    "evaluation": "dudao.evaluations.cli",
}


def main(argv=None):
    argv = ["dudao", *(sys.argv[1:] if argv is None else argv)]
    if len(argv) > 1 and argv[1] in OFFLINE:
        importlib.import_module(OFFLINE[argv[1]]).main(argv)
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
