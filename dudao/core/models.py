from django.db import models


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
