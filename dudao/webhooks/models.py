"""Group robots (群机器人) of WeChat Work (企业微信) and DingTalk (钉钉) and the log of what was
pushed to them (docs/architecture.md, "Push to messaging apps").

A `Robot` belongs to an office, optionally to one of its zones (责任区): a zone's robot hears
about the findings of that zone's schools and the office's announcements (a campaign's results,
a bulletin for everyone or for that zone). Its webhook URL and DingTalk signing secret are
credentials: pages show them masked (`masked_url`), audit rows never hold them.

A `Delivery` is one message for one robot (pending → sent / failed), sent by
`dudao.webhooks.tasks.deliver` with retries. Written only by `services` and `delivery`.
"""

from urllib.parse import parse_qsl, urlsplit, urlunsplit

from django.db import models
from django.utils.translation import gettext_lazy as _

from dudao.core.scopes import ScopedManager

KEY_PARAMS = ("key", "access_token")  # the query parameters that carry the robot's credential


def mask_url(url: str) -> str:
    """The URL with its key shown by its first four characters only."""
    parts = urlsplit(url)
    query = "&".join(
        f"{name}={(value[:4] + '…') if name in KEY_PARAMS and value else value}"
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    )
    return urlunsplit(parts._replace(query=query))


class Robot(models.Model):
    class Kind(models.TextChoices):
        WECOM = "wecom", _("WeChat Work (企业微信)")
        DINGTALK = "dingtalk", _("DingTalk (钉钉)")

    class Event(models.TextChoices):
        ESCALATION = "escalation", _("A finding escalated (上报)")
        OVERDUE = "overdue", _("A finding overdue or urged")
        CAMPAIGN = "campaign_published", _("A campaign's results published")
        BULLETIN = "bulletin_published", _("A bulletin published")

    office = models.ForeignKey(
        "organisations.Office",
        on_delete=models.PROTECT,
        related_name="robots",
        verbose_name=_("supervision office"),
    )
    zone = models.ForeignKey(
        "inspectors.Zone",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="robots",
        verbose_name=_("zone"),
    )
    kind = models.CharField(_("app"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=80)
    url = models.CharField(_("webhook URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=200, blank=True)
    events = models.JSONField(_("events"), default=list)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    all_objects = models.Manager()  # Django's default manager (docs/architecture.md)
    objects = ScopedManager()  # refuses to run until a scope is chosen

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["name", "pk"]
        verbose_name = _("group robot")
        verbose_name_plural = _("group robots")
        constraints = [
            models.UniqueConstraint(fields=["office", "name"], name="webhooks_robot_unique_name")
        ]

    def __str__(self):
        return self.name

    @property
    def masked_url(self) -> str:
        return mask_url(self.url)

    def event_labels(self) -> list[str]:
        labels = dict(self.Event.choices)
        return [str(labels[e]) for e in self.events if e in labels]

    def hears(self, event: str, zone_id=None, everyone=False) -> bool:
        """Whether this robot gets `event` about something in `zone_id`: an office's robot
        hears all of them, a zone's robot those of its zone, and with `everyone` (an
        announcement for the whole office, zone_id None) those too."""
        if not self.active or event not in self.events:
            return False
        if self.zone_id is None or (everyone and zone_id is None):
            return True
        return self.zone_id == zone_id


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to send")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    office = models.ForeignKey(
        "organisations.Office",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("supervision office"),
    )
    robot = models.ForeignKey(
        Robot, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("group robot")
    )
    event = models.CharField(_("event"), max_length=24)
    # What the message is about, unique per robot: a repeated signal never queues it twice.
    ref = models.CharField(max_length=120)
    title = models.CharField(_("title"), max_length=200)
    payload = models.JSONField(default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)

    all_objects = models.Manager()  # Django's default manager (docs/architecture.md)
    objects = ScopedManager()  # refuses to run until a scope is chosen

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["-created_at", "-pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["robot", "ref"], name="webhooks_delivery_once")
        ]
        indexes = [
            models.Index(fields=["office", "-created_at"]),
            models.Index(fields=["status", "next_attempt_at"]),
        ]

    def __str__(self):
        return self.title

    def event_label(self) -> str:
        return str(dict(Robot.Event.choices).get(self.event, _("Test message")))
