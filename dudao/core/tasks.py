"""Background work of the kernel (django-tasks; run `manage.py db_worker`)."""

from django_tasks import task


@task()
def make_preview_task(model_label: str, pk: int) -> bool:
    """The preview of a large photo stored by `dudao.core.files.store` (idempotent)."""
    from .files import add_preview

    return add_preview(model_label, pk)


@task()
def delete_old_request_keys_task() -> int:
    """Daily: the one-time keys of create forms older than idempotency.KEEP_DAYS."""
    from .idempotency import delete_old_keys

    return delete_old_keys()
