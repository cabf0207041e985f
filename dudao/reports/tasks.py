"""Background work of the reports (django-tasks; run `manage.py db_worker`)."""

from django_tasks import task


@task()
def build_export(job_id: int) -> str:
    """Build an export too large for a request (services.run_export)."""
    from .services import run_export

    return run_export(job_id).status


@task()
def delete_expired_exports_task() -> int:
    """Daily: the exports older than settings.EXPORT_KEEP_DAYS, files and jobs."""
    from .services import delete_expired_exports

    return delete_expired_exports()
