"""Complaints, tip-offs and enquiries from the public (投诉、举报、咨询, issue 14): what a parent
or anyone sends from the school's public page behind the signboard's QR code or from the
county's page, without an account, and the office's handling of it.

A complaint's `status` is its place in the workflow (`dudao.complaints.workflow`, the only
code that assigns it); lateness (`is_overdue`, the urgings) is kept beside it, as for
findings. The sender's name and phone are read by the office admins only
(`accounts.scoping.may_see_sender`); the client's address is kept as a keyed hash, never as the
address itself.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dudao.core.files import StoredFile
from dudao.core.history import HistoryRecord
from dudao.core.models import ChoiceLabels
from dudao.core.scopes import ScopedManager
from dudao.core.validators import phone_validator


class Category(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")  # 投诉
    TIP_OFF = "tip_off", _("Tip-off")  # 举报
    # The dedicated channel for "双减" problems and off-campus tutoring (校外培训).
    DOUBLE_REDUCTION = "double_reduction", _("Tip-off: “双减” and off-campus tutoring")
    ENQUIRY = "enquiry", _("Enquiry")  # 咨询
    SUGGESTION = "suggestion", _("Suggestion")  # 建议


class Status(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("complaint", "Received")  # 已受理, to be triaged
    ASSIGNED = "assigned", pgettext_lazy("complaint", "Assigned")  # 已分办
    INVESTIGATING = "investigating", _("Being investigated")  # 核查中
    REPLIED = "replied", pgettext_lazy("complaint", "Replied")  # 已答复
    CLOSED = "closed", pgettext_lazy("complaint", "Closed")  # 已办结
    TRANSFERRED = "transferred", _("Transferred to another department")  # 已转办
    MERGED = "merged", _("Merged as a duplicate")  # 重复件，已合并


# Waiting for a reply: the daily check flags these overdue after their deadline.
OPEN_STATUSES = (Status.RECEIVED, Status.ASSIGNED, Status.INVESTIGATING)
# Solved (办结) in the figures: the sender has had a reply.
SOLVED_STATUSES = (Status.REPLIED, Status.CLOSED)


class ComplaintRules(models.Model):
    """The office's handling rules for complaints (numbers are data, docs/rules.md). An office
    without a row uses the defaults (`rules_for`)."""

    office = models.OneToOneField(
        "organisations.Office", on_delete=models.CASCADE, related_name="complaint_rules"
    )
    reply_days = models.PositiveSmallIntegerField(
        _("days to reply"),
        default=15,
        help_text=_(
            "A complaint is to be replied to within this many calendar days of being "
            "received; after that it is overdue."
        ),
    )
    urge_days = models.PositiveSmallIntegerField(
        _("days between urgings"),
        default=3,
        help_text=_(
            "While a complaint is overdue, its inspector and the office are reminded again "
            "every this many days."
        ),
    )
    source = models.CharField(_("source"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("complaint rules")
        verbose_name_plural = _("complaint rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(reply_days__gte=1) & Q(reply_days__lte=365),
                name="complaint_rules_reply_days_range",
            ),
            models.CheckConstraint(
                condition=Q(urge_days__gte=1) & Q(urge_days__lte=60),
                name="complaint_rules_urge_days_range",
            ),
        ]

    def __str__(self):
        return f"{self.office}"


def rules_for(office_id) -> ComplaintRules:
    rules = ComplaintRules.objects.filter(office_id=office_id).first()
    return rules or ComplaintRules(office_id=office_id)


class Complaint(ChoiceLabels, models.Model):
    office = models.ForeignKey(
        "organisations.Office",
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("supervision office"),
    )
    # Empty when the complaint is about no one school (a county-wide matter, a tutoring
    # company) or the sender did not say which.
    school = models.ForeignKey(
        "schools.School",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("school"),
    )
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.COMPLAINT
    )
    text = models.TextField(_("what happened"))
    # Contact details: the office admins' alone (accounts.scoping.may_see_sender). Empty when the
    # sender chose to stay anonymous.
    sender_name = models.CharField(pgettext_lazy("person", "name"), max_length=30, blank=True)
    sender_phone = models.CharField(
        _("phone"), max_length=30, blank=True, validators=[phone_validator]
    )
    anonymous = models.BooleanField(_("anonymous"), default=False)
    # What the sender types to read the reply: random, unguessable, short enough to type.
    tracking_code = models.CharField(_("tracking code"), max_length=10, unique=True)
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.RECEIVED
    )
    inspector = models.ForeignKey(
        "inspectors.Inspector",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("assigned inspector"),
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True, editable=False)
    # The reply is due by this day (received + the office's reply_days; the office may change
    # it when assigning).
    deadline = models.DateField(_("reply due by"))
    is_overdue = models.BooleanField(_("overdue"), default=False, editable=False)
    urge_count = models.PositiveSmallIntegerField(_("urgings"), default=0, editable=False)
    last_urged_on = models.DateField(null=True, blank=True, editable=False)
    # The inspector's draft until the reply is sent; then what the sender reads.
    reply_text = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True, editable=False)
    transferred_to = models.CharField(_("transferred to"), max_length=100, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    # The finding a confirmed problem became (rectification ledger); the finding's
    # `complaints` lead back here.
    finding = models.ForeignKey(
        "rectification.Finding",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
        verbose_name=_("finding"),
    )
    received_at = models.DateTimeField(_("received at"), auto_now_add=True, db_index=True)
    closed_at = models.DateTimeField(
        pgettext_lazy("complaint", "closed at"), null=True, blank=True, editable=False
    )
    # A keyed hash (HMAC) of the client's address, for rate limits and merging duplicates;
    # the address itself is never stored. And a hash of the normalised text.
    client_hash = models.CharField(max_length=64, blank=True, editable=False)
    text_hash = models.CharField(max_length=64, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    all_objects = models.Manager()  # Django's default manager (docs/architecture.md)
    objects = ScopedManager()  # refuses to run until a scope is chosen

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["-received_at", "-pk"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [
            models.Index(fields=["office", "-received_at"]),
            models.Index(fields=["office", "status"]),
            models.Index(fields=["inspector", "status"]),
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["school", "text_hash", "client_hash"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(anonymous=False) | (Q(sender_name="") & Q(sender_phone="")),
                name="complaint_anonymous_has_no_contact",
            ),
            models.CheckConstraint(
                condition=Q(status="merged", duplicate_of__isnull=False)
                | (~Q(status="merged") & Q(duplicate_of__isnull=True)),
                name="complaint_duplicate_of_iff_merged",
            ),
        ]

    def __str__(self):
        return self.tracking_code

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def code_display(self) -> str:
        """The tracking code in two groups of five, as printed for the sender."""
        code = self.tracking_code
        return f"{code[:5]}-{code[5:]}" if len(code) == 10 else code


class ComplaintEvent(HistoryRecord):
    """One line of a complaint's history, written by `dudao.complaints.workflow`."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="events")

    class Meta(HistoryRecord.Meta):
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")
        indexes = [
            models.Index(fields=["complaint", "at"]),
            models.Index(fields=["action", "at"]),
        ]


class ComplaintPhoto(StoredFile):
    """A photo sent with a complaint (checked like a visit's, `dudao.core.files`). Served
    through the complaint's scope; the original (which may carry the phone's location in its
    EXIF data) to the office admins only, the preview to the inspector."""

    UPLOAD_DIR = "complaints"

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="photos")

    class Meta(StoredFile.Meta):
        verbose_name = _("complaint photo")
        verbose_name_plural = _("complaint photos")
