"""Background work of the kernel (django-tasks; run `manage.py db_worker`)."""

from django_tasks import task


@task()
def make_preview_task(model_label: str, pk: int) -> bool:
    """The preview of a large photo stored by `dudao.core.files.store` (idempotent)."""
    from .files import add_preview

    return add_preview(model_label, pk)
