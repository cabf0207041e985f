"""Settings, read from environment variables (12-factor).

DATABASE_URL   default sqlite:///var/dudao.sqlite3 (the embedded default)
SECRET_KEY     required when DEBUG is off
DEBUG          "1"/"true" to enable
ALLOWED_HOSTS  comma-separated
TASKS_BACKEND  "db" (default: django-tasks-db, run `manage.py db_worker`) or "immediate"
EMAIL_URL-ish  EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS
MEDIA_STORAGE  "s3" to keep uploads on S3-compatible storage (AWS_* variables, django-storages)
TRUSTED_PROXIES  comma-separated addresses/networks of the reverse proxies whose X-Forwarded-*
               headers count (127.0.0.1 behind nginx on the same machine; empty: none)
"""

import ipaddress
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("DUDAO_VAR_DIR", BASE_DIR / "var"))

DEBUG = env_bool("DEBUG", False)
VAR_DIR.mkdir(parents=True, exist_ok=True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or env_bool("DUDAO_DEMO", False):
        # Local development and the embedded demo keep a generated key under var/.
        key_file = VAR_DIR / "secret_key"
        if not key_file.exists():
            import secrets

            key_file.write_text(secrets.token_urlsafe(50))
            key_file.chmod(0o600)
        SECRET_KEY = key_file.read_text().strip()
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(or DEBUG=1 / DUDAO_DEMO=1 for local use)."
        )
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG or env_bool("DUDAO_DEMO") else ""
)
# The embedded demo serves uploaded files itself; production serves them from S3 or nginx.
SERVE_MEDIA = DEBUG or env_bool("DUDAO_DEMO", False)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "dudao.core",
    "dudao.audit",
    "dudao.organisations",
    "dudao.accounts",
    "dudao.schools",
    "dudao.inspectors",
    "dudao.imports",
    "dudao.signboards",
    "dudao.visits",
    "dudao.rectification",
    "dudao.dashboards",
    "dudao.rollup",
    "dudao.reports",
    "dudao.monitoring",
    "dudao.checklists",
    "dudao.campaigns",
    "dudao.returns",
    "dudao.evaluations",
    "dudao.complaints",
    "dudao.surveys",
    "dudao.bulletins",
    "dudao.training",
    "dudao.summaries",
    "dudao.demo",
    "dudao.notifications",
    "dudao.backups",  # manage.py backup / restore (no models)
    # The REST API (/api/v1/, docs/api.md): DRF, its OpenAPI schema, Swagger UI's own files.
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "dudao.api",
    "dudao.webhooks",  # group robots of WeChat Work and DingTalk (docs/deployment.md)
]

MIDDLEWARE = [
    # Forwarded headers count only from TRUSTED_PROXIES (before anything reads is_secure()).
    "dudao.core.security.ProxyHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "dudao.core.security.SecurityHeadersMiddleware",
    # Compresses HTML last on the way out (dudao/core/compression.py).
    "dudao.core.compression.CompressionMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "dudao.core.middleware.ChineseFirstLocaleMiddleware",
    # A NUL character anywhere in a request: 400 before any form, filter or session lookup.
    "dudao.core.security.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Values read once per request, such as an inspector's schools (dudao/core/request_memo.py).
    "dudao.core.request_memo.RequestMemoMiddleware",
    # "Keep me signed in" sessions are extended once a day of use (dudao/accounts/sessions.py).
    "dudao.accounts.sessions.SessionRenewalMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # An expired password (the office's max_age_days) allows only changing it.
    "dudao.accounts.middleware.PasswordExpiryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "dudao.audit.middleware.RequestContextMiddleware",
    "dudao.core.middleware.LoginRequiredMiddleware",
]

ROOT_URLCONF = "dudao.urls"
WSGI_APPLICATION = "dudao.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "dudao" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dudao.core.context_processors.navigation",
                "dudao.notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# Django's widget templates, the commonest written out in Python (dudao/core/form_renderer.py).
FORM_RENDERER = "dudao.core.form_renderer.FormRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'dudao.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the task worker and the web server use the embedded database together.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# Beyond one machine (docs/scaling.md). DATABASE_REPLICA_URL: a streaming replica of the
# primary; only code inside `reads_from_replica()` reads from it (the dashboards, the report
# downloads; dudao/core/db_routers.py), every write and every other read uses the primary. If
# the replica cannot be reached, those pages read from the primary and the replica is tried
# again after REPLICA_RETRY_SECONDS. DISABLE_SERVER_SIDE_CURSORS=1 behind PgBouncer in
# transaction mode (docs/deployment.md, "Workers and database connections").
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,  # a kept connection to a restarted replica is noticed
    )
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        # Seconds to wait for the replica before falling back to the primary.
        DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
    DATABASE_ROUTERS = ["dudao.core.db_routers.ReadReplicaRouter"]
REPLICA_RETRY_SECONDS = int(os.environ.get("REPLICA_RETRY_SECONDS", "30"))
if env_bool("DISABLE_SERVER_SIDE_CURSORS", False):
    for _database in DATABASES.values():
        _database["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A cache the web server and the task worker share (an import's progress during its apply is
# published there): files under var/ by default, which every process on the machine sees;
# CACHE_LOCATION moves it (several web machines need a shared folder or another backend).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ.get("CACHE_LOCATION", str(VAR_DIR / "cache")),
        # Sessions live here too: above MAX_ENTRIES every write drops a third of the entries.
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CACHE_MAX_ENTRIES", "20000"))},
    }
}
# Sessions are read from that cache and written through to the database (issue 10: one query
# less on every request; docs/benchmarks.md). A sign-out deletes both. Several web machines
# must then share the cache (docs/scaling.md); SESSION_ENGINE=...sessions.backends.db reads
# the database only.
SESSION_ENGINE = os.environ.get("SESSION_ENGINE", "django.contrib.sessions.backends.cached_db")

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["dudao.accounts.backends.UsernameOrPhoneBackend"]
PASSWORD_HASHERS = [
    "dudao.accounts.hashers.TunedArgon2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Argon2id cost per hash (dudao/accounts/hashers.py): OWASP's minimum, ~28 ms on 2 cores.
ARGON2_TIME_COST = int(os.environ.get("ARGON2_TIME_COST", "2"))
ARGON2_MEMORY_KIB = int(os.environ.get("ARGON2_MEMORY_KIB", "19456"))
ARGON2_PARALLELISM = int(os.environ.get("ARGON2_PARALLELISM", "1"))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # The office's policy (OfficeSecurityPolicy: length, character classes, no reuse of the
    # last passwords), dudao/accounts/passwords.py.
    {"NAME": "dudao.accounts.passwords.ComplexityValidator"},
    {"NAME": "dudao.accounts.passwords.HistoryValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Login throttling without locks (dudao/accounts/throttle.py): after LOGIN_FREE_ATTEMPTS
# failures for one login string (from anywhere, and from one address) within the window, each
# further attempt waits a delay that doubles (1 s, 2 s, 4 s…) up to LOGIN_MAX_DELAY_SECONDS;
# one client address gets LOGIN_FREE_ATTEMPTS_PER_ADDRESS free failures (a school's shared
# NAT). A browser that logged in before carries a signed known-device cookie and is counted on
# its own, so an attacker cannot keep the owner out.
LOGIN_FREE_ATTEMPTS = int(os.environ.get("LOGIN_FREE_ATTEMPTS", "5"))
LOGIN_FREE_ATTEMPTS_PER_ADDRESS = int(os.environ.get("LOGIN_FREE_ATTEMPTS_PER_ADDRESS", "20"))
LOGIN_MAX_DELAY_SECONDS = int(os.environ.get("LOGIN_MAX_DELAY_SECONDS", "900"))
LOGIN_THROTTLE_WINDOW_SECONDS = int(os.environ.get("LOGIN_THROTTLE_WINDOW_SECONDS", "86400"))
LOGIN_ADDRESS_WINDOW_SECONDS = int(os.environ.get("LOGIN_ADDRESS_WINDOW_SECONDS", "3600"))
LOGIN_DEVICE_COOKIE_NAME = "dudao_device"
LOGIN_DEVICE_COOKIE_DAYS = int(os.environ.get("LOGIN_DEVICE_COOKIE_DAYS", "365"))
# The public school page /p/<code>/ (no login): per client address and minute, at most
# PUBLIC_PAGE_RATE different school codes and PUBLIC_PAGE_REQUEST_RATE requests, then 429.
PUBLIC_PAGE_RATE = int(os.environ.get("PUBLIC_PAGE_RATE", "30"))
PUBLIC_PAGE_REQUEST_RATE = int(os.environ.get("PUBLIC_PAGE_REQUEST_RATE", "300"))
# Complaints from the public (dudao/complaints), per hour: reports sent from one address, reports
# about one school, and tracking-code lookups from one address.
COMPLAINT_SEND_RATE = int(os.environ.get("COMPLAINT_SEND_RATE", "10"))
COMPLAINT_SCHOOL_RATE = int(os.environ.get("COMPLAINT_SCHOOL_RATE", "30"))
COMPLAINT_TRACK_RATE = int(os.environ.get("COMPLAINT_TRACK_RATE", "30"))
# Satisfaction surveys (dudao/surveys): answers one address may post a minute, answers one
# network may give a survey a day, and the fewest seconds a person takes to answer.
SURVEY_POST_RATE = int(os.environ.get("SURVEY_POST_RATE", "30"))
SURVEY_DAILY_PER_NETWORK = int(os.environ.get("SURVEY_DAILY_PER_NETWORK", "200"))
SURVEY_MIN_SECONDS = int(os.environ.get("SURVEY_MIN_SECONDS", "3"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "dudao" / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    # Files written by a transaction that rolls back are deleted (dudao/core/storage.py).
    "default": {"BACKEND": "dudao.core.storage.RollbackSafeFileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("DUDAO_PLAIN_STATIC")
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
if os.environ.get("MEDIA_STORAGE") == "s3":
    STORAGES["default"] = {
        "BACKEND": "dudao.core.storage.RollbackSafeS3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("AWS_STORAGE_BUCKET_NAME", "dudao"),
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "default_acl": None,
            "querystring_auth": True,
        },
    }
# Uploads: keep large files on disk, refuse absurd request bodies outright.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(10 * 1024 * 1024)))
IMPORT_INLINE_MAX_ROWS = int(os.environ.get("IMPORT_INLINE_MAX_ROWS", "500"))
# Uploaded spreadsheets (dudao/core/spreadsheets.py, Limits): refused beyond these before or
# while they are read, with a message naming the limit. An XLSX is a zip: its directory is
# checked before anything is unpacked (entries, each part's and the total unpacked size, the
# compression ratio of parts of 1 MB or more); rows, columns and text are checked as the
# sheet is streamed. A request reads a file itself only when its parts to parse are at most
# IMPORT_INLINE_MAX_BYTES unpacked (and IMPORT_INLINE_MAX_ROWS rows); larger ones are read by
# the task worker.
IMPORT_INLINE_MAX_BYTES = int(os.environ.get("IMPORT_INLINE_MAX_BYTES", str(4 * 1024 * 1024)))
SPREADSHEET_MAX_UNCOMPRESSED_BYTES = int(
    os.environ.get("SPREADSHEET_MAX_UNCOMPRESSED_BYTES", str(100 * 1024 * 1024))
)
SPREADSHEET_MAX_RATIO = int(os.environ.get("SPREADSHEET_MAX_RATIO", "100"))
SPREADSHEET_MAX_ENTRIES = int(os.environ.get("SPREADSHEET_MAX_ENTRIES", "200"))
SPREADSHEET_MAX_SHEET_BYTES = int(
    os.environ.get("SPREADSHEET_MAX_SHEET_BYTES", str(50 * 1024 * 1024))
)
SPREADSHEET_MAX_PART_BYTES = int(
    os.environ.get("SPREADSHEET_MAX_PART_BYTES", str(20 * 1024 * 1024))
)
SPREADSHEET_MAX_ROWS = int(os.environ.get("SPREADSHEET_MAX_ROWS", "100000"))
SPREADSHEET_MAX_COLUMNS = int(os.environ.get("SPREADSHEET_MAX_COLUMNS", "200"))
SPREADSHEET_MAX_SHARED_STRINGS = int(os.environ.get("SPREADSHEET_MAX_SHARED_STRINGS", "1000000"))
SPREADSHEET_MAX_TEXT_CHARS = int(os.environ.get("SPREADSHEET_MAX_TEXT_CHARS", "50000000"))
PHOTO_MAX_BYTES = 5 * 1024 * 1024
# Photos (dudao/core/files.py), by pixel count read from the header before decoding: PNG, WebP,
# GIF and progressive JPEG are decoded at full size (about 4 bytes of memory a pixel), baseline
# JPEGs at 1/2 to 1/8 scale for the preview, so they may be larger.
PHOTO_MAX_PIXELS = int(os.environ.get("PHOTO_MAX_PIXELS", "40000000"))
PHOTO_MAX_JPEG_PIXELS = int(os.environ.get("PHOTO_MAX_JPEG_PIXELS", "200000000"))
# Above this, a photo decoded at full size gets its preview from a background task.
PHOTO_INLINE_PREVIEW_PIXELS = int(os.environ.get("PHOTO_INLINE_PREVIEW_PIXELS", "12000000"))

# Signboard batches with more schools than this are rendered by a background task.
SIGNBOARD_INLINE_LIMIT = int(os.environ.get("SIGNBOARD_INLINE_LIMIT", "40"))
# A ledger export of more rows than this is built by a background task (reports.ExportJob);
# its file is deleted EXPORT_KEEP_DAYS days after it was asked for.
EXPORT_INLINE_ROWS = int(os.environ.get("EXPORT_INLINE_ROWS", "2000"))
EXPORT_KEEP_DAYS = int(os.environ.get("EXPORT_KEEP_DAYS", "7"))

TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if os.environ.get("TASKS_BACKEND") == "immediate"
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG and env_bool("DUDAO_HTTPS", False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Browsers keep to HTTPS for this long once they have seen the site over HTTPS.
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)

# Reverse proxies whose forwarded headers are believed (dudao/core/security.py): addresses or
# networks, comma-separated (TRUSTED_PROXIES=127.0.0.1 for nginx on the same machine). Empty:
# no forwarded header counts, the client is the TCP peer and X-Forwarded-Proto is ignored.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: {_proxy!r} is not an IP address or network (e.g. 127.0.0.1, "
            "10.0.0.0/8); separate several with commas."
        ) from None
# Security headers (dudao/core/security.py, Django's SecurityMiddleware). The policy allows no
# inline script or style; uploaded photos come from the application itself, or from the
# object store when MEDIA_STORAGE=s3 (its origin, or CSP_MEDIA_ORIGINS, is allowed for images).
CSP_MEDIA_ORIGINS = env_list("CSP_MEDIA_ORIGINS")
if not CSP_MEDIA_ORIGINS and os.environ.get("MEDIA_STORAGE") == "s3":
    _endpoint = urlsplit(os.environ.get("AWS_S3_ENDPOINT_URL", ""))
    if _endpoint.scheme and _endpoint.netloc:
        CSP_MEDIA_ORIGINS = [f"{_endpoint.scheme}://{_endpoint.netloc}"]
    else:
        CSP_MEDIA_ORIGINS = ["https://*.amazonaws.com"]
# No page uses the camera, microphone or location APIs (photos come through <input capture>).
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# The REST API (dudao/api, docs/api.md): tokens or the session, one error shape, cursor pages,
# and API_RATE_PER_MINUTE requests a minute per token (or session user), then 429.
API_RATE_PER_MINUTE = int(os.environ.get("API_RATE_PER_MINUTE", "600"))
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "dudao.api.authentication.TokenAuthentication",
        "dudao.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["dudao.api.throttling.PerTokenRateThrottle"],
    "DEFAULT_PARSER_CLASSES": ["dudao.api.parsers.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "dudao.api.pagination.KeysetPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "dudao.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Dudao API",
    "DESCRIPTION": "The supervision office's registry, visits and findings (docs/api.md).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "VisitStatusEnum": "dudao.visits.models.Visit.Status",
        "AreaCheckStatusEnum": "dudao.visits.models.AreaCheck.Status",
        "FindingStatusEnum": "dudao.rectification.models.FindingStatus",
    },
}

EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Notifications are also e-mailed (by a background task) when an SMTP server is configured.
NOTIFY_BY_EMAIL = env_bool("NOTIFY_BY_EMAIL", bool(EMAIL_HOST))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "dudao@localhost")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Public base URL printed into QR codes on signboards (the school's public page) and e-mail
# links. The default is `make demo`'s default address; `make demo` passes the address it serves
# on (HOST, PORT) unless PUBLIC_BASE_URL is set.
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000")
# Group robots (dudao.webhooks) may post to plain http on a loopback address only when this is
# on (DEBUG, tests: a local stand-in for the WeChat Work / DingTalk endpoint).
WEBHOOKS_ALLOW_LOOPBACK = env_bool("WEBHOOKS_ALLOW_LOOPBACK", DEBUG)
