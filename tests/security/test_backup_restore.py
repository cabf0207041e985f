"""Issue 9, item 14: a tested backup and restore of the database and the media files together
(local MEDIA_ROOT is not in pg_dump). Backup → wipe (a new database, an empty MEDIA_ROOT) →
restore, then the row counts of the main models, an uploaded file's checksum and the audit
chain are compared.

The instances run in subprocesses with their own DATABASE_URL and MEDIA_ROOT, so pytest's
database is never touched. Each pass of CI runs its own vendor: SQLite in `make test`,
PostgreSQL in the PostgreSQL pass (the other variant is skipped)."""

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
DATABASE = settings.DATABASES["default"]
ON_POSTGRES = "postgresql" in DATABASE["ENGINE"]
COUNTS = """
import json
from dudao.accounts.models import User
from dudao.audit.models import AuditEntry
from dudao.inspectors.models import Assignment, Inspector
from dudao.rectification.models import Finding
from dudao.schools.models import School
from dudao.visits.models import Visit
from dudao.audit import chain
counts = {m.__name__: m.all_objects.count() if hasattr(m, "all_objects") else m.objects.count()
          for m in (User, AuditEntry, Assignment, Inspector, Finding, School, Visit)}
counts["audit_intact"] = chain.verify(AuditEntry).intact
print(json.dumps(counts))
"""

pytestmark = pytest.mark.xdist_group("backup-restore")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Instance:
    """A Dudao instance of its own: a database and a MEDIA_ROOT, driven by manage.py."""

    def __init__(self, tmp: Path, name: str, database_url: str):
        self.media = tmp / name / "media"
        self.media.mkdir(parents=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MEDIA_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="dudao.settings",
            SECRET_KEY="backup-test-secret",
            TASKS_BACKEND="immediate",
            DUDAO_PLAIN_STATIC="1",
            DUDAO_VAR_DIR=str(tmp / name / "var"),
            MEDIA_ROOT=str(self.media),
            DATABASE_URL=database_url,
        )
        self.env = env

    def run(self, *args, ok=True) -> subprocess.CompletedProcess:
        done = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if ok:
            assert done.returncode == 0, done.stdout + done.stderr
        return done

    def counts(self) -> dict:
        return json.loads(
            self.run("shell", "-v", "0", "-c", COUNTS).stdout.strip().splitlines()[-1]
        )

    def files(self) -> dict[str, str]:
        return {
            p.relative_to(self.media).as_posix(): _sha256(p)
            for p in sorted(self.media.rglob("*"))
            if p.is_file()
        }


class Databases:
    """New, empty databases of the suite's vendor, removed afterwards."""

    def __init__(self, tmp: Path):
        self.tmp, self.created = tmp, []

    def new(self) -> str:
        if not ON_POSTGRES:
            return f"sqlite:///{self.tmp / f'{uuid.uuid4().hex}.sqlite3'}"
        name = f"dudao_backup_test_{uuid.uuid4().hex[:12]}"
        self._admin(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        user = DATABASE.get("USER") or "postgres"
        password = f":{quote(DATABASE['PASSWORD'], safe='')}" if DATABASE.get("PASSWORD") else ""
        host = DATABASE.get("HOST") or "127.0.0.1"
        port = DATABASE.get("PORT") or 5432
        return f"postgres://{user}{password}@{host}:{port}/{name}"

    def _admin(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(
            dbname="postgres",
            user=DATABASE.get("USER") or None,
            password=DATABASE.get("PASSWORD") or None,
            host=DATABASE.get("HOST") or None,
            port=DATABASE.get("PORT") or None,
            autocommit=True,
        ) as connection:
            connection.execute(statement)

    def drop_all(self) -> None:
        for name in self.created:
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def databases(tmp_path_factory):
    dbs = Databases(tmp_path_factory.mktemp("backup-dbs"))
    yield dbs
    if ON_POSTGRES:
        dbs.drop_all()


@pytest.fixture(scope="module")
def source(tmp_path_factory, databases):
    """A small demo county (12 schools, inspectors' photos as media files), backed up."""
    tmp = tmp_path_factory.mktemp("backup")
    instance = Instance(tmp, "source", databases.new())
    instance.run("migrate", "--noinput", "-v", "0")
    instance.run("seed_demo", "--schools", "12", "--seed", "3")
    instance.archive = tmp / "dudao-backup.tar.gz"
    assert str(instance.archive) in instance.run("backup", str(instance.archive)).stdout
    instance.tmp = tmp
    instance.counted = instance.counts()
    return instance


def _restore_and_compare(source, databases, archive: Path, name: str):
    target = Instance(source.tmp, name, databases.new())
    target.run("restore", str(archive))  # exit status 0: counts, checksums and chain match
    counts = source.counted
    assert counts["School"] >= 12 and counts["AuditEntry"] > 0 and counts["Visit"] > 0
    assert counts["audit_intact"]
    assert target.counts() == counts  # the audit chain verifies after the restore too
    files = source.files()
    photo = next(name for name in files if name.endswith(".jpg"))
    assert _sha256(target.media / photo) == files[photo]
    assert target.files() == files
    return target


# Each pass of CI runs its own vendor's variant; the skipped one sets nothing up.
VENDORS = pytest.mark.parametrize(
    "postgres",
    [
        pytest.param(
            False, id="sqlite", marks=pytest.mark.skipif(ON_POSTGRES, reason="the SQLite pass")
        ),
        pytest.param(
            True,
            id="postgresql",
            marks=pytest.mark.skipif(not ON_POSTGRES, reason="the PostgreSQL pass"),
        ),
    ],
)


@VENDORS
def test_backup_wipe_restore(postgres, source, databases):
    source.run("backup", "--verify", str(source.archive))  # exit status 0
    with tarfile.open(source.archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["database"]["format"] == ("pg_dump" if postgres else "sqlite3")
    assert manifest["counts"]["schools.School"] == source.counted["School"]
    assert manifest["audit"]["heads"]
    assert oct(source.archive.stat().st_mode & 0o777) == "0o600"  # password hashes inside
    target = _restore_and_compare(source, databases, source.archive, "target")
    # A second restore into the now full instance is refused and changes nothing.
    refused = target.run("restore", str(source.archive), ok=False)
    assert refused.returncode == 1
    assert "--force" in refused.stderr


@VENDORS
def test_json_backup_restores_with_the_audit_chain_intact(postgres, source, databases):
    # The fallback for PostgreSQL without pg_dump (and the way between vendors).
    archive = source.tmp / "json-backup.tar.gz"
    source.run("backup", "--database-format", "json", str(archive))
    _restore_and_compare(source, databases, archive, "json-target")


@VENDORS
def test_verify_reports_a_changed_file(postgres, source):
    tampered = source.tmp / "tampered.tar.gz"
    with tarfile.open(source.archive) as old, tarfile.open(tampered, "w:gz") as new:
        changed = None
        for member in old:
            data = old.extractfile(member).read()
            if changed is None and member.name.startswith("media/"):
                changed, data = member.name, data[:-1] + bytes([data[-1] ^ 1])
            new.addfile(member, io.BytesIO(data))
    done = source.run("backup", "--verify", str(tampered), ok=False)
    assert done.returncode == 1
    assert changed in done.stderr
