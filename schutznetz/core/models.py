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


class ShownIdsField(models.JSONField):
    """The ids of the records one list read showed (a JSON array of strings)."""


@ShownIdsField.register_lookup
class IncludesId(models.Lookup):
    """``object_ids__includes="42"``: the list read showed record 42.

    Django's ``contains`` on a JSON field does not exist on SQLite, so the two databases get their
    own SQL: PostgreSQL's containment, which the GIN index of the access log answers, and SQLite's
    ``json_each`` (the demo's logs are small).
    """

    lookup_name = "includes"
    prepare_rhs = False

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} @> jsonb_build_array(%s::text)", [*lhs_params, str(self.rhs)]

    def as_sqlite(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return (
            f"EXISTS (SELECT 1 FROM json_each({lhs}) AS shown WHERE shown.value = %s)",  # noqa: S608 - lhs is the column
            [*lhs_params, str(self.rhs)],
        )


class AccessLogQuerySet(models.QuerySet):
    def about(self, object_type, object_id):
        """Every read of one record: opened on its own, or shown in a list."""
        object_id = str(object_id)
        return self.filter(object_type=object_type).filter(
            models.Q(object_id=object_id) | models.Q(object_ids__includes=object_id)
        )


class AccessLogEntry(models.Model):
    """Who read which protected record, and when.

    A single read names its record in ``object_id``. A list read is one row for all records of a
    type that the list showed, their ids in ``object_ids`` and ``object_id`` left empty: a page of
    50 cases used to write 50 rows, which cost more than a millisecond on every list and made the
    log fifty times longer than the reads it records. ``AccessLogEntry.objects.about(type, id)``
    finds both kinds, so the Art. 15 report counts a list as one read of every case it showed.
    """

    created_at = models.DateTimeField(_("Zeitpunkt"), auto_now_add=True, db_index=True)
    # No foreign-key constraints in the database (db_constraint=False): PostgreSQL checked both keys
    # of every row with a locking look-up of the same user and organisation at commit, as much work
    # again as the insert itself. The ids come from the signed-in user, deleting a user or
    # organisation still empties them (Django's on_delete), and the label keeps who it was.
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
    object_id = models.CharField(_("Objekt-ID"), max_length=64, blank=True)
    # Empty (NULL) for a single read. Nullable, so that workers of the previous release, which do not
    # know the column, keep logging while the new release is migrated.
    object_ids = ShownIdsField(_("Objekt-IDs der Liste"), null=True, blank=True)
    purpose = models.CharField(_("Zweck"), max_length=80, default="view")

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("Zugriff")
        verbose_name_plural = _("Zugriffsprotokoll")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        if self.object_ids:
            return f"{self.user_label} → {self.object_type}: {len(self.object_ids)}"
        return f"{self.user_label} → {self.object_type}:{self.object_id}"

    @property
    def shown_ids(self):
        """The ids this row records a read of (one for a single read)."""
        return list(self.object_ids) if self.object_ids else [self.object_id]


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


class DataChange(models.Model):
    """A committed change to the data pages show, noted by database triggers (core/data_version.py)."""

    token = models.BigIntegerField()

    class Meta:
        verbose_name = _("Datenänderung")
        verbose_name_plural = _("Datenänderungen")

    def __str__(self):
        return f"{self.pk}:{self.token}"


class DataChangeTally(models.Model):
    """How many ``DataChange`` rows were folded away (one row, id 1), so the count keeps growing."""

    pruned = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("Zähler der Datenänderungen")
        verbose_name_plural = _("Zähler der Datenänderungen")

    def __str__(self):
        return str(self.pruned)
