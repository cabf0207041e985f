from django.core.files.base import ContentFile

from .common import AS_GET, only


def batch(w):
    from dudao.signboards.models import SignboardBatch

    job = SignboardBatch.all_objects.create(
        office=w.office, title="上城区", created_by=w.admin, status="done", school_count=3
    )
    job.file.save("matrix.pdf", ContentFile(b"%PDF-1.7 matrix"))
    return [job.pk]


BATCH = only({"admin": 200, "zone_leader": 404, "other_admin": 404})

MATRIX = {
    "signboards:batch": (batch, BATCH, AS_GET),
    "signboards:batch_file": (batch, BATCH, AS_GET),
}
