"""The network itself: partners, the cooperation agreement, meetings, news and materials.

Invariants kept here (and enforced by the services):
- An agreement version's text is frozen once it is published; changes make a new version.
- A partner has at most one open accession (one without a withdrawal date).
- A partner confirms a given version at most once.
- Photos are stored only as re-encoded renditions (no original bytes, so no EXIF/GPS).
- A news item is published only if each of its photos has a credit and usage terms.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schutznetz.accounts.models import Organisation
from schutznetz.core import personal_data


def _suffix(filename):
    if "." in filename:
        suffix = "." + filename.rsplit(".", 1)[1].lower()
        if suffix.isascii() and len(suffix) <= 6 and suffix[1:].isalnum():
            return suffix
    return ""


def photo_upload_path(instance, filename):
    return f"network/photos/{uuid.uuid4().hex}.jpg"


def material_upload_path(instance, filename):
    return f"network/materials/{uuid.uuid4().hex}{_suffix(filename)}"


# --- Partners -------------------------------------------------------------------------------


class PartnerProfile(models.Model):
    organisation = models.OneToOneField(
        Organisation, verbose_name=_("Organisation"), on_delete=models.CASCADE, related_name="partner_profile"
    )
    contribution = models.TextField(
        _("Beitrag zum Netzwerk"), blank=True, help_text=_("Was die Organisation in das Netzwerk einbringt.")
    )
    contact_label = models.CharField(
        _("Ansprechstelle für Fachkräfte"),
        max_length=200,
        blank=True,
        help_text=_("Eine Funktion oder Stelle, z. B. „Fachdienst Kinderschutz“ – keine privaten Daten."),
    )
    contact_phone = models.CharField(_("Telefon der Ansprechstelle"), max_length=40, blank=True)
    contact_email = models.EmailField(_("E-Mail der Ansprechstelle"), blank=True)
    website = models.URLField(_("Website"), blank=True)
    is_public = models.BooleanField(_("auf der Netzwerkseite zeigen"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Partnerprofil")
        verbose_name_plural = _("Partnerprofile")
        ordering = ["organisation__name"]

    def __str__(self):
        return str(self.organisation)


personal_data.declare_many(
    PartnerProfile,
    ["contact_label", "contact_phone", "contact_email"],
    category=personal_data.CONTACT,
    purpose=_(
        "Erreichbarkeit der Partnerorganisation für Fachkräfte (Funktionsadressen, keine privaten Daten)"
    ),
    retention=_("solange die Organisation Partner ist"),
    recipients=_("Öffentlichkeit (Netzwerkseite), Mitglieder des Netzwerks"),
    legal_basis="Art. 6 Abs. 1 lit. e DSGVO",
)


class WorkingGroup(models.Model):
    name = models.CharField(_("Name"), max_length=200, unique=True)
    slug = models.SlugField(_("Kürzel"), max_length=80, unique=True)
    description = models.TextField(_("Aufgabe"), blank=True)
    lead_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("Federführung"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    organisations = models.ManyToManyField(
        Organisation, verbose_name=_("Mitwirkende Organisationen"), related_name="working_groups", blank=True
    )
    is_active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        verbose_name = _("Arbeitskreis")
        verbose_name_plural = _("Arbeitskreise")
        ordering = ["name"]

    def __str__(self):
        return self.name


personal_data.not_personal(WorkingGroup, "name", reason=_("Name eines Arbeitskreises"))


# --- Cooperation agreement ------------------------------------------------------------------


class AgreementVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        PUBLISHED = "published", _("In Kraft")
        SUPERSEDED = "superseded", _("Abgelöst")

    number = models.PositiveIntegerField(_("Fassung"), unique=True)
    title = models.CharField(_("Titel"), max_length=200)
    body = models.TextField(_("Text (Markdown)"))
    change_summary = models.TextField(_("Was sich geändert hat"), blank=True)
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    effective_on = models.DateField(_("gültig ab"), null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Fassung der Kooperationsvereinbarung")
        verbose_name_plural = _("Fassungen der Kooperationsvereinbarung")
        ordering = ["-number"]

    def __str__(self):
        return _("Fassung %(number)s: %(title)s") % {"number": self.number, "title": self.title}

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT


class Accession(models.Model):
    """A partner joins the agreement: who signed, in which function, when, which version."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("Partner"), on_delete=models.PROTECT, related_name="accessions"
    )
    version = models.ForeignKey(
        AgreementVersion,
        verbose_name=_("unterzeichnete Fassung"),
        on_delete=models.PROTECT,
        related_name="accessions",
    )
    signatory_name = models.CharField(_("unterzeichnet von"), max_length=200)
    signatory_function = models.CharField(_("Funktion"), max_length=200)
    signed_on = models.DateField(_("Datum der Unterzeichnung"))
    withdrawn_on = models.DateField(_("Austritt zum"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("Grund des Austritts"), blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Beitritt")
        verbose_name_plural = _("Beitritte")
        ordering = ["organisation__name", "-signed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(withdrawn_on__isnull=True),
                name="network_one_open_accession",
            )
        ]

    def __str__(self):
        return f"{self.organisation} – {self.version.number}"

    @property
    def is_active(self):
        return self.withdrawn_on is None or self.withdrawn_on > timezone.localdate()


class Confirmation(models.Model):
    """A partner confirms a new version of the agreement it has already joined."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("Partner"),
        on_delete=models.PROTECT,
        related_name="agreement_confirmations",
    )
    version = models.ForeignKey(
        AgreementVersion, verbose_name=_("Fassung"), on_delete=models.PROTECT, related_name="confirmations"
    )
    signatory_name = models.CharField(_("bestätigt von"), max_length=200)
    signatory_function = models.CharField(_("Funktion"), max_length=200)
    confirmed_on = models.DateField(_("Datum der Bestätigung"))
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Bestätigung einer Fassung")
        verbose_name_plural = _("Bestätigungen von Fassungen")
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "version"], name="network_one_confirmation_per_version"
            )
        ]

    def __str__(self):
        return f"{self.organisation} – {self.version.number}"


for _model in (Accession, Confirmation):
    personal_data.declare(
        _model,
        "signatory_name",
        category=personal_data.IDENTITY,
        purpose=_("Nachweis, wer die Kooperationsvereinbarung für die Organisation unterzeichnet hat"),
        retention=_("bis 10 Jahre nach dem Austritt der Organisation"),
        recipients=_("Öffentlichkeit (Liste der Unterzeichnenden), Mitglieder des Netzwerks"),
        legal_basis="Art. 6 Abs. 1 lit. e DSGVO",
    )


# --- Meetings -------------------------------------------------------------------------------


class Meeting(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("in Vorbereitung")
        INVITED = "invited", _("eingeladen")
        HELD = "held", _("durchgeführt")
        CANCELLED = "cancelled", _("abgesagt")

    title = models.CharField(_("Titel"), max_length=200)
    working_group = models.ForeignKey(
        WorkingGroup,
        verbose_name=_("Arbeitskreis"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        help_text=_("Leer lassen für eine Sitzung des gesamten Netzwerks."),
    )
    starts_at = models.DateTimeField(_("Beginn"))
    ends_at = models.DateTimeField(_("Ende"))
    location = models.CharField(_("Ort"), max_length=300)
    invitation_text = models.TextField(_("Einladungstext"), blank=True)
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    invited_at = models.DateTimeField(null=True, blank=True)
    minutes = models.TextField(_("Protokoll (Markdown)"), blank=True)
    minutes_final_at = models.DateTimeField(_("Protokoll abgeschlossen"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("abgesagt am"), null=True, blank=True)
    cancellation_reason = models.TextField(_("Grund der Absage"), blank=True)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Sitzung")
        verbose_name_plural = _("Sitzungen")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="network_meeting_ends_after_start"
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("network:meeting_detail", args=[self.pk])

    @property
    def body_label(self):
        return str(self.working_group) if self.working_group_id else _("Netzwerk (Plenum)")

    @property
    def is_cancelled(self):
        return self.status == self.Status.CANCELLED

    @property
    def is_cancellable(self):
        """Planned or invited meetings can be called off; held (or already cancelled) ones cannot."""
        return self.status in (self.Status.PLANNED, self.Status.INVITED) and self.minutes_final_at is None


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveIntegerField(_("Nummer"))
    title = models.CharField(_("Tagesordnungspunkt"), max_length=300)
    description = models.TextField(_("Erläuterung"), blank=True)

    class Meta:
        verbose_name = _("Tagesordnungspunkt")
        verbose_name_plural = _("Tagesordnungspunkte")
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "position"], name="network_agenda_position")
        ]

    def __str__(self):
        return f"TOP {self.position}: {self.title}"


class Attendance(models.Model):
    class Status(models.TextChoices):
        INVITED = "invited", _("eingeladen")
        ACCEPTED = "accepted", _("zugesagt")
        DECLINED = "declined", _("abgesagt")
        PRESENT = "present", _("anwesend")
        ABSENT = "absent", _("nicht anwesend")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("Organisation"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("Teilnahme"), max_length=20, choices=Status.choices, default=Status.INVITED)
    represented_by = models.CharField(
        _("vertreten durch (Funktion)"), max_length=200, blank=True, help_text=_("Funktion, kein Name nötig.")
    )

    class Meta:
        verbose_name = _("Teilnahme")
        verbose_name_plural = _("Teilnahmen")
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "organisation"], name="network_one_attendance")
        ]

    def __str__(self):
        return f"{self.organisation}: {self.get_status_display()}"


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    agenda_item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("zu TOP"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
    )
    text = models.TextField(_("Beschluss"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Beschluss")
        verbose_name_plural = _("Beschlüsse")
        ordering = ["meeting", "created_at", "pk"]

    def __str__(self):
        return self.text[:80]


class Task(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("offen")
        IN_PROGRESS = "in_progress", _("in Arbeit")
        DONE = "done", _("erledigt")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="tasks")
    agenda_item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("zu TOP"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
    )
    title = models.CharField(_("Aufgabe"), max_length=300)
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("zuständige Organisation"),
        on_delete=models.PROTECT,
        related_name="network_tasks",
    )
    due_on = models.DateField(_("fällig am"), null=True, blank=True)
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Aufgabe")
        verbose_name_plural = _("Aufgaben")
        ordering = ["due_on", "pk"]

    def __str__(self):
        return self.title

    @property
    def is_open(self):
        return self.status != self.Status.DONE

    @property
    def is_overdue(self):
        return self.is_open and self.due_on is not None and self.due_on < timezone.localdate()


# --- News ----------------------------------------------------------------------------------


class NewsItem(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        PUBLISHED = "published", _("veröffentlicht")

    slug = models.SlugField(_("Adresse"), max_length=120, unique=True)
    title = models.CharField(_("Titel"), max_length=200)
    lead = models.TextField(_("Vorspann"), max_length=600)
    body = models.TextField(_("Text (Markdown)"))
    press_contact = models.TextField(
        _("Pressekontakt"), blank=True, help_text=_("Stelle und dienstliche Erreichbarkeit für Rückfragen.")
    )
    published_on = models.DateField(_("Datum"), default=timezone.localdate)
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Meldung")
        verbose_name_plural = _("Meldungen")
        ordering = ["-published_on", "-pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("network:news_detail", args=[self.slug])

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED


personal_data.declare(
    NewsItem,
    "press_contact",
    category=personal_data.CONTACT,
    purpose=_("Ansprechstelle für Presseanfragen zu einer Meldung"),
    retention=_("solange die Meldung veröffentlicht ist"),
    recipients=_("Öffentlichkeit"),
    legal_basis="Art. 6 Abs. 1 lit. e DSGVO",
)


class Photo(models.Model):
    news = models.ForeignKey(NewsItem, on_delete=models.CASCADE, related_name="photos")
    position = models.PositiveIntegerField(default=0)
    alt_text = models.CharField(_("Bildbeschreibung (Alternativtext)"), max_length=300)
    caption = models.CharField(_("Bildunterschrift"), max_length=300, blank=True)
    credit = models.CharField(_("Fotonachweis"), max_length=200, blank=True)
    usage_terms = models.CharField(
        _("Nutzungsbedingungen"),
        max_length=300,
        blank=True,
        help_text=_("z. B. „Abdruck honorarfrei mit Fotonachweis“"),
    )
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Foto")
        verbose_name_plural = _("Fotos")
        ordering = ["news", "position", "pk"]

    def __str__(self):
        return self.alt_text

    @property
    def is_publishable(self):
        return bool(self.credit.strip() and self.usage_terms.strip())

    def largest(self):
        return max(self.renditions.all(), key=lambda r: r.width, default=None)


personal_data.not_personal(
    Photo, "credit", reason=_("Urhebervermerk, den die Urheberin selbst zur Nennung angibt")
)


class PhotoRendition(models.Model):
    photo = models.ForeignKey(Photo, on_delete=models.CASCADE, related_name="renditions")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    file = models.FileField(upload_to=photo_upload_path, max_length=200)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["photo", "width"]
        constraints = [
            models.UniqueConstraint(fields=["photo", "width"], name="network_one_rendition_per_width")
        ]

    def __str__(self):
        return f"{self.photo_id} – {self.width}w"

    def get_absolute_url(self):
        return reverse("network:photo", args=[self.photo_id, self.width])


# --- Materials ------------------------------------------------------------------------------


class Topic(models.TextChoices):
    PRAEVENTION = "praevention", _("Prävention")
    SEXUALISIERTE_GEWALT = "sexualisierte-gewalt", _("Sexualisierte Gewalt")
    KINDERSCHUTZ = "kinderschutz", _("Kinderschutz")
    SPURENSICHERUNG = "spurensicherung", _("Spurensicherung")


class Audience(models.TextChoices):
    FACHKRAEFTE = "fachkraefte", _("Fachkräfte aller Partner")
    JUGENDHILFE = "jugendhilfe", _("Jugendhilfe")
    POLIZEI_JUSTIZ = "polizei-justiz", _("Polizei und Justiz")
    GESUNDHEIT = "gesundheit", _("Gesundheitswesen")
    SCHULE_KITA = "schule-kita", _("Schule und Kita")
    BETROFFENE = "betroffene", _("Betroffene und Angehörige")


class Material(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", _("öffentlich")
        INTERNAL = "internal", _("nur für Mitglieder")

    slug = models.SlugField(_("Adresse"), max_length=120, unique=True)
    title = models.CharField(_("Titel"), max_length=200)
    description = models.TextField(_("Beschreibung"), blank=True)
    kind = models.CharField(
        _("Art"), max_length=100, blank=True, help_text=_("z. B. Faltblatt, Checkliste, Leitfaden")
    )
    audience = models.CharField(_("Zielgruppe"), max_length=30, choices=Audience.choices)
    visibility = models.CharField(
        _("Sichtbarkeit"), max_length=20, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Material")
        verbose_name_plural = _("Materialien")
        ordering = ["title"]

    def __str__(self):
        return self.title

    @property
    def is_public(self):
        return self.visibility == self.Visibility.PUBLIC

    @property
    def topic_labels(self):
        return [Topic(t.topic).label for t in self.topics.all()]

    def current_version(self):
        return max(self.versions.all(), key=lambda v: v.number, default=None)


class MaterialTopic(models.Model):
    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="topics")
    topic = models.CharField(_("Thema"), max_length=30, choices=Topic.choices)

    class Meta:
        ordering = ["topic"]
        constraints = [models.UniqueConstraint(fields=["material", "topic"], name="network_material_topic")]

    def __str__(self):
        return self.get_topic_display()


class MaterialVersion(models.Model):
    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("Version"))
    file = models.FileField(upload_to=material_upload_path, max_length=200)
    filename = models.CharField(_("Dateiname"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    change_note = models.CharField(_("Änderungen"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Materialversion")
        verbose_name_plural = _("Materialversionen")
        ordering = ["material", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["material", "number"], name="network_material_version")
        ]

    def __str__(self):
        return f"{self.material} – {self.number}"


personal_data.not_personal(MaterialVersion, "filename", reason=_("Name einer Publikation"))
personal_data.not_personal(MaterialVersion, "change_note", reason=_("Änderungsvermerk zu einer Publikation"))

DEFAULT_PHOTO_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MATERIAL_MAX_BYTES = 20 * 1024 * 1024


def photo_max_bytes():
    return getattr(settings, "SCHUTZNETZ_PHOTO_MAX_BYTES", DEFAULT_PHOTO_MAX_BYTES)


def material_max_bytes():
    return getattr(settings, "SCHUTZNETZ_MATERIAL_MAX_BYTES", DEFAULT_MATERIAL_MAX_BYTES)
