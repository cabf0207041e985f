from django_tasks import task

from .orphans import delete_orphans


@task()
def clean_orphan_files_task() -> int:
    """Daily: remove uploads whose row never committed (see dudao.visits.orphans)."""
    return len(delete_orphans())
