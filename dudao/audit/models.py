"""The audit log (操作日志): append-only; nobody can edit or delete an entry.

Append-only in the database (triggers refuse UPDATE and DELETE, `triggers.py`) and chained
(each entry holds the hash of the one before it in its office's chain, `chain.py`;
`manage.py verify_audit` checks it). Entries outlive the accounts and offices they name: the
actor and office keys have no database constraint and are left as they are when the user or
office is deleted (`actor_name` keeps the name), since changing them would be an UPDATE.
"""

from django.conf import settings
from django.db import models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dudao.core.scopes import ScopedManager, ScopedQuerySet

from . import chain


class AuditQuerySet(ScopedQuerySet):
    """bulk_create chains the entries like save() does (importers insert their rows in bulk)."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        with transaction.atomic(using=self.db, savepoint=False):
            chain.seal(self.model, objs, self.db)
            return super().bulk_create(objs, *args, **kwargs)


class AuditManager(models.Manager.from_queryset(AuditQuerySet)):
    """The default manager: every row (Django's internals, admin); bulk_create chains."""

    def get_queryset(self):
        return super().get_queryset().unscoped()


class ScopedAuditManager(ScopedManager.from_queryset(AuditQuerySet)):
    use_in_migrations = False


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Updated")
        DELETE = "delete", _("Deleted")
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login_failed", _("Login failed")
        LOCKED = "locked", _("Account locked")
        LOGOUT = "logout", _("Logged out")
        IMPORT = "import", _("Imported")

    # Set when the entry is chained (not auto_now_add, which would change it after hashing).
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("user"),
    )
    actor_name = models.CharField(_("user"), max_length=150, blank=True)
    office = models.ForeignKey(
        "organisations.Office",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    target_type = models.CharField(_("record type"), max_length=50, blank=True)
    target_id = models.CharField(max_length=50, blank=True)
    target_repr = models.CharField(_("record"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, editable=False)

    all_objects = AuditManager()  # Django's default manager (docs/architecture.md)
    objects = ScopedAuditManager()  # refuses to run until a scope is chosen

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["-at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [
            models.Index(fields=["office", "-at"]),
            models.Index(fields=["target_type", "target_id"]),
            models.Index(fields=["action", "-at"]),
            models.Index(fields=["office", "id"], name="audit_chain_idx"),  # chain heads
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.target_repr}"

    def save(self, *args, using=None, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit entries cannot be changed.")
        using = using or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using, savepoint=False):
            chain.seal(type(self), [self], using)
            super().save(*args, using=using, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit entries cannot be deleted.")
