from django.apps import AppConfig


class BackupsConfig(AppConfig):
    """`manage.py backup` / `restore`: the database and the media files in one archive."""

    name = "dudao.backups"
    label = "backups"
