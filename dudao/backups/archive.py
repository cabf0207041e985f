"""Backups: the database and the media files in one archive, with a manifest.

One `.tar.gz` holds, in this order:

- `database/dudao.sqlite3` (SQLite: the online backup API, a consistent copy while the site
  runs), `database/dudao.pgdump` (PostgreSQL: `pg_dump --format=custom`, taken in the same
  REPEATABLE READ snapshot as the counts) or `database/dudao.json` (`dumpdata` of every table:
  PostgreSQL without pg_dump, or `--database-format json`, which also moves between vendors);
- `media/...`: every file under MEDIA_ROOT (skipped, with a warning, when uploads are on S3);
- `manifest.json`: format version, app and Django versions, applied migrations, row counts
  per model, the audit log's chain heads, and the size and SHA-256 of every other member.

`verify(path)` checks an archive against its manifest. `restore(path)` restores into an empty
instance (refusing one with data unless `force`), then checks the restored row counts, the
restored files' checksums and the audit chain against the manifest.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import importlib.metadata
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import django
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.audit import chain, triggers
from dudao.audit.models import AuditEntry

FORMAT = "dudao-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DB_FILES = {
    "sqlite3": "database/dudao.sqlite3",
    "pg_dump": "database/dudao.pgdump",
    "json": "database/dudao.json",
}
# Rows that `migrate` creates itself (and sessions): an instance holding only these is empty.
MIGRATE_CREATES = {"contenttypes.ContentType", "auth.Permission", "sessions.Session"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why."""


@dataclass
class Result:
    manifest: dict
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# --------------------------------------------------------------------------- helpers


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


class _HashingReader:
    """Reads a file for tarfile.addfile while hashing what it hands over."""

    def __init__(self, f):
        self.f, self.digest, self.size = f, hashlib.sha256(), 0

    def read(self, size=-1):
        data = self.f.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


def _app_version() -> str:
    try:
        return importlib.metadata.version("dudao")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _models():
    """Concrete tables of every installed model (many-to-many tables included)."""
    seen = set()
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in seen:
            continue
        seen.add(meta.db_table)
        yield meta.label, meta.db_table


def _media_storage_is_local() -> bool:
    return isinstance(default_storage, FileSystemStorage)


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _media_files(root: Path):
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                yield path, path.relative_to(root).as_posix()


def _safe_member(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and name not in ("", ".")


# Snapshot queries, as plain SQL so they run on a SQLite copy or a PostgreSQL snapshot alike.


def _snapshot_facts(cursor, quote, tables: set[str], labels) -> dict:
    counts = {}
    for label, table in labels:
        if table in tables:
            cursor.execute(f"SELECT count(*) FROM {quote(table)}")  # noqa: S608 (known tables)
            counts[label] = cursor.fetchone()[0]
    migrations: dict[str, list[str]] = {}
    if "django_migrations" in tables:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        for app, name in cursor.fetchall():
            migrations.setdefault(app, []).append(name)
    heads = {}
    if triggers.TABLE in tables:
        cursor.execute(
            f"SELECT office_id, hash FROM {triggers.TABLE} WHERE id IN "  # noqa: S608
            f"(SELECT max(id) FROM {triggers.TABLE} GROUP BY office_id)"
        )
        heads = {"" if office is None else str(office): value for office, value in cursor}
    return {"counts": counts, "migrations": migrations, "audit_heads": heads}


# --------------------------------------------------------------------------- backup


def _dump_sqlite(connection, target: Path) -> dict:
    source = sqlite3.connect(connection.settings_dict["NAME"])
    copy = sqlite3.connect(target)
    try:
        with copy:
            source.backup(copy)
        cursor = copy.cursor()
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        tables = {row[0] for row in cursor.fetchall()}
        return _snapshot_facts(cursor, lambda n: f'"{n}"', tables, _models())
    finally:
        copy.close()
        source.close()


def _pg_env(settings_dict) -> tuple[list[str], dict]:
    args = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            args += [flag, str(settings_dict[key])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    sslmode = (settings_dict.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    return args, env


@contextlib.contextmanager
def _pg_snapshot(connection):
    """A read-only REPEATABLE READ transaction; yields (cursor, exported snapshot id)."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        yield cursor, cursor.fetchone()[0]


def _dump_postgresql(connection, target: Path) -> dict:
    args, env = _pg_env(connection.settings_dict)
    with _pg_snapshot(connection) as (cursor, snapshot):
        tables = set(connection.introspection.table_names(cursor))
        facts = _snapshot_facts(cursor, connection.ops.quote_name, tables, _models())
        command = [
            "pg_dump",
            "--format=custom",
            f"--snapshot={snapshot}",
            "--no-owner",
            "--no-privileges",
            f"--file={target}",
            *args,
            connection.settings_dict["NAME"],
        ]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode:
            raise BackupError(_("pg_dump failed: %(error)s") % {"error": done.stderr.strip()})
    return facts


def _dump_json(connection, target: Path) -> dict:
    # Every table with its own ids (no natural keys: an audit entry may name a deleted user,
    # and the content types come along so their ids stay right); restore empties the
    # migrated database first.
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        tables = set(connection.introspection.table_names(cursor))
        facts = _snapshot_facts(cursor, connection.ops.quote_name, tables, _models())
        call_command(
            "dumpdata",
            database=connection.alias,
            output=str(target),
            verbosity=0,
        )
    return facts


def create(path, *, database_format: str | None = None, using=DEFAULT_DB_ALIAS) -> Result:
    """Write a backup archive to `path` (atomically: a partial file is removed)."""
    connection = connections[using]
    path = Path(path)
    if database_format is None:
        if connection.vendor == "sqlite":
            database_format = "sqlite3"
        elif connection.vendor == "postgresql" and shutil.which("pg_dump"):
            database_format = "pg_dump"
        else:
            database_format = "json"
    warnings = []
    if connection.vendor == "postgresql" and database_format == "json":
        warnings.append(
            _("pg_dump is not on PATH: the database is saved with dumpdata (slower, larger).")
        )
    expected_vendor = {"sqlite3": "sqlite", "pg_dump": "postgresql"}.get(database_format)
    if expected_vendor and expected_vendor != connection.vendor:
        raise BackupError(
            _("The %(format)s format needs a %(vendor)s database.")
            % {"format": database_format, "vendor": expected_vendor}
        )
    files: dict[str, dict] = {}
    partial = path.with_name(path.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="dudao-backup-") as tmp:
        dump = Path(tmp) / Path(DB_FILES[database_format]).name
        if database_format == "sqlite3":
            facts = _dump_sqlite(connection, dump)
        elif database_format == "pg_dump":
            facts = _dump_postgresql(connection, dump)
        else:
            facts = _dump_json(connection, dump)
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
                _add(tar, dump, DB_FILES[database_format], files)
                media = {"included": False, "storage": default_storage.__class__.__name__}
                if _media_storage_is_local():
                    media["included"] = True
                    for file_path, relative in _media_files(_media_root()):
                        _add(tar, file_path, f"media/{relative}", files)
                else:
                    warnings.append(
                        _(
                            "Uploaded files are on %(storage)s, not on this machine: they are "
                            "not in this backup. Keep them with the object store's versioning "
                            "or replication."
                        )
                        % {"storage": media["storage"]}
                    )
                media_members = [name for name in files if name.startswith("media/")]
                media["files"] = len(media_members)
                media["bytes"] = sum(files[name]["size"] for name in media_members)
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "created_at": timezone.now().isoformat(),
                    "app_version": _app_version(),
                    "django_version": django.get_version(),
                    "database": {
                        "vendor": connection.vendor,
                        "format": database_format,
                        "file": DB_FILES[database_format],
                    },
                    "migrations": facts["migrations"],
                    "counts": facts["counts"],
                    "audit": {"heads": facts["audit_heads"]},
                    "media": media,
                    "files": files,
                }
                data = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False)
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = (
                    len(data.encode()),
                    int(timezone.now().timestamp()),
                    0o600,
                )
                tar.addfile(info, io.BytesIO(data.encode()))
            os.replace(partial, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(partial)
            raise
    return Result(manifest, warnings=warnings)


def _add(tar: tarfile.TarFile, path: Path, name: str, files: dict) -> None:
    info = tar.gettarinfo(str(path), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    with open(path, "rb") as f:
        reader = _HashingReader(f)
        try:
            tar.addfile(info, reader)
        except OSError as error:  # the file shrank while it was read
            raise BackupError(
                _("%(name)s changed while it was saved: %(error)s") % {"name": name, "error": error}
            ) from error
    files[name] = {"sha256": reader.digest.hexdigest(), "size": info.size}


# --------------------------------------------------------------------------- verify


def _read(path, extract_to: Path | None = None) -> Result:
    """Read every member, hash it, compare with the manifest; optionally extract."""
    found: dict[str, dict] = {}
    manifest = None
    problems: list[str] = []
    try:
        with tarfile.open(path, mode="r:gz") as tar:
            for member in tar:
                if not _safe_member(member.name) or not member.isfile():
                    problems.append(
                        _("Unexpected member %(name)s in the archive.") % {"name": member.name}
                    )
                    continue
                source = tar.extractfile(member)
                if member.name == MANIFEST:
                    manifest = json.loads(source.read().decode())
                    continue
                digest, size = hashlib.sha256(), 0
                target = None
                if extract_to is not None:
                    target_path = extract_to / member.name
                    target_path.parent.mkdir(parents=True, exist_ok=True)
                    target = open(target_path, "wb")  # noqa: SIM115
                try:
                    while block := source.read(CHUNK):
                        digest.update(block)
                        size += len(block)
                        if target:
                            target.write(block)
                finally:
                    if target:
                        target.close()
                found[member.name] = {"sha256": digest.hexdigest(), "size": size}
    except (tarfile.TarError, OSError, EOFError, ValueError) as error:
        raise BackupError(
            _("%(path)s is not a readable backup archive: %(error)s")
            % {"path": path, "error": error}
        ) from error
    if manifest is None:
        raise BackupError(_("%(path)s has no %(manifest)s.") % {"path": path, "manifest": MANIFEST})
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            _("%(path)s is not a Dudao backup of format version %(version)s.")
            % {"path": path, "version": FORMAT_VERSION}
        )
    expected = manifest.get("files", {})
    for name, facts in sorted(expected.items()):
        if name not in found:
            problems.append(_("%(name)s is missing from the archive.") % {"name": name})
        elif found[name] != facts:
            problems.append(
                _("%(name)s does not match the manifest: SHA-256 %(found)s, expected %(expected)s.")
                % {"name": name, "found": found[name]["sha256"], "expected": facts["sha256"]}
            )
    for name in sorted(set(found) - set(expected)):
        problems.append(_("%(name)s is in the archive but not in the manifest.") % {"name": name})
    return Result(manifest, problems)


def verify(path) -> Result:
    """Check every member against the manifest, and that the database copy opens."""
    with tempfile.TemporaryDirectory(prefix="dudao-verify-") as tmp:
        result = _read(path, extract_to=Path(tmp))
        if result.ok:
            result.problems += _check_database_file(result.manifest, Path(tmp))
    return result


def _check_database_file(manifest: dict, root: Path) -> list[str]:
    database = manifest["database"]
    dump = root / database["file"]
    if database["format"] == "sqlite3":
        try:
            copy = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
            try:
                (status,) = copy.execute("PRAGMA integrity_check").fetchone()
            finally:
                copy.close()
        except sqlite3.DatabaseError as error:
            status = str(error)
        if status != "ok":
            return [
                _("The database copy fails SQLite's integrity check: %(status)s")
                % {"status": status}
            ]
    elif database["format"] == "pg_dump" and shutil.which("pg_restore"):
        done = subprocess.run(  # noqa: S603
            ["pg_restore", "--list", str(dump)],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            return [
                _("pg_restore cannot read the dump: %(error)s") % {"error": done.stderr.strip()}
            ]
    elif database["format"] == "json":
        try:
            with open(dump, encoding="utf-8") as f:
                json.load(f)
        except ValueError as error:
            return [_("The JSON dump does not parse: %(error)s") % {"error": error}]
    return []


# --------------------------------------------------------------------------- restore


def current_counts(using=DEFAULT_DB_ALIAS, labels=None) -> dict[str, int]:
    connection = connections[using]
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        wanted = [(label, table) for label, table in _models() if labels is None or label in labels]
        return _snapshot_facts(cursor, connection.ops.quote_name, tables, wanted)["counts"]


def data_present(using=DEFAULT_DB_ALIAS) -> list[str]:
    """The models with rows, leaving out what `migrate` creates itself."""
    counts = current_counts(using)
    return sorted(label for label, n in counts.items() if n and label not in MIGRATE_CREATES)


def _migration_problems(manifest: dict) -> tuple[list[str], list[str]]:
    """(refusals, warnings) comparing the backup's migrations with this code's."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = {(app, name) for app, name in loader.disk_migrations}
    in_backup = {(app, name) for app, names in manifest["migrations"].items() for name in names}
    unknown = sorted(in_backup - known)
    missing = sorted(known - in_backup)
    refusals = []
    if unknown:
        refusals.append(
            _(
                "The backup was made by a newer version of Dudao (migrations this version does "
                "not have: %(names)s). Install that version (%(version)s) to restore it."
            )
            % {
                "names": ", ".join(f"{a}.{n}" for a, n in unknown[:5]),
                "version": manifest.get("app_version", "?"),
            }
        )
    warnings = []
    if missing:
        warnings.append(
            _("The backup predates %(count)d migrations of this version: run `manage.py migrate`.")
            % {"count": len(missing)}
        )
    return refusals, warnings


def _restore_sqlite(connection, dump: Path) -> None:
    name = connection.settings_dict["NAME"]
    connections.close_all()
    Path(name).parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    target = sqlite3.connect(name)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()


def _restore_postgresql(connection, dump: Path) -> None:
    if not shutil.which("pg_restore"):
        raise BackupError(_("pg_restore is not on PATH: install the PostgreSQL client tools."))
    args, env = _pg_env(connection.settings_dict)
    connections.close_all()
    command = [
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        *args,
        f"--dbname={connection.settings_dict['NAME']}",
        str(dump),
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode:
        raise BackupError(_("pg_restore failed: %(error)s") % {"error": done.stderr.strip()})


def _restore_json(connection, dump: Path) -> None:
    call_command("migrate", database=connection.alias, interactive=False, verbosity=0)
    # Empty the migrated tables (the content types and permissions migrate created, and with
    # --force the data there was), then load the dump's rows with their ids. With --force the
    # audit triggers are lifted for the flush and put back at once.
    with transaction.atomic(using=connection.alias):
        with connection.cursor() as cursor:
            for statement in triggers.drop_sql(connection.vendor):
                cursor.execute(statement)
        call_command(
            "flush",
            database=connection.alias,
            interactive=False,
            inhibit_post_migrate=True,
            verbosity=0,
        )
        triggers.ensure(connection.alias)
    call_command("loaddata", str(dump), database=connection.alias, verbosity=0)


def restore(path, *, force: bool = False, using=DEFAULT_DB_ALIAS, log=None) -> Result:
    """Restore an archive into this instance's database and MEDIA_ROOT, then check it."""
    log = log or (lambda message: None)
    connection = connections[using]
    media_root = _media_root()
    with tempfile.TemporaryDirectory(prefix="dudao-restore-") as tmp:
        staging = Path(tmp)
        log(_("Reading and checking the archive…"))
        result = _read(path, extract_to=staging)
        if not result.ok:
            return result
        manifest = result.manifest
        database = manifest["database"]
        if database["vendor"] != connection.vendor and database["format"] != "json":
            raise BackupError(
                _(
                    "This backup holds a %(vendor)s database (%(format)s); this instance uses "
                    "%(current)s. Only a JSON backup (--database-format json) moves between them."
                )
                % {
                    "vendor": database["vendor"],
                    "format": database["format"],
                    "current": connection.vendor,
                }
            )
        refusals, warnings = _migration_problems(manifest)
        result.warnings += warnings
        if refusals and not force:
            raise BackupError("\n".join(refusals))
        present = data_present(using)
        existing_media = (
            [p for p, _r in _media_files(media_root)] if manifest["media"]["included"] else []
        )
        if (present or existing_media) and not force:
            what = []
            if present:
                what.append(
                    _("the database has data (%(models)s)") % {"models": ", ".join(present[:5])}
                )
            if existing_media:
                what.append(
                    _("%(root)s holds %(count)d files")
                    % {"root": media_root, "count": len(existing_media)}
                )
            raise BackupError(
                _(
                    "This instance is not empty: %(what)s. Restore into a new database and an "
                    "empty MEDIA_ROOT, or pass --force to replace the database and overwrite "
                    "the files."
                )
                % {"what": "; ".join(what)}
            )
        dump = staging / database["file"]
        log(_("Restoring the database (%(format)s)…") % {"format": database["format"]})
        if database["format"] == "sqlite3":
            _restore_sqlite(connection, dump)
        elif database["format"] == "pg_dump":
            _restore_postgresql(connection, dump)
        else:
            _restore_json(connection, dump)
        triggers.ensure(using)
        # The cache holds sessions and progress of the replaced database: a session signed in
        # after the backup must not outlive it (SESSION_ENGINE cached_db, settings.py).
        cache.clear()
        if manifest["media"]["included"]:
            log(_("Restoring %(count)d media files…") % {"count": manifest["media"]["files"]})
            for name in manifest["files"]:
                if name.startswith("media/"):
                    target = media_root / name.removeprefix("media/")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.move(staging / name, target)
        else:
            result.warnings.append(
                _("The backup holds no media files (they were on %(storage)s).")
                % {"storage": manifest["media"]["storage"]}
            )
    log(_("Checking the restored instance…"))
    result.problems += check_restored(manifest, using)
    return result


def check_restored(manifest: dict, using=DEFAULT_DB_ALIAS) -> list[str]:
    """Row counts, media checksums and the audit chain of this instance against a manifest."""
    problems = []
    expected = manifest["counts"]
    counts = current_counts(using, labels=set(expected))
    for label, count in sorted(expected.items()):
        if counts.get(label) != count:
            problems.append(
                _("%(model)s has %(found)s rows, the backup %(expected)s.")
                % {"model": label, "found": counts.get(label, 0), "expected": count}
            )
    if manifest["media"]["included"]:
        root = _media_root()
        for name, facts in sorted(manifest["files"].items()):
            if not name.startswith("media/"):
                continue
            path = root / name.removeprefix("media/")
            if not path.is_file():
                problems.append(_("%(path)s was not restored.") % {"path": path})
            elif _sha256(path) != facts["sha256"]:
                problems.append(_("%(path)s does not match the backup's SHA-256.") % {"path": path})
    report = chain.verify(AuditEntry, using)
    if not report.intact:
        problems.append(
            _("The restored audit log is broken at entry %(id)s: run manage.py verify_audit.")
            % {"id": report.breaks[0].entry_id}
        )
    heads = manifest["audit"]["heads"]
    if report.heads != heads:
        problems.append(_("The restored audit log's chain heads differ from the backup's."))
    return problems


def describe(manifest: dict) -> str:
    rows = sum(manifest["counts"].values())
    media = manifest["media"]
    created = datetime.datetime.fromisoformat(manifest["created_at"])
    return _(
        "%(vendor)s database (%(format)s, %(rows)d rows in %(tables)d tables), "
        "%(files)d media files (%(mb).1f MB), %(heads)d audit chains; made %(created)s by "
        "Dudao %(version)s"
    ) % {
        "vendor": manifest["database"]["vendor"],
        "format": manifest["database"]["format"],
        "rows": rows,
        "tables": len(manifest["counts"]),
        "files": media.get("files", 0),
        "mb": media.get("bytes", 0) / 1e6,
        "heads": len(manifest["audit"]["heads"]),
        "created": timezone.localtime(created).strftime("%Y-%m-%d %H:%M"),
        "version": manifest.get("app_version", "?"),
    }
