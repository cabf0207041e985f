"""Moved to `dudao.core.files` (stored files are shared by every app that keeps uploads); this
alias remains until every importer reads it from there."""

from dudao.core.files import (  # noqa: F401
    ALLOWED_TYPES,
    DEFAULT_LIMITS,
    MB,
    CheckedFile,
    check_upload,
    limits,
    make_preview,
    store,
)
