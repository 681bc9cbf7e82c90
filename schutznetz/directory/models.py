"""Directory of support offers, modelled on Open Referral HSDS 3.0.

HSDS mapping (see ``hsds.py`` for the full export/import):

* ``Provider``  → HSDS ``organization`` (the provider of offers; optionally linked to an
  ``accounts.Organisation`` so that its Anbieter editors may maintain the offers);
* ``Offer``     → HSDS ``service`` with one ``service_at_location``/``location``/``address``,
  ``phones``, ``languages``, ``service_areas``, ``cost_options``, ``accessibility`` and
  ``attributes`` (our taxonomies ``schutznetz-art`` and ``schutznetz-zielgruppe``);
* ``Schedule``  → HSDS ``schedule`` (weekly opening hours);
* ``Municipality`` → the region the gap analysis and the distance ranking work on.

The public always sees the approved state of an ``Offer``; edits by Anbieter
wait as an ``OfferRevision`` until Koordination approves them.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schutznetz.core import personal_data
from schutznetz.directory import taxonomy

# A shelter's report counts for a day; after that its traffic light is grey ("bitte anrufen").
SHELTER_REPORT_MAX_AGE = timedelta(hours=24)


class Municipality(models.Model):
    region = models.CharField(_("Region"), max_length=120)
    name = models.CharField(_("Name"), max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(_("Art"), max_length=40, blank=True)
    population = models.PositiveIntegerField(_("Einwohner"))
    women_share = models.FloatField(_("Anteil Frauen"), null=True, blank=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    postcodes = models.CharField(_("Postleitzahlen"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("Gemeinde")
        verbose_name_plural = _("Gemeinden")
        ordering = ["name"]

    def __str__(self):
        return self.name


personal_data.not_personal(Municipality, "name", reason="Name einer Gemeinde")


class Provider(models.Model):
    """HSDS organization: who provides offers (not necessarily a network member)."""

    hsds_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("Name"), max_length=200)
    description = models.TextField(_("Beschreibung"), blank=True)
    email = models.EmailField(_("E-Mail"), blank=True)
    website = models.URLField(_("Website"), blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("Organisation im Netzwerk"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="directory_providers",
        help_text=_("Anbieter-Redakteurinnen dieser Organisation dürfen die Angebote pflegen."),
    )

    class Meta:
        verbose_name = _("Träger")
        verbose_name_plural = _("Träger")
        ordering = ["name"]

    def __str__(self):
        return self.name


personal_data.not_personal(Provider, "name", "email", reason="Kontaktdaten einer Einrichtung, öffentlich")


class Appointment(models.TextChoices):
    REQUIRED = "erforderlich", _("nur mit Termin")
    OPTIONAL = "moeglich", _("mit oder ohne Termin")
    NONE = "ohne", _("ohne Termin")


class OfferStatus(models.TextChoices):
    ACTIVE = "active", _("aktiv")
    INACTIVE = "inactive", _("eingestellt")


class Offer(models.Model):
    hsds_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    provider = models.ForeignKey(
        Provider, verbose_name=_("Träger"), on_delete=models.PROTECT, related_name="offers"
    )
    name = models.CharField(_("Name"), max_length=200)
    description = models.TextField(_("Beschreibung"), blank=True)
    # Taxonomy codes and ISO 639-1 languages as "|a|b|" (see taxonomy.join_codes).
    kinds = models.CharField(_("Arten von Hilfe"), max_length=400)
    target_groups = models.CharField(_("Zielgruppen"), max_length=400, blank=True)
    languages = models.CharField(_("Sprachen"), max_length=200, default="|de|")
    status = models.CharField(max_length=10, choices=OfferStatus.choices, default=OfferStatus.ACTIVE)
    is_published = models.BooleanField(_("veröffentlicht"), default=False)
    is_fictional = models.BooleanField(_("fiktives Beispiel"), default=False)
    anonymous = models.BooleanField(_("anonym möglich"), default=False)
    free_of_charge = models.BooleanField(_("kostenlos"), default=True)
    appointment = models.CharField(
        _("Termin"), max_length=20, choices=Appointment.choices, default=Appointment.OPTIONAL
    )
    step_free = models.BooleanField(_("stufenlos erreichbar"), default=False)
    sign_language = models.BooleanField(_("Gebärdensprache"), default=False)
    easy_language = models.BooleanField(_("Leichte Sprache"), default=False)
    is_24_7 = models.BooleanField(_("rund um die Uhr erreichbar"), default=False)
    phone = models.CharField(_("Telefon"), max_length=40, blank=True)
    phone_description = models.CharField(_("Hinweis zum Telefon"), max_length=200, blank=True)
    email = models.EmailField(_("E-Mail"), blank=True)
    website = models.URLField(_("Website"), blank=True)
    address_protected = models.BooleanField(
        _("Adresse geschützt"),
        default=False,
        help_text=_("Die Adresse wird nie öffentlich gezeigt oder exportiert."),
    )
    street = models.CharField(_("Straße und Hausnummer"), max_length=200, blank=True)
    postal_code = models.CharField(_("PLZ"), max_length=10, blank=True)
    city = models.CharField(_("Ort"), max_length=100, blank=True)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("Gemeinde"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="offers",
    )
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    service_area = models.CharField(_("Versorgungsgebiet"), max_length=2000, blank=True)
    serves_everywhere = models.BooleanField(_("ganzes Gebiet / bundesweit"), default=False)
    opening_hours_text = models.CharField(_("Öffnungszeiten (Text)"), max_length=300, blank=True)
    fees_description = models.CharField(_("Kosten"), max_length=300, blank=True)
    accessibility_description = models.CharField(_("Barrierefreiheit (Text)"), max_length=300, blank=True)
    family_places = models.PositiveIntegerField(_("Familienplätze"), null=True, blank=True)
    verified_at = models.DateField(_("zuletzt geprüft"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    search_text = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Angebot")
        verbose_name_plural = _("Angebote")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["is_published", "status", "municipality"], name="directory_offer_public"),
            models.Index(fields=["latitude", "longitude"], name="directory_offer_geo"),
            models.Index(
                fields=["serves_everywhere"],
                condition=models.Q(serves_everywhere=True),
                name="directory_offer_everywhere",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def kind_list(self):
        return taxonomy.split_codes(self.kinds)

    @property
    def target_list(self):
        return taxonomy.split_codes(self.target_groups)

    @property
    def language_list(self):
        return taxonomy.split_codes(self.languages)

    @property
    def area_list(self):
        return taxonomy.split_codes(self.service_area)

    @property
    def is_shelter(self):
        return "frauenhaus" in self.kind_list

    @property
    def barrier_free(self):
        return self.step_free or self.sign_language or self.easy_language


personal_data.not_personal(
    Offer,
    "name",
    "phone",
    "phone_description",
    "email",
    "street",
    "address_protected",
    reason="Kontaktdaten einer Einrichtung; Schutzadressen werden nie öffentlich gezeigt",
)


class ServedArea(models.Model):
    """One municipality an offer is responsible for (mirrors ``Offer.service_area`` for indexed look-ups)."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="served_areas")
    slug = models.SlugField(max_length=80)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["offer", "slug"], name="directory_served_area_unique")]
        indexes = [models.Index(fields=["slug", "offer"], name="directory_served_area_slug")]

    def __str__(self):
        return self.slug


class Schedule(models.Model):
    """Weekly opening hours (HSDS schedule with freq=WEEKLY, byday, opens_at, closes_at)."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="schedules")
    weekday = models.PositiveSmallIntegerField(_("Wochentag"))  # 0 = Monday
    opens_at = models.TimeField(_("öffnet"))
    closes_at = models.TimeField(_("schließt"))

    class Meta:
        ordering = ["weekday", "opens_at"]
        indexes = [models.Index(fields=["weekday", "opens_at", "closes_at"], name="directory_schedule_open")]

    def __str__(self):
        return f"{self.weekday} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"


class RevisionStatus(models.TextChoices):
    PENDING = "pending", _("wartet auf Prüfung")
    APPROVED = "approved", _("freigegeben")
    REJECTED = "rejected", _("abgelehnt")


class OfferRevision(models.Model):
    """A proposed change to an offer; the public keeps the approved state until it is approved."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="revisions")
    data = models.JSONField()
    # The offer's editable state when the proposal was made (``services.offer_data``): approving
    # applies only what the provider changed against it and keeps later edits by Koordination
    # (a three-way merge; see ``services.review_fields``). NULL for revisions stored before it
    # existed: they are compared with the offer as it is at approval.
    base = models.JSONField(null=True, blank=True, editable=False)
    status = models.CharField(max_length=10, choices=RevisionStatus.choices, default=RevisionStatus.PENDING)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(_("Begründung"), blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["offer"], condition=models.Q(status="pending"), name="directory_one_pending_revision"
            )
        ]

    def __str__(self):
        return f"{self.offer} ({self.get_status_display()})"


personal_data.not_personal(
    OfferRevision, "review_note", reason="Begründung zu einem Angebot, keine Personendaten"
)


def _declined(label, hint=""):
    """A count of requests a shelter could not admit for one reason, since its previous report.

    NULL means "not recorded" (reports made before these counts existed); the reporting service
    always writes a number, 0 by default.
    """
    return models.PositiveIntegerField(label, null=True, blank=True, help_text=hint)


class ShelterReport(models.Model):
    """One report of free places in a shelter; kept as history for statistics.

    The requests that could not be admitted since the previous report are counts on the report
    itself (``declined_*``), one per reason, not a model of their own, because:

    - they are given in the same one-step update, by the same person at the same moment, and
      "since the last report" only means something relative to a report;
    - one row per update keeps the history and the statistics (one aggregate over the period)
      simple, and the CHECK constraints make a partial or negative record impossible;
    - the reasons are the categories of a published statistic: adding one should be a deliberate
      change with a migration, not a free-text value.

    Only counts: there is deliberately no field for anything about the woman who asked (no name,
    no age, no free text), so nothing here is personal data.
    """

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="shelter_reports")
    reported_at = models.DateTimeField(default=timezone.now, db_index=True)
    free_places = models.PositiveIntegerField(_("freie Plätze jetzt"))
    children_allowed = models.BooleanField(_("Kinder können mitkommen"), default=True)
    child_places = models.PositiveIntegerField(_("davon Plätze für Kinder"), default=0)
    languages = models.CharField(_("gesprochene Sprachen"), max_length=200, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    declined_no_place = _declined(_("Kein freier Platz"))
    declined_children = _declined(
        _("Kinder konnten nicht mitkommen"), _("zu viele Kinder oder Söhne über der Altersgrenze")
    )
    declined_accessibility = _declined(
        _("Barrierefreiheit fehlte"), _("z. B. Rollstuhl, Sehbehinderung, Gebärdensprache")
    )
    declined_language = _declined(_("Sprache"), _("keine Verständigung möglich, keine Dolmetschung"))
    declined_safety = _declined(_("Sicherheitsgründe"), _("z. B. zu nah am Wohnort des Täters"))
    declined_funding = _declined(
        _("Kosten nicht gedeckt"), _("z. B. kein Leistungsanspruch, Studium, Ausbildung")
    )
    declined_support = _declined(
        _("Unterstützungsbedarf nicht abzudecken"), _("z. B. Sucht, akute psychische Krise, Pflegebedarf")
    )
    declined_other = _declined(_("Sonstiger Grund"))

    class Meta:
        ordering = ["-reported_at"]
        get_latest_by = "reported_at"
        constraints = [
            # All reasons recorded (numbers) or none (an old report): never a partial record.
            models.CheckConstraint(
                condition=models.Q(
                    declined_no_place__isnull=True,
                    declined_children__isnull=True,
                    declined_accessibility__isnull=True,
                    declined_language__isnull=True,
                    declined_safety__isnull=True,
                    declined_funding__isnull=True,
                    declined_support__isnull=True,
                    declined_other__isnull=True,
                )
                | models.Q(
                    declined_no_place__isnull=False,
                    declined_children__isnull=False,
                    declined_accessibility__isnull=False,
                    declined_language__isnull=False,
                    declined_safety__isnull=False,
                    declined_funding__isnull=False,
                    declined_support__isnull=False,
                    declined_other__isnull=False,
                ),
                name="directory_shelter_declined_all_or_none",
            ),
        ]

    def __str__(self):
        return f"{self.offer}: {self.free_places} frei"

    @property
    def declines_recorded(self):
        return self.declined_no_place is not None

    @property
    def declined_total(self):
        """Requests not admitted since the previous report (None: not recorded)."""
        if not self.declines_recorded:
            return None
        return sum(getattr(self, name) for name in DECLINE_FIELDS)

    def declined_by_reason(self):
        """[(label, count)] of the reasons with at least one request."""
        if not self.declines_recorded:
            return []
        return [(label, getattr(self, name)) for name, label in DECLINE_REASONS if getattr(self, name)]


# The reasons a request could not be admitted, in the order the form and the statistics show them.
DECLINE_FIELDS = tuple(f.name for f in ShelterReport._meta.concrete_fields if f.name.startswith("declined_"))
DECLINE_REASONS = tuple((name, ShelterReport._meta.get_field(name).verbose_name) for name in DECLINE_FIELDS)


class SearchWord(models.Model):
    """Vocabulary of the directory, for typo-tolerant search ("Frauenberatng")."""

    word = models.CharField(max_length=80, unique=True)

    def __str__(self):
        return self.word


class DirectoryVersion(models.Model):
    """A token that changes with every write to the tables the public help finder reads.

    Database triggers (migrations 0005 and 0006) store a new random token on every insert, update,
    delete or truncate of offers, providers, municipalities, served areas and schedules,
    in the writing transaction, bulk loads and raw SQL included. Each worker's in-memory
    finder index (``finder_index``) compares it with the token it was built at and reloads
    when they differ (``reports_token`` does the same for shelter reports and the traffic
    lights). A random token rather than a counter: a rolled-back write restores
    the old token, and a counter could then reach the same number again for other data.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.CharField(max_length=64)
    # Renewed by every shelter report (migration 0006): the workers' traffic lights follow it,
    # so a report does not reload the whole finder index.
    reports_token = models.CharField(max_length=64, default="", db_default="")

    def __str__(self):
        return self.token
