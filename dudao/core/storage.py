"""Files written by a transaction that rolls back are deleted (see the docstring of
`dudao.core.files`, "No file outlives a rolled-back transaction", for the design).

`delete_on_rollback(storage, name)` remembers a file just written; the storages below call it
for every file they save, and settings.STORAGES names them:

    "default": {"BACKEND": "dudao.core.storage.RollbackSafeFileSystemStorage"}
    "default": {"BACKEND": "dudao.core.storage.RollbackSafeS3Storage", ...}   # MEDIA_STORAGE=s3

This module imports no model, so the storage can be loaded before the apps are ready.
"""

import logging

from django.core.files.storage import FileSystemStorage
from django.db import DEFAULT_DB_ALIAS, connections

logger = logging.getLogger(__name__)

_TRACKER = "_dudao_files_written"


class _WrittenFiles:
    """The files written during the open transaction of one connection, each with the
    savepoints that were open when it was written. Installs itself around the connection's
    commit, rollback, savepoint_rollback and close (instance attributes: the class and other
    connections are untouched)."""

    def __init__(self, connection):
        self.connection = connection
        self.pending: list[tuple[frozenset, object, str]] = []
        commit = connection.commit
        rollback = connection.rollback
        savepoint_rollback = connection.savepoint_rollback
        close = connection.close

        def tracked_commit():
            commit()
            self.pending.clear()  # committed: the rows that name the files are there

        def tracked_rollback():
            try:
                rollback()
            finally:  # even if the rollback failed: the transaction is gone either way
                self.delete(lambda sids: True)

        def tracked_savepoint_rollback(sid):
            savepoint_rollback(sid)  # if this fails, Django rolls back the outer transaction
            self.delete(lambda sids: sid in sids)

        def tracked_close():
            try:
                close()
            finally:  # closing in a transaction loses it; outside one, nothing is pending
                self.delete(lambda sids: True)

        connection.commit = tracked_commit
        connection.rollback = tracked_rollback
        connection.savepoint_rollback = tracked_savepoint_rollback
        connection.close = tracked_close

    def delete(self, written_in) -> None:
        keep, gone = [], []
        for entry in self.pending:
            (gone if written_in(entry[0]) else keep).append(entry)
        self.pending[:] = keep
        for _sids, storage, name in gone:
            try:
                storage.delete(name)
            except Exception:  # never hide the rollback's own error; the sweep finds it later
                logger.exception("Could not delete %s after a rollback", name)


def delete_on_rollback(storage, name: str, using: str = DEFAULT_DB_ALIAS) -> None:
    """Delete `name` from `storage` if the transaction open now on `using` (or the savepoint
    open now) rolls back; keep it if it commits. Outside a transaction the write is final:
    nothing to do."""
    connection = connections[using]
    if not connection.in_atomic_block:
        return
    tracker = connection.__dict__.get(_TRACKER)
    if tracker is None:
        tracker = _WrittenFiles(connection)
        setattr(connection, _TRACKER, tracker)
    savepoints = frozenset(sid for sid in connection.savepoint_ids if sid)
    tracker.pending.append((savepoints, storage, name))


class DeleteOnRollbackMixin:
    """A storage whose every saved file is deleted again if its transaction rolls back."""

    def _save(self, name, content):
        name = super()._save(name, content)
        delete_on_rollback(self, name)
        return name


class RollbackSafeFileSystemStorage(DeleteOnRollbackMixin, FileSystemStorage):
    pass


def __getattr__(name):
    # The S3 variant is built on first use, so django-storages (and boto3) are imported only
    # where MEDIA_STORAGE=s3 asks for it.
    if name == "RollbackSafeS3Storage":
        from storages.backends.s3 import S3Storage

        cls = type(name, (DeleteOnRollbackMixin, S3Storage), {"__module__": __name__})
        globals()[name] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
