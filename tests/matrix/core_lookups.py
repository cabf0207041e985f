"""Authorisation rows of the search field's lookup endpoint (dudao/core/lookups.py). Its
answers are the reader's own rows only (tests/core/test_lookups.py)."""

from .common import everyone, only

STAFF = {"admin": 200, "zone_leader": 200, "inspector": 200, "viewer": 200}
STAFF |= {"other_admin": 200, "superuser": 200}

MATRIX = {
    "core:lookup": (lambda w: ["school"], only(STAFF), everyone(405)),
}
