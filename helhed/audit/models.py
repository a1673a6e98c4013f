"""The audit log: one append-only, hash-chained row per look-up or change of personal data.

Kept apart from the data it describes: no foreign keys (an entry outlives the
citizen, the plan and the user it names, and deleting them never touches the
log), and the labels a reader needs are copied in at the time of writing.
Rows are never changed: the model refuses ``save`` of an existing row and
``delete``, and database triggers (see the migrations) refuse ``UPDATE`` and
``DELETE`` from any client. ``helhed audit verify`` recomputes the chain.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models
from django.utils.translation import gettext_lazy as _

from helhed.audit import codes


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an audit entry through the ORM."""


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit entries are append-only.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Audit entries are append-only.")


class AuditEntry(models.Model):
    seq = models.BigIntegerField(_("number"), unique=True)
    at = models.DateTimeField(_("time"), db_index=True)
    actor_id = models.BigIntegerField(_("user id"), null=True, blank=True, db_index=True)
    actor = models.CharField(_("who"), max_length=200)
    actor_staff_id = models.BigIntegerField(_("staff id"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=40)
    citizen_id = models.BigIntegerField(_("citizen id"), null=True, blank=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=40, blank=True)
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    source = models.CharField(_("from where"), max_length=100, blank=True)
    break_glass = models.BooleanField(_("break the glass"), default=False)
    # Field names changed, counts and the like; never values of personal data.
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    # Which key signed the entry (``chain.key_id``, never the key); NULL for
    # entries written before keys could be rotated. Not part of the hash: see
    # ``chain``. Nullable without a default, so that adding it is a plain
    # ALTER TABLE ADD COLUMN that keeps the table and its triggers.
    key_id = models.CharField(_("key id"), max_length=16, null=True, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["citizen_id", "at"], name="audit_entry_citizen_at"),
            models.Index(fields=["actor_id", "at"], name="audit_entry_actor_at"),
            models.Index(fields=["break_glass", "at"], name="audit_entry_glass_at"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.at:%Y-%m-%d %H:%M} {self.actor} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit entries are append-only.")

    @property
    def action_label(self) -> str:
        return codes.label(self.action)


class AuditHead(models.Model):
    """The end of the chain: the lock every writer takes, the count and the last hash.

    Removing rows from the end of the log leaves a chain that is valid in
    itself; comparing with the head catches it, and ``helhed audit verify``
    prints the head's hash so that it can be kept outside the database too.
    """

    entries = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain head")

    def __str__(self) -> str:
        return f"{self.entries} entries, last {self.last_hash[:12]}"
