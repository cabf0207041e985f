from django_tasks import task

from . import delivery


@task()
def deliver(delivery_id: int) -> str:
    """Send one message to a group robot (idempotent: only a pending, due delivery is sent)."""
    return delivery.send(delivery_id)


@task()
def deliver_due_task() -> dict[str, int]:
    """Every pending delivery whose next attempt has come (a sweep beside the deferred tasks)."""
    return delivery.deliver_due()
