"""Reads from a replica, only where a page says so (docs/scaling.md).

With `DATABASE_REPLICA_URL` set, settings.DATABASES has a second alias, `replica` (a
PostgreSQL streaming replica of the primary), and this router is installed. It never sends a
read to the replica on its own: a replica is a little behind the primary, and a page shown
right after a form was saved must show what was saved. Only code inside an explicit scope
reads from it::

    @role_required(...)
    @reads_from_replica()          # innermost: the role check runs on the primary
    def ledger_xlsx(request): ...

    with reads_from_replica():
        report = build(...)

The scopes are the dashboards and the report downloads: heavy, read-only, and fine a second
behind. Everything else (sessions, the signed-in user, which the middleware loads before the
view, every other page) reads from the primary.

- **Writes** always go to the primary, inside a scope too. A scope that has written (or
  locked a row, or called `get_or_create`) reads from the primary until it ends, so it never
  reads back an older copy of what it wrote. Failing on a write instead would turn any
  audited side effect of a report into an error page; pinning keeps the scope safe without
  that.
- **Unreachable replica**: at its first read, a scope checks the replica's connection. If it
  cannot connect, the scope reads from the primary, a warning is logged, and the replica is
  left alone for `REPLICA_RETRY_SECONDS` (default 30) before the next scope tries again. A
  replica that fails in the middle of a query fails that request only.
- **Relations** between objects read from either alias are allowed (they are the same
  rows); **migrations** run on the primary only (the replica copies them).
- The scope is a context variable: another thread does not inherit it (it reads from the
  primary), and a copy of the context (asgiref's `sync_to_async`) carries it. Nested scopes
  are one scope. As a decorator it wraps synchronous views; in an async function use `with`.

The kernel's scopes (`dudao.core.scopes`) are untouched: `visible_to(user)` builds the same
query whichever database runs it.
"""

import contextvars
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

__all__ = ["REPLICA", "ReadReplicaRouter", "reads_from_replica", "replica_configured"]

logger = logging.getLogger(__name__)

REPLICA = "replica"


@dataclass
class _Scope:
    usable: bool | None = None  # None: the replica not checked yet in this scope
    wrote: bool = False


_current: contextvars.ContextVar[_Scope | None] = contextvars.ContextVar(
    "dudao_reads_from_replica", default=None
)
# Per process: after a failed connection, no scope tries the replica before this moment.
_retry_after = 0.0
_clock = time.monotonic


@contextmanager
def reads_from_replica():
    """Reads inside this block (or decorated function) may come from the replica."""
    if _current.get() is not None:  # nested: the outer scope decides
        yield
        return
    token = _current.set(_Scope())
    try:
        yield
    finally:
        _current.reset(token)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def _replica_usable() -> bool:
    global _retry_after
    if _clock() < _retry_after:
        return False
    connection = connections[REPLICA]
    try:
        connection.close_if_health_check_failed()  # a persistent connection that died
        connection.ensure_connection()
    except DatabaseError as error:
        _retry_after = _clock() + settings.REPLICA_RETRY_SECONDS
        logger.warning(
            "Read replica unreachable (%s): reading from the primary for the next %s s.",
            error,
            settings.REPLICA_RETRY_SECONDS,
        )
        return False
    return True


class ReadReplicaRouter:
    """settings.DATABASE_ROUTERS when DATABASE_REPLICA_URL is set (see the module docstring)."""

    def db_for_read(self, model, **hints):
        scope = _current.get()
        if scope is None or scope.wrote or not replica_configured():
            return DEFAULT_DB_ALIAS
        if scope.usable is None:
            scope.usable = _replica_usable()
        return REPLICA if scope.usable else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        scope = _current.get()
        if scope is not None:
            scope.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        aliases = {DEFAULT_DB_ALIAS, REPLICA}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
