"""The two logs every module writes to: the audit chain and the access log."""

import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from schutznetz.core import personal_data


class AuditEntry(models.Model):
    """One write made by a service, chained to the one before by its hash.

    Changing, removing or inserting a row breaks the chain, which
    ``manage.py verify_audit`` detects. Values are never stored, only the
    names of the fields that changed.
    """

    created_at = models.DateTimeField(_("Zeitpunkt"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("Akteur"), max_length=150, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("Aktion"), max_length=80)
    object_type = models.CharField(_("Objekttyp"), max_length=100)
    object_id = models.CharField(_("Objekt-ID"), max_length=64, blank=True)
    changed_fields = models.JSONField(_("Geänderte Felder"), default=list)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("Audit-Eintrag")
        verbose_name_plural = _("Audit-Protokoll")
        ordering = ["id"]

    def __str__(self):
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"

    def compute_hash(self):
        payload = {
            "created_at": self.created_at.isoformat(),
            "actor": self.actor_id,
            "actor_label": self.actor_label,
            "organisation": self.organisation_id,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "changed_fields": list(self.changed_fields),
            "prev_hash": self.prev_hash,
        }
        canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class AccessLogEntry(models.Model):
    """Who read which protected record, and when."""

    created_at = models.DateTimeField(_("Zeitpunkt"), auto_now_add=True, db_index=True)
    # No foreign-key constraints in the database (db_constraint=False): a list page writes 50 rows,
    # and PostgreSQL checked both keys of every row with a locking look-up of the same user and
    # organisation at commit, as much work again as the insert itself. The ids come from the
    # signed-in user, deleting a user or organisation still empties them (Django's on_delete),
    # and the label keeps who it was.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    user_label = models.CharField(_("Benutzer"), max_length=150, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    object_type = models.CharField(_("Objekttyp"), max_length=100)
    object_id = models.CharField(_("Objekt-ID"), max_length=64)
    purpose = models.CharField(_("Zweck"), max_length=80, default="view")

    class Meta:
        verbose_name = _("Zugriff")
        verbose_name_plural = _("Zugriffsprotokoll")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.user_label} → {self.object_type}:{self.object_id}"


class RateCounter(models.Model):
    """Attempts of one client (or at one object) in one fixed time window (``core/ratelimit.py``).

    A row per scope, keyed value and window, changed only by atomic ``UPDATE … count + 1``, so
    the count is exact across workers. The value (an address, a typed code) is stored only as a
    keyed HMAC. Rows of ended windows serve no purpose and are deleted by ``apply_retention``.
    """

    scope = models.CharField(max_length=40)
    digest = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField(db_index=True)
    count = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("Zähler einer Begrenzung")
        verbose_name_plural = _("Zähler der Begrenzungen")
        constraints = [
            models.UniqueConstraint(fields=["scope", "digest", "window_start"], name="unique_rate_counter")
        ]

    def __str__(self):
        return f"{self.scope} {self.window_start:%Y-%m-%d %H:%M}: {self.count}"


personal_data.declare(
    RateCounter,
    "digest",
    category=personal_data.OTHER,
    purpose=_("Begrenzung von Versuchen je Internetanschluss oder Code (Schutz vor Durchprobieren)"),
    retention=_("bis zum Ende des Zeitfensters, höchstens einen Tag; nur als HMAC mit geheimem Schlüssel"),
    recipients=_("niemand"),
    legal_basis=_("Art. 6 Abs. 1 lit. e DSGVO"),
)
