from django.db import models
from django.utils.encoding import force_str


class ChoiceLabels:
    """A model mixin: `get_FOO_display()` from a per-field dict of value → label.

    Django's own builds `dict(make_hashable(field.flatchoices))` on every call, hashing
    every lazy label, and each hash is a translation lookup: a ledger page of 25 rows spent
    about 450 lookups there (docs/benchmarks.md). Same result (the label, or the value when
    it is not a choice), one lookup per call."""

    def _get_FIELD_display(self, field):
        labels = field.__dict__.get("_labels_by_value")
        if labels is None:
            labels = field.__dict__["_labels_by_value"] = dict(field.flatchoices)
        value = getattr(self, field.attname)
        try:
            label = labels.get(value, value)
        except TypeError:  # an unhashable value (a list in a JSONField): Django's way
            return super()._get_FIELD_display(field)
        return force_str(label, strings_only=True)


class ScheduledRun(models.Model):
    """One daily job enqueued on one local day (see dudao.core.schedule)."""

    job = models.CharField(max_length=60)
    day = models.DateField()
    enqueued_at = models.DateTimeField(auto_now_add=True)
    result_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-day", "job"]
        constraints = [models.UniqueConstraint(fields=["job", "day"], name="scheduled_run_once")]

    def __str__(self):
        return f"{self.job} {self.day}"


class RequestKey(models.Model):
    """A create that has been done once for a form's one-time key (see dudao.core.idempotency):
    a second submission of the same form finds the object the first one made."""

    key = models.UUIDField()
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=80)
    object_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "action", "key"], name="request_key_once")
        ]

    def __str__(self):
        return f"{self.action} {self.key}"
