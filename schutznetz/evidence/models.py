"""Confidential evidence collection: programmes, kits by code, the custody chain.

A kit never carries a name, a date of birth, an address or medical findings:
there is no field where one could be typed. The only personal datum is the
optional contact for a reminder before destruction, encrypted and erased with
the kit. Free text exists only as the *reason* of a custody event or a
retention extension, and the forms say not to enter personal data there.
"""

import hashlib
import json
from datetime import date, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from schutznetz.accounts.models import Organisation
from schutznetz.core import personal_data
from schutznetz.core.fields import EncryptedCharField

GENESIS_HASH = "0" * 64
# A reminder goes this long before the retention ends.
REMINDER_LEAD = timedelta(days=60)


class Programme(models.Model):
    """A programme of confidential evidence collection: clinics, a storage site, a retention period."""

    title = models.CharField(_("Bezeichnung"), max_length=200, unique=True)
    clinics = models.ManyToManyField(
        Organisation,
        verbose_name=_("Kliniken (Untersuchungsstellen)"),
        related_name="evidence_programmes",
        limit_choices_to={"kind": "klinik"},
    )
    storage_site = models.ForeignKey(
        Organisation,
        verbose_name=_("Lagerstelle (Rechtsmedizin)"),
        on_delete=models.PROTECT,
        related_name="evidence_storage_programmes",
        limit_choices_to={"kind": "rechtsmedizin"},
    )
    retention_years = models.PositiveSmallIntegerField(
        _("Aufbewahrungsdauer (Jahre)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("Üblich sind 10 Jahre; manche Programme bewahren 1, 3 oder 5 Jahre auf."),
    )
    is_active = models.BooleanField(_("aktiv"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Programm")
        verbose_name_plural = _("Programme")
        ordering = ["title"]

    def __str__(self):
        return self.title

    def site_ids(self):
        return {self.storage_site_id, *self.clinics.values_list("id", flat=True)}


class ExaminationKind(models.TextChoices):
    SEXUAL = "sexual", _("Sexualisierte Gewalt")
    PHYSICAL = "physical", _("Körperliche Gewalt")
    KO_DRUGS = "ko_drugs", _("Verdacht auf K.-o.-Tropfen")


class ItemCategory(models.TextChoices):
    SWABS = "swabs", _("Abstriche")
    BLOOD = "blood", _("Blut")
    URINE = "urine", _("Urin")
    HAIR = "hair", _("Haare")
    PHOTOS = "photos", _("Fotodokumentation")
    CLOTHING = "clothing", _("Kleidung")


class KitStatus(models.TextChoices):
    CONFIDENTIAL = "confidential", _("vertraulich gelagert")
    RELEASED = "released", _("freigegeben")
    DESTROYED = "destroyed", _("vernichtet")


class ReminderChannel(models.TextChoices):
    NONE = "none", _("keine Erinnerung")
    EMAIL = "email", _("E-Mail")
    PHONE = "phone", _("Telefon")


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


class Kit(models.Model):
    code = models.CharField(_("Code"), max_length=11, unique=True)
    pin_hash = models.CharField(max_length=128)
    programme = models.ForeignKey(
        Programme, verbose_name=_("Programm"), on_delete=models.PROTECT, related_name="kits"
    )
    clinic = models.ForeignKey(
        Organisation,
        verbose_name=_("Klinik"),
        on_delete=models.PROTECT,
        related_name="evidence_kits_examined",
    )
    examined_at = models.DateTimeField(_("Untersuchung am"))
    kind = models.CharField(_("Art der Untersuchung"), max_length=20, choices=ExaminationKind.choices)
    declaration_signed = models.BooleanField(_("Unterschriebene Erklärung liegt vor"), default=False)
    minor_under_14 = models.BooleanField(_("Minderjährig unter 14"), default=False)
    unable_to_consent = models.BooleanField(_("Zum Zeitpunkt nicht einwilligungsfähig"), default=False)
    status = models.CharField(
        _("Status"), max_length=20, choices=KitStatus.choices, default=KitStatus.CONFIDENTIAL, db_index=True
    )
    retention_until = models.DateField(_("Aufbewahrung bis"), db_index=True)
    holder = models.ForeignKey(
        Organisation,
        verbose_name=_("Verwahrt von"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence_kits_held",
    )
    pending_to = models.ForeignKey(
        Organisation,
        verbose_name=_("Übergabe an (Eingang unbestätigt)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence_kits_incoming",
    )
    reminder_channel = models.CharField(
        _("Erinnerung über sicheren Kanal"),
        max_length=10,
        choices=ReminderChannel.choices,
        default=ReminderChannel.NONE,
    )
    reminder_contact = EncryptedCharField(_("Kontakt für die Erinnerung"), max_length=200, blank=True)
    reminder_due_at = models.DateTimeField(_("Erinnerung fällig seit"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("Erinnerung erledigt am"), null=True, blank=True)
    custody_head = models.CharField(max_length=64, default=GENESIS_HASH)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(_("Abgeschlossen am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Spurensicherungs-Set")
        verbose_name_plural = _("Spurensicherungs-Sets")
        ordering = ["-examined_at", "-id"]
        indexes = [models.Index(fields=["clinic", "examined_at"])]

    def __str__(self):
        return self.code

    @property
    def is_open(self):
        return self.status == KitStatus.CONFIDENTIAL

    @property
    def is_pending(self):
        return self.pending_to_id is not None

    @property
    def reminder_date(self):
        return self.retention_until - REMINDER_LEAD


class KitItem(models.Model):
    kit = models.ForeignKey(Kit, on_delete=models.CASCADE, related_name="items")
    category = models.CharField(_("Kategorie"), max_length=20, choices=ItemCategory.choices)
    count = models.PositiveSmallIntegerField(
        _("Anzahl"), validators=[MinValueValidator(1), MaxValueValidator(99)]
    )

    class Meta:
        verbose_name = _("Asservat")
        verbose_name_plural = _("Asservate")
        ordering = ["category"]
        constraints = [models.UniqueConstraint(fields=["kit", "category"], name="evidence_item_once_per_kit")]

    def __str__(self):
        return f"{self.get_category_display()}: {self.count}"


class EventKind(models.TextChoices):
    SEALED = "sealed", _("versiegelt")
    HANDED_OVER = "handed_over", _("übergeben")
    # The sending site took back a handover the receiver had not confirmed (e.g. the wrong site).
    WITHDRAWN = "withdrawn", _("Übergabe zurückgenommen")
    RECEIVED = "received", _("empfangen")
    STORED = "stored", _("eingelagert")
    MOVED = "moved", _("umgelagert")
    RELEASED = "released", _("herausgegeben")
    DESTROYED = "destroyed", _("vernichtet")


class CustodyEvent(models.Model):
    """One link of a kit's chain of custody; each hashes its predecessor.

    Events are only ever appended (by ``services``); changing, inserting or
    removing one breaks the chain, which ``manage.py verify_custody`` reports.
    """

    kit = models.ForeignKey(Kit, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    kind = models.CharField(_("Ereignis"), max_length=20, choices=EventKind.choices)
    occurred_at = models.DateTimeField(_("Zeitpunkt"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("Person (Kennung)"), max_length=150)
    site = models.ForeignKey(
        Organisation, verbose_name=_("Stelle"), on_delete=models.PROTECT, related_name="+"
    )
    to_site = models.ForeignKey(
        Organisation,
        verbose_name=_("an Stelle"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recipient_office = models.CharField(_("Empfangende Behörde"), max_length=200, blank=True)
    seal_number = models.CharField(_("Siegelnummer"), max_length=40, blank=True)
    reason = models.CharField(_("Grund"), max_length=300, blank=True)
    witness = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    witness_label = models.CharField(_("Zeuge (Kennung)"), max_length=150, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("Verwahrungsereignis")
        verbose_name_plural = _("Verwahrungskette")
        ordering = ["kit", "seq"]
        constraints = [models.UniqueConstraint(fields=["kit", "seq"], name="evidence_event_seq_unique")]

    def __str__(self):
        return f"{self.kit_id}#{self.seq} {self.kind}"

    def compute_hash(self, kit_code=None):
        payload = {
            "kit": kit_code or self.kit.code,
            "seq": self.seq,
            "kind": self.kind,
            "occurred_at": self.occurred_at.isoformat(),
            "actor": self.actor_label,
            "site": self.site_id,
            "to_site": self.to_site_id,
            "recipient_office": self.recipient_office,
            "seal_number": self.seal_number,
            "reason": self.reason,
            "witness": self.witness_label,
            "prev_hash": self.prev_hash,
        }
        canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class RecipientKind(models.TextChoices):
    POLICE = "polizei", _("Polizeidienststelle")
    PROSECUTOR = "staatsanwaltschaft", _("Staatsanwaltschaft")


class Waiver(models.Model):
    """The person's release of medical confidentiality, recorded before a kit is handed out."""

    kit = models.OneToOneField(Kit, on_delete=models.PROTECT, related_name="waiver")
    signed_on = models.DateField(_("Schweigepflichtentbindung vom"))
    form_reference = models.CharField(_("Formular-Aktenzeichen"), max_length=60)
    recipient_kind = models.CharField(_("Empfänger"), max_length=30, choices=RecipientKind.choices)
    recipient_office = models.CharField(
        _("Dienststelle"), max_length=200, help_text=_("z. B. „Kreispolizeibehörde Soest, KK 12“")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Schweigepflichtentbindung")
        verbose_name_plural = _("Schweigepflichtentbindungen")

    def __str__(self):
        return f"{self.kit} → {self.recipient_office}"


class RetentionExtension(models.Model):
    kit = models.ForeignKey(Kit, on_delete=models.PROTECT, related_name="extensions")
    previous_until = models.DateField(_("bisher bis"))
    new_until = models.DateField(_("neu bis"))
    reason = models.CharField(_("Grund"), max_length=300)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Fristverlängerung")
        verbose_name_plural = _("Fristverlängerungen")
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.kit}: {self.previous_until} → {self.new_until}"


personal_data.declare(
    Kit,
    "reminder_contact",
    category=personal_data.CONTACT,
    purpose=_("Erinnerung vor der Vernichtung über einen von der Person gewählten sicheren Kanal"),
    retention=_("bis zur Vernichtung oder Herausgabe des Sets; dann gelöscht"),
    recipients=_("Spurensicherung der verwahrenden Stelle"),
    legal_basis="Art. 6 Abs. 1 lit. a DSGVO (Einwilligung)",
)
personal_data.not_personal(
    CustodyEvent,
    "actor_label",
    "witness_label",
    reason=_("Kennung der handelnden Fachkraft, keine betroffene Person"),
)
personal_data.not_personal(CustodyEvent, "recipient_office", reason=_("Bezeichnung einer Behörde"))
personal_data.not_personal(Waiver, "recipient_office", reason=_("Bezeichnung einer Behörde"))
