"""Settings for the test suite: the real settings, with tasks run inline and a fast hasher."""

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
