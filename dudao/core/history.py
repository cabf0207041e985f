"""The history row of a workflow (see `dudao.core.workflow`): one append-only line per
transition or noted event, with who, when, the status before and after, the action, a note
and JSON data. Each workflow model has its own concrete table with a real foreign key:

    class VisitEvent(HistoryRecord):
        visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="events")

        class Meta(HistoryRecord.Meta):
            ...

Only abstract models live here, so any app's models module can import it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class HistoryRecord(models.Model):
    """One line of an object's history. Rows are never changed or deleted one by one;
    replaying `to_status` gives the object's current status."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("by"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=40)
    from_status = models.CharField(max_length=30, blank=True)
    to_status = models.CharField(max_length=30)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.from_status}→{self.to_status}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("History rows cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("History rows cannot be deleted.")
