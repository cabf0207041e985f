"""Uploaded files whose database row never committed (the process died between the file write
and the commit; a transaction that rolls back deletes its files itself, dudao/core/storage.py)
stay in storage with nothing pointing at them. This finds them by listing the upload folders
of every StoredFile model and comparing with the rows, and deletes those older than a grace
period (a file being saved right now is younger)."""

import datetime

from django.apps import apps
from django.core.files.storage import default_storage
from django.utils import timezone

from dudao.core.files import StoredFile

GRACE = datetime.timedelta(days=1)


def stored_file_models():
    return [
        model
        for model in apps.get_models()
        if issubclass(model, StoredFile) and not model._meta.abstract
    ]


def _walk(storage, folder):
    try:
        dirs, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{folder}/{name}"
    for name in dirs:
        yield from _walk(storage, f"{folder}/{name}")


def find_orphans(now=None, storage=None) -> list[str]:
    storage = storage or default_storage
    now = now or timezone.now()
    orphans = []
    for model in stored_file_models():
        known = set(model.objects.values_list("file", flat=True)) | set(
            model.objects.exclude(preview="").values_list("preview", flat=True)
        )
        for path in _walk(storage, model.UPLOAD_DIR):
            if path in known:
                continue
            try:
                modified = storage.get_modified_time(path)
            except (FileNotFoundError, NotImplementedError):
                continue
            if timezone.is_naive(modified):
                modified = timezone.make_aware(modified)
            if now - modified >= GRACE:
                orphans.append(path)
    return sorted(orphans)


def delete_orphans(now=None, storage=None) -> list[str]:
    storage = storage or default_storage
    orphans = find_orphans(now, storage)
    for path in orphans:
        storage.delete(path)
    return orphans
