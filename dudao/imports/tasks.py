"""Background work for large imports (django-tasks; run `manage.py db_worker`)."""

from django_tasks import task


@task()
def validate_import(job_id: int) -> str:
    from .services import validate_job

    return validate_job(job_id).status


@task()
def apply_import(job_id: int, actor_id: int | None) -> str:
    from .services import apply_job

    return apply_job(job_id, actor_id).status
