from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


def _assignments_changed(**kwargs):
    """An assignment written in this request: the memoised ids of an inspector's schools
    (dudao/accounts/scoping.py) are read again."""
    from dudao.core import request_memo

    request_memo.forget()


class InspectorsConfig(AppConfig):
    name = "dudao.inspectors"
    label = "inspectors"

    def ready(self):
        from .models import Assignment

        post_save.connect(_assignments_changed, sender=Assignment, dispatch_uid="memo-assign")
        post_delete.connect(_assignments_changed, sender=Assignment, dispatch_uid="memo-unassign")
