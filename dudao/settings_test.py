"""Settings for the test suite: the real settings, with tasks run inline and a fast hasher."""

import copy
import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("TASKS_BACKEND", "immediate")
os.environ.setdefault("DUDAO_PLAIN_STATIC", "1")

from dudao.settings import *  # noqa: F403
from dudao.settings import BASE_DIR

# Argon2 stays the production hasher (tested); tests create many users, so hash fast here.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks run inline in tests, so the progress cache need not cross processes.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LANGUAGE_CODE = "zh-hans"
# The live server (browser tests) serves static files straight from the apps, no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# SQLite: a backend whose flush (transactional tests) lifts the audit log's append-only
# triggers for its DELETEs (tests/db_backends/sqlite3); PostgreSQL flushes with TRUNCATE.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["ENGINE"] = "tests.db_backends.sqlite3"  # noqa: F405
    # In memory, as pytest-django chooses for Django's own SQLite engine (it recognises that
    # engine by name only, and would otherwise make each xdist worker a file named after
    # the database's path).
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}  # noqa: F405
# PostgreSQL: the test databases are thrown away, so a commit need not wait for its WAL to
# reach the disk (migrating the test databases and the transactional tests commit often).
# Per connection, so the server's other databases keep their settings.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    _options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    _options["options"] = f"{_options.get('options', '')} -c synchronous_commit=off".strip()
# A second database for the read-replica router (tests/core/test_read_replica.py): a separate
# database, not a TEST MIRROR of default, so a test can tell which one served a read. It is
# created only for a run that collects a test naming it (`databases={"default", "replica"}`).
# No router here: the other tests never reach it, and its test database gets the full schema
# (the production router refuses migrations on the replica). The replica tests install
# dudao.core.db_routers.ReadReplicaRouter themselves.
_replica = copy.deepcopy(DATABASES["default"])  # noqa: F405
if _replica["ENGINE"] == "tests.db_backends.sqlite3":
    _replica["TEST"] = {"NAME": ":memory:"}  # its own in-memory database
else:  # PostgreSQL: test_<name>_replica beside test_<name> (xdist appends _gw0… to both)
    _replica["TEST"] = {"NAME": f"test_{_replica['NAME']}_replica"}
DATABASES["replica"] = _replica  # noqa: F405
DATABASE_ROUTERS = []
