"""The `dudao` console command: Django's manage.py under the product's name."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["dudao", *sys.argv[1:]])
