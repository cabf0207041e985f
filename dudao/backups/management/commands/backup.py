"""`manage.py backup PATH` writes one archive (database, media files, manifest);
`manage.py backup --verify PATH` checks an archive against its manifest (exit 1 if not)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from dudao.backups import archive


class Command(BaseCommand):
    help = (
        "Back up the database and the media files into one .tar.gz with a manifest, "
        "or check such an archive with --verify."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the archive to write (or to check with --verify)")
        parser.add_argument(
            "--verify",
            action="store_true",
            help="check every file of an existing archive against its manifest",
        )
        parser.add_argument(
            "--database-format",
            choices=sorted(archive.DB_FILES),
            help="sqlite3 (SQLite's default), pg_dump (PostgreSQL's default when pg_dump is "
            "on PATH) or json (dumpdata: any database, and between vendors)",
        )

    def handle(self, *args, path, verify, database_format, **options):
        try:
            if verify:
                result = archive.verify(path)
            else:
                result = archive.create(path, database_format=database_format)
        except archive.BackupError as error:
            raise CommandError(str(error), returncode=1) from error
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(warning))
        if result.problems:
            raise CommandError(
                "\n".join([*result.problems, _("%(path)s: BROKEN") % {"path": path}]),
                returncode=1,
            )
        message = _("%(path)s verified: %(what)s") if verify else _("Wrote %(path)s: %(what)s")
        self.stdout.write(message % {"path": path, "what": archive.describe(result.manifest)})
