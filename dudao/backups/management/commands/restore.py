"""`manage.py restore PATH [--force]`: restore a backup archive into an empty instance (a new
database, an empty MEDIA_ROOT), then check the row counts, the files' checksums and the audit
chain against the manifest (exit 1 on any difference)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from dudao.backups import archive


class Command(BaseCommand):
    help = "Restore a `manage.py backup` archive into an empty instance and check the result."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the archive written by `manage.py backup`")
        parser.add_argument(
            "--force",
            action="store_true",
            help="restore even though the database has data or MEDIA_ROOT has files: the "
            "database is REPLACED by the backup's (every current row is lost) and files of "
            "the same name are overwritten; also restores a backup of a newer version",
        )

    def handle(self, *args, path, force, **options):
        try:
            result = archive.restore(path, force=force, log=self.stdout.write)
        except archive.BackupError as error:
            raise CommandError(str(error), returncode=1) from error
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(warning))
        if result.problems:
            raise CommandError(
                "\n".join([*result.problems, _("The restore does not match the backup.")]),
                returncode=1,
            )
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Restored %(path)s: %(what)s. Row counts, file checksums and the audit "
                    "chain match."
                )
                % {"path": path, "what": archive.describe(result.manifest)}
            )
        )
