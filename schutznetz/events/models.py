"""Events for professionals (Fachtage): programme, registrations, waiting list, check-in.

Invariants:
- An event never has more *active* registrations (confirmed, or unconfirmed and
  not yet expired) than places; a workshop never more than its own places.
  ``services`` enforces this with a row lock on the event in one transaction.
- The personal link of a registration is never stored: only the SHA-256 of the
  token is, and the token is an HMAC (keyed with SECRET_KEY) of a random nonce,
  so a copy of the database alone reveals no working link.
- Names, e-mail addresses, organisations and accessibility needs are encrypted;
  a keyed blind index of the e-mail finds duplicate registrations.
"""

import hashlib
import secrets
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from schutznetz.accounts.models import Organisation
from schutznetz.core import personal_data
from schutznetz.core.fields import EncryptedCharField, EncryptedTextField

CONFIRMATION_WINDOW = timedelta(hours=24)


class Profession(models.TextChoices):
    JUGENDHILFE = "jugendhilfe", _("Jugendhilfe")
    POLIZEI = "polizei", _("Polizei")
    JUSTIZ = "justiz", _("Justiz")
    GESUNDHEIT = "gesundheit", _("Gesundheit")
    BERATUNG = "beratung", _("Beratung")
    SCHULE_KITA = "schule_kita", _("Schule/Kita")
    SONSTIGE = "sonstige", _("Sonstige")


class Event(models.Model):
    title = models.CharField(_("Titel"), max_length=200)
    slug = models.SlugField(_("Kurzname in der Adresse"), max_length=120, unique=True)
    summary = models.CharField(_("Kurzbeschreibung"), max_length=400, blank=True)
    description = models.TextField(_("Beschreibung"), blank=True)
    starts_at = models.DateTimeField(_("Beginn"))
    ends_at = models.DateTimeField(_("Ende"))
    venue_name = models.CharField(_("Veranstaltungsort"), max_length=200)
    venue_street = models.CharField(_("Straße und Hausnummer"), max_length=200, blank=True)
    venue_postcode = models.CharField(_("Postleitzahl"), max_length=10, blank=True)
    venue_city = models.CharField(_("Ort"), max_length=100)
    venue_accessibility = models.TextField(_("Hinweise zur Barrierefreiheit"), blank=True)
    organiser = models.ForeignKey(
        Organisation, verbose_name=_("Veranstalter"), on_delete=models.PROTECT, related_name="events"
    )
    contact_name = models.CharField(_("Ansprechperson"), max_length=200, blank=True)
    contact_email = models.EmailField(_("Kontakt-E-Mail"), blank=True)
    audience = models.CharField(_("Zielgruppe"), max_length=400, blank=True)
    capacity = models.PositiveIntegerField(_("Plätze"))
    registration_opens_at = models.DateTimeField(_("Anmeldung ab"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("Anmeldung bis"), null=True, blank=True)
    fee_text = models.CharField(
        _("Teilnahmebeitrag"),
        max_length=200,
        blank=True,
        help_text=_("Leer lassen, wenn die Teilnahme kostenfrei ist."),
    )
    is_published = models.BooleanField(_("veröffentlicht"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the retention rule erased the participants' personal data.
    personal_data_erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("Veranstaltung")
        verbose_name_plural = _("Veranstaltungen")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:detail", args=[self.slug])

    def clean(self):
        """Clear messages naming the field (the database constraint alone only names itself)."""
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("Das Ende muss nach dem Beginn liegen.")
        opens, closes = self.registration_opens_at, self.registration_closes_at
        if opens and closes and closes <= opens:
            errors["registration_closes_at"] = _("Das Anmeldeende muss nach dem Anmeldebeginn liegen.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_free(self):
        return not self.fee_text.strip()

    @property
    def venue_address(self):
        return ", ".join(
            part for part in [self.venue_street, f"{self.venue_postcode} {self.venue_city}".strip()] if part
        )

    def registration_is_open(self, now=None):
        now = now or timezone.now()
        if not self.is_published or self.personal_data_erased_at or now >= self.starts_at:
            return False
        if self.registration_opens_at and now < self.registration_opens_at:
            return False
        return not (self.registration_closes_at and now >= self.registration_closes_at)

    @property
    def training_hours(self) -> Decimal:
        """Hours of the day without breaks, in quarter hours: what a certificate states."""
        seconds = (self.ends_at - self.starts_at).total_seconds()
        for item in self.programme.all():
            if item.kind == ItemKind.BREAK:
                seconds -= (item.ends_at - item.starts_at).total_seconds()
        quarters = round(max(seconds, 0) / 900)
        return Decimal(quarters) / 4


personal_data.declare(
    Event,
    "contact_name",
    category=personal_data.CONTACT,
    purpose=_("Ansprechperson der Veranstaltung, öffentlich genannt"),
    retention=_("solange die Veranstaltung veröffentlicht ist"),
    recipients=_("Öffentlichkeit"),
    legal_basis=_("Art. 6 Abs. 1 lit. e DSGVO"),
)
personal_data.declare(
    Event,
    "contact_email",
    category=personal_data.CONTACT,
    purpose=_("dienstliche Kontaktadresse der Veranstaltung, öffentlich genannt"),
    retention=_("solange die Veranstaltung veröffentlicht ist"),
    recipients=_("Öffentlichkeit"),
    legal_basis=_("Art. 6 Abs. 1 lit. e DSGVO"),
)
personal_data.not_personal(Event, "venue_name", "venue_street", reason=_("Anschrift des Veranstaltungsorts"))


class ItemKind(models.TextChoices):
    TALK = "talk", _("Vortrag")
    PANEL = "panel", _("Podiumsdiskussion")
    WORKSHOP = "workshop", _("Workshop")
    BREAK = "break", _("Pause")
    OTHER = "other", _("Programmpunkt")


class Speaker(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="speakers")
    name = models.CharField(_("Name"), max_length=200)
    affiliation = models.CharField(_("Institution"), max_length=200, blank=True)
    bio = models.TextField(_("Kurzbiografie"), blank=True)

    class Meta:
        verbose_name = _("Referent/in")
        verbose_name_plural = _("Referierende")
        ordering = ["name"]

    def __str__(self):
        return self.name


personal_data.declare(
    Speaker,
    "name",
    category=personal_data.IDENTITY,
    purpose=_("Ankündigung des Programms"),
    retention=_("solange die Veranstaltung veröffentlicht ist"),
    recipients=_("Öffentlichkeit"),
    legal_basis=_("Einwilligung der Referierenden (Art. 6 Abs. 1 lit. a DSGVO)"),
)


class ProgrammeItem(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="programme")
    kind = models.CharField(_("Art"), max_length=20, choices=ItemKind.choices, default=ItemKind.TALK)
    title = models.CharField(_("Titel"), max_length=300)
    description = models.TextField(_("Beschreibung"), blank=True)
    starts_at = models.DateTimeField(_("Beginn"))
    ends_at = models.DateTimeField(_("Ende"))
    room = models.CharField(_("Raum"), max_length=100, blank=True)
    capacity = models.PositiveIntegerField(
        _("Plätze im Workshop"), null=True, blank=True, help_text=_("Nur für Workshops; leer = unbegrenzt.")
    )
    speakers = models.ManyToManyField(
        Speaker, verbose_name=_("Referierende"), blank=True, related_name="items"
    )

    class Meta:
        verbose_name = _("Programmpunkt")
        verbose_name_plural = _("Programm")
        ordering = ["starts_at", "room", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="programme_item_ends_after_start"
            )
        ]

    def __str__(self):
        return f"{timezone.localtime(self.starts_at):%H:%M} {self.title}"

    def clean(self):
        errors = {}
        if self.starts_at and self.ends_at:
            if self.ends_at <= self.starts_at:
                errors["ends_at"] = _("Das Ende muss nach dem Beginn liegen.")
            try:
                event = self.event
            except Event.DoesNotExist:  # an inline form before the event exists
                event = None
            if event is not None and event.starts_at and event.ends_at:
                if not (event.starts_at <= self.starts_at and self.ends_at <= event.ends_at):
                    errors.setdefault(
                        "starts_at", _("Der Programmpunkt muss innerhalb der Veranstaltungszeit liegen.")
                    )
        if self.capacity is not None and self.kind != ItemKind.WORKSHOP:
            errors["capacity"] = _("Plätze gibt es nur für Workshops. Bitte leer lassen.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_workshop(self):
        return self.kind == ItemKind.WORKSHOP


class Status(models.TextChoices):
    PENDING = "pending", _("unbestätigt (Platz reserviert)")
    CONFIRMED = "confirmed", _("bestätigt")
    WAITLIST = "waitlist", _("Warteliste")
    CANCELLED = "cancelled", _("storniert")
    EXPIRED = "expired", _("verfallen")


def new_nonce():
    return secrets.token_hex(16)


def token_for(nonce: str) -> str:
    return salted_hmac("schutznetz.events.registration-link", nonce, algorithm="sha256").hexdigest()[:43]


def ticket_code_for(nonce: str) -> str:
    return salted_hmac("schutznetz.events.ticket", nonce, algorithm="sha256").hexdigest()[:20].upper()


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class RegistrationQuerySet(models.QuerySet):
    def active(self, now=None):
        """Registrations holding a place: confirmed, or unconfirmed within the 24 hours."""
        now = now or timezone.now()
        return self.filter(Q(status=Status.CONFIRMED) | Q(status=Status.PENDING, expires_at__gt=now))

    def stale(self, now=None):
        """Unconfirmed registrations (with a place or on the list) whose 24 hours are over."""
        now = now or timezone.now()
        return self.filter(
            status__in=[Status.PENDING, Status.WAITLIST], email_confirmed_at__isnull=True
        ).filter(expires_at__lte=now)


class Registration(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, db_index=True)
    name = EncryptedCharField(_("Name"), max_length=200)
    email = EncryptedCharField(_("E-Mail"), max_length=254)
    email_index = models.CharField(max_length=64, db_index=True, editable=False)
    organisation_name = EncryptedCharField(_("Organisation"), max_length=200, blank=True)
    profession = models.CharField(_("Berufsfeld"), max_length=20, choices=Profession.choices)
    accessibility_needs = EncryptedTextField(_("Unterstützungsbedarf / Barrierefreiheit"), blank=True)
    workshops = models.ManyToManyField(ProgrammeItem, blank=True, related_name="registrations")
    privacy_consent_at = models.DateTimeField()
    # The language of the pages the person registered on: their mails and links use it.
    language = models.CharField(_("Sprache"), max_length=10, default="de", editable=False)
    nonce = models.CharField(max_length=32, default=new_nonce, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    ticket_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    email_confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("Anmeldung")
        verbose_name_plural = _("Anmeldungen")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["event", "status", "expires_at"])]

    def __str__(self):
        return f"{self.name} ({self.get_status_display()})"

    def set_new_link(self):
        """A fresh nonce: the old personal link and ticket stop working."""
        self.nonce = new_nonce()
        self.token_hash = sha256(token_for(self.nonce))
        self.ticket_hash = sha256(ticket_code_for(self.nonce))

    @property
    def token(self):
        return token_for(self.nonce)

    @property
    def ticket_code(self):
        return ticket_code_for(self.nonce)

    def holds_place(self, now=None):
        now = now or timezone.now()
        return self.status == Status.CONFIRMED or (
            self.status == Status.PENDING and self.expires_at is not None and self.expires_at > now
        )


personal_data.declare_many(
    Registration,
    ["name", "organisation_name"],
    category=personal_data.IDENTITY,
    purpose=_("Teilnahme an der Veranstaltung, Namensschild, Teilnahmebescheinigung"),
    retention=_("bis SCHUTZNETZ_EVENT_RETENTION_DAYS Tage nach der Veranstaltung"),
    recipients=_("Koordination des Netzwerks"),
    legal_basis=_("Art. 6 Abs. 1 lit. b DSGVO"),
)
personal_data.declare_many(
    Registration,
    ["email", "email_index"],
    category=personal_data.CONTACT,
    purpose=_("Bestätigung, Erinnerung und Informationen zur Veranstaltung"),
    retention=_("bis SCHUTZNETZ_EVENT_RETENTION_DAYS Tage nach der Veranstaltung"),
    recipients=_("Koordination des Netzwerks"),
    legal_basis=_("Art. 6 Abs. 1 lit. b DSGVO"),
)
personal_data.declare(
    Registration,
    "email_confirmed_at",
    category=personal_data.OTHER,
    purpose=_("Nachweis der bestätigten Anmeldung (Double-Opt-in)"),
    retention=_("bis SCHUTZNETZ_EVENT_RETENTION_DAYS Tage nach der Veranstaltung"),
    recipients=_("Koordination des Netzwerks"),
    legal_basis=_("Art. 6 Abs. 1 lit. b DSGVO"),
)
personal_data.declare(
    Registration,
    "accessibility_needs",
    category=personal_data.HEALTH,
    purpose=_("Barrierefreie Teilnahme ermöglichen"),
    retention=_("bis SCHUTZNETZ_EVENT_RETENTION_DAYS Tage nach der Veranstaltung"),
    recipients=_("Koordination des Netzwerks"),
    legal_basis=_("Einwilligung (Art. 9 Abs. 2 lit. a DSGVO)"),
)


class EventStatistic(models.Model):
    """What stays after erasure: how many came, by profession."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="statistics")
    profession = models.CharField(_("Berufsfeld"), max_length=20, choices=Profession.choices)
    registered = models.PositiveIntegerField(_("angemeldet (bestätigt)"), default=0)
    attended = models.PositiveIntegerField(_("teilgenommen"), default=0)

    class Meta:
        verbose_name = _("Teilnahmestatistik")
        verbose_name_plural = _("Teilnahmestatistiken")
        constraints = [models.UniqueConstraint(fields=["event", "profession"], name="unique_event_statistic")]

    def __str__(self):
        return f"{self.event}: {self.get_profession_display()}"
