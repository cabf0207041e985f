"""Bulletins, notices and briefings (通报、通知、简报; issue 14 §4).

The office writes a document of one of three kinds, chooses who receives it (every school,
a zone's schools, the inspectors, or chosen schools), and publishes it: it then takes its
number (清督通〔2026〕3号, a briefing 〔2026〕第12期) in the order of publication, its
recipients are fixed (`BulletinRecipient`: the schools or inspectors the rule gave that day)
and notified, and each recipient's users read it in the app (`BulletinRead`, one receipt per
user). The office sees who has read and who has not, and reminds the rest. A document may
also be shown on the county's public page. Writes go through `dudao.bulletins.services`;
statuses through `dudao.bulletins.workflow`."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dudao.core.files import StoredFile
from dudao.core.history import HistoryRecord
from dudao.core.models import ChoiceLabels
from dudao.core.scopes import ScopedManager


class Kind(models.TextChoices):
    BULLETIN = "bulletin", _("Bulletin")  # 通报
    NOTICE = "notice", _("Notice")  # 通知
    BRIEFING = "briefing", _("Briefing")  # 简报


class Topic(models.TextChoices):
    """What a document is about (a list filter and the public page's wording)."""

    PRAISE = "praise", _("Praise")  # 通报表扬
    CRITICISM = "criticism", _("Criticism")  # 通报批评
    RESULTS = "results", _("Results of a campaign or evaluation")  # 结果通报
    FIGURES = "figures", _("Monthly or half-monthly figures")  # 月报、半月报情况
    CAMPAIGN = "campaign", _("A coming campaign")  # 专项督导通知
    TRAINING = "training", _("Training")  # 培训通知
    WORK = "work", _("Supervision work")  # 工作动态（简报）
    OTHER = "other", _("Other")


# The topics each kind may take (the form offers these; the service checks them).
TOPICS = {
    Kind.BULLETIN: (Topic.PRAISE, Topic.CRITICISM, Topic.RESULTS, Topic.FIGURES, Topic.OTHER),
    Kind.NOTICE: (Topic.CAMPAIGN, Topic.TRAINING, Topic.OTHER),
    Kind.BRIEFING: (Topic.WORK, Topic.RESULTS, Topic.FIGURES, Topic.OTHER),
}


class Audience(models.TextChoices):
    ALL_SCHOOLS = "all_schools", _("All schools")
    ZONE = "zone", _("The schools of a zone")
    INSPECTORS = "inspectors", _("The inspectors")
    SCHOOLS = "schools", _("Chosen schools")


class Bulletin(ChoiceLabels, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    office = models.ForeignKey(
        "organisations.Office",
        on_delete=models.PROTECT,
        related_name="bulletins",
        verbose_name=_("supervision office"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    topic = models.CharField(_("topic"), max_length=10, choices=Topic.choices, default=Topic.OTHER)
    title = models.CharField(_("title"), max_length=200)
    # Plain paragraphs, one a line; a line such as "一、总体情况" is a heading.
    body = models.TextField(_("text"))
    # Who receives it: the rule, and (for ZONE and SCHOOLS) its choice. The recipients it
    # gave on the day of publication are `recipients`.
    audience = models.CharField(
        _("recipients"), max_length=12, choices=Audience.choices, default=Audience.ALL_SCHOOLS
    )
    zone = models.ForeignKey(
        "inspectors.Zone",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("zone"),
    )
    chosen_schools = models.ManyToManyField(
        "schools.School", blank=True, related_name="+", verbose_name=_("schools")
    )
    publish_on_public_page = models.BooleanField(
        _("show on the county's public page"), default=False
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # The number, taken on publication: the year of publication and its place in the
    # office's sequence of that kind and year.
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    sequence = models.PositiveIntegerField(null=True, blank=True)
    number = models.CharField(_("document number"), max_length=60, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    all_objects = models.Manager()  # Django's default manager (docs/architecture.md)
    objects = ScopedManager()  # refuses to run until a scope is chosen

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["-published_at", "-created_at", "-pk"]
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "kind", "year", "sequence"],
                condition=Q(sequence__isnull=False),
                name="bulletin_number_once",
            ),
        ]
        indexes = [
            models.Index(fields=["office", "status", "-published_at"]),
            models.Index(
                fields=["office", "-published_at"],
                condition=Q(status="published", publish_on_public_page=True),
                name="bulletin_public_idx",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}" if self.number else self.title

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class BulletinSequence(models.Model):
    """The last number an office gave to documents of one kind in a year; locked while a
    number is taken, so numbers are unique and follow the order of publication (as
    `rectification.NoticeSequence`)."""

    office = models.ForeignKey("organisations.Office", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["office", "kind", "year"], name="bulletin_sequence_unique"
            )
        ]

    def __str__(self):
        return f"{self.office_id}/{self.kind}/{self.year}: {self.last_number}"


class BulletinRecipient(models.Model):
    """One recipient of a published document, fixed on publication: a school (its users
    read it) or an inspector (their account reads it)."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="recipients")
    office = models.ForeignKey("organisations.Office", on_delete=models.PROTECT, related_name="+")
    # A school or inspector deleted as entered by mistake takes its receipts with it.
    school = models.ForeignKey(
        "schools.School", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    inspector = models.ForeignKey(
        "inspectors.Inspector", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    reminders_sent = models.PositiveSmallIntegerField(_("reminders"), default=0)
    last_reminded_at = models.DateTimeField(_("last reminded at"), null=True, blank=True)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["bulletin", "pk"]
        verbose_name = _("bulletin recipient")
        verbose_name_plural = _("bulletin recipients")
        constraints = [
            models.CheckConstraint(
                condition=Q(school__isnull=False, inspector__isnull=True)
                | Q(school__isnull=True, inspector__isnull=False),
                name="bulletin_recipient_school_or_inspector",
            ),
            models.UniqueConstraint(
                fields=["bulletin", "school"],
                condition=Q(school__isnull=False),
                name="bulletin_recipient_school_once",
            ),
            models.UniqueConstraint(
                fields=["bulletin", "inspector"],
                condition=Q(inspector__isnull=False),
                name="bulletin_recipient_inspector_once",
            ),
        ]
        indexes = [
            models.Index(fields=["school", "bulletin"]),
            models.Index(fields=["inspector", "bulletin"]),
        ]

    def __str__(self):
        return f"{self.bulletin_id} → {self.school or self.inspector}"

    @property
    def name(self) -> str:
        return str(self.school or self.inspector)


class BulletinRead(models.Model):
    """A read receipt: `user` (of the recipient school, or the recipient inspector's
    account) first opened the document at `read_at`."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="reads")
    recipient = models.ForeignKey(BulletinRecipient, on_delete=models.CASCADE, related_name="reads")
    office = models.ForeignKey("organisations.Office", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(_("read at"))

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["read_at", "pk"]
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")
        constraints = [
            models.UniqueConstraint(fields=["bulletin", "user"], name="bulletin_read_once")
        ]
        indexes = [models.Index(fields=["user", "bulletin"])]

    def __str__(self):
        return f"{self.bulletin_id} · {self.user_id} · {self.read_at:%Y-%m-%d %H:%M}"


class BulletinAttachment(StoredFile):
    """A file sent with the document (附件), added while it is a draft."""

    UPLOAD_DIR = "bulletins"

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="attachments")

    class Meta(StoredFile.Meta):
        verbose_name = _("bulletin attachment")
        verbose_name_plural = _("bulletin attachments")
        constraints = [
            models.UniqueConstraint(fields=["bulletin", "sha256"], name="bulletin_attachment_once")
        ]


class BulletinEvent(HistoryRecord):
    """One line of a document's history (created, edited, published, reminded, withdrawn),
    written by the workflow engine (`dudao.bulletins.workflow`)."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.PROTECT, related_name="events")

    class Meta(HistoryRecord.Meta):
        verbose_name = _("bulletin event")
        verbose_name_plural = _("bulletin events")
        indexes = [models.Index(fields=["bulletin", "at"])]
