from django_tasks import task


@task()
def render_batch(batch_id: int) -> str:
    from .services import render

    return render(batch_id).status
