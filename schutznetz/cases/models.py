"""Case conferences: cases, persons, legal bases, shared sections, risk, referrals,
conferences, actions and deadlines.

Identity data (names, aliases, dates of birth, addresses, phone numbers, free
text about persons) is encrypted at rest. What the statistics need stays in
plain fields (category, municipality, dates, organisations, risk band, number
of children, repeat flag, action dates) and survives the erasure of identity
data after the retention period.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from schutznetz.core import personal_data
from schutznetz.core.fields import EncryptedCharField, EncryptedDateField, EncryptedTextField


class Category(models.TextChoices):
    HAEUSLICHE_GEWALT = "haeusliche_gewalt", _("Häusliche Gewalt")
    KINDESWOHL = "kindeswohlgefaehrdung", _("Kindeswohlgefährdung")
    SEXUALISIERTE_GEWALT = "sexualisierte_gewalt", _("Sexualisierte Gewalt")
    STALKING = "stalking", _("Stalking")
    ZWANGSVERHEIRATUNG = "zwangsverheiratung", _("Zwangsverheiratung")
    SONSTIGE = "sonstige", _("Sonstige")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("offen")
    CLOSED = "closed", _("abgeschlossen")


class RiskBand(models.TextChoices):
    STANDARD = "standard", _("Standard")
    MEDIUM = "medium", _("Mittel")
    HIGH = "high", _("Hoch")


BAND_ORDER = {RiskBand.STANDARD: 0, RiskBand.MEDIUM: 1, RiskBand.HIGH: 2, "": -1}


class CloseReason(models.TextChoices):
    RISK_REDUCED = "risk_reduced", _("Gefährdung abgewendet oder deutlich verringert")
    MOVED = "moved", _("Person ist verzogen, Zuständigkeit abgegeben")
    DECLINED = "declined", _("Person lehnt weitere Unterstützung ab")
    OTHER_HELP = "other_help", _("Weiter in regulärer Hilfe einer Organisation")
    OTHER = "other", _("Sonstiger Grund")


class Section(models.TextChoices):
    PERSONS = "persons", _("Personen")
    RISK = "risk", _("Risiko")
    CHRONOLOGY = "chronology", _("Verlauf")
    NOTES = "notes", _("Notizen")
    ACTIONS = "actions", _("Maßnahmen")
    DEADLINES = "deadlines", _("Fristen")


ALL_SECTIONS = frozenset(Section.values)


class Case(models.Model):
    number = models.CharField(_("Fallnummer"), max_length=20, unique=True)
    category = models.CharField(_("Kategorie"), max_length=30, choices=Category.choices)
    status = models.CharField(_("Status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    municipality = models.CharField(_("Stadt/Gemeinde"), max_length=100, blank=True)
    bringing_organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("einbringende Organisation"), on_delete=models.PROTECT,
        related_name="cases_brought",
    )  # fmt: skip
    lead_organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("Fallverantwortung"), on_delete=models.PROTECT,
        related_name="cases_led",
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("angelegt am"), db_index=True)
    closed_at = models.DateTimeField(_("abgeschlossen am"), null=True, blank=True, db_index=True)
    close_reason = models.CharField(
        _("Abschlussgrund"), max_length=20, choices=CloseReason.choices, blank=True
    )
    risk_band = models.CharField(_("Risikostufe"), max_length=10, choices=RiskBand.choices, blank=True)
    children_count = models.PositiveSmallIntegerField(_("Anzahl Kinder"), default=0)
    is_repeat = models.BooleanField(_("Wiederholungsfall"), default=False)
    proposed_at = models.DateTimeField(_("für Konferenz vorgeschlagen am"), null=True, blank=True)
    last_conferenced_on = models.DateField(_("zuletzt in Konferenz"), null=True, blank=True)
    legal_hold = models.BooleanField(_("Löschsperre"), default=False)
    legal_hold_reason = models.CharField(_("Grund der Löschsperre"), max_length=200, blank=True)
    identity_erased_at = models.DateTimeField(_("Identitätsdaten gelöscht am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Fall")
        verbose_name_plural = _("Fälle")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "closed_at"]),
            # The case list: open (or closed) cases, newest first, one page at a time.
            models.Index(fields=["status", "-created_at", "-id"], name="cases_case_list_idx"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self):
        return self.status == CaseStatus.OPEN


class CaseCounter(models.Model):
    """The last number handed out per year (FK-2026-0042); locked while a case is created."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"


class ParticipationReason(models.TextChoices):
    BROUGHT = "brought", _("hat den Fall eingebracht")
    LEAD = "lead", _("Fallverantwortung")
    INVITED = "invited", _("eingeladen")
    ACTION = "action", _("hält eine Maßnahme")
    REFERRAL = "referral", _("Vermittlung erhalten")


class Participation(models.Model):
    """An organisation takes part in a case; only then may it see anything of it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="participations")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("Grund"), max_length=20, choices=ParticipationReason.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(_("beendet am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Beteiligung")
        verbose_name_plural = _("Beteiligungen")
        constraints = [
            models.UniqueConstraint(fields=["case", "organisation"], name="unique_case_participation"),
        ]
        indexes = [
            models.Index(fields=["organisation", "ended_at"]),
            # Scope checks ("does my organisation take part in this case?") in both directions, as
            # index-only look-ups over the active participations.
            models.Index(
                fields=["case", "organisation"],
                condition=Q(ended_at__isnull=True),
                name="cases_part_active_case_idx",
            ),
            models.Index(
                fields=["organisation", "case"],
                condition=Q(ended_at__isnull=True),
                name="cases_part_active_org_idx",
            ),
        ]

    def __str__(self):
        return f"{self._meta.verbose_name} #{self.pk}"


class LegalBasisKind(models.TextChoices):
    CONSENT = "consent", _("Einwilligung")
    KKG_4 = "kkg_4", _("§ 4 KKG")
    SGB_VIII_8A = "sgb_viii_8a", _("§ 8a SGB VIII")
    POLG_34A = "polg_34a", _("§ 34a Abs. 4 PolG NRW (Weitergabe an Beratungsstelle)")
    HIGH_RISK = "high_risk", _("Hohes Risiko ohne Einwilligung (schriftliche Begründung)")


class LegalBasis(models.Model):
    """The recorded legal ground for sharing a case with one organisation."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="legal_bases")
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("Empfänger"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("Rechtsgrundlage"), max_length=20, choices=LegalBasisKind.choices)
    consent_date = models.DateField(_("Datum der Einwilligung"), null=True, blank=True)
    consent_scope = EncryptedTextField(_("Umfang der Einwilligung"), blank=True)
    consent_given_by = EncryptedCharField(_("Einwilligung erteilt von"), max_length=200, blank=True)
    justification = EncryptedTextField(_("Begründung"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("widerrufen am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Rechtsgrundlage")
        verbose_name_plural = _("Rechtsgrundlagen")
        ordering = ["recorded_at", "id"]

    def __str__(self):
        return f"{self._meta.verbose_name} #{self.pk}"

    @property
    def is_active(self):
        return self.withdrawn_at is None


class SectionShare(models.Model):
    """One section of a case shared with one participating organisation, on a legal basis."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shares")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    section = models.CharField(_("Abschnitt"), max_length=20, choices=Section.choices)
    legal_basis = models.ForeignKey(LegalBasis, on_delete=models.PROTECT, related_name="shares")
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    shared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Freigabe")
        verbose_name_plural = _("Freigaben")
        constraints = [
            models.UniqueConstraint(fields=["case", "organisation", "section"], name="unique_section_share"),
        ]

    def __str__(self):
        return f"{self._meta.verbose_name} #{self.pk}"


# The case page's inline form says so too (maxlength); the form and the service enforce it.
REVOKE_REASON_MAX_LENGTH = 300


class ShareRevocation(models.Model):
    """A shared section taken back from an organisation: who, when and why (the share itself is deleted,
    so the access rules, which read the shares, hide the section at once). What the organisation read
    before stays in the access log and so in the Art. 15 report."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="share_revocations")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    section = models.CharField(_("Abschnitt"), max_length=20, choices=Section.choices)
    reason = EncryptedTextField(_("Grund"))
    shared_at = models.DateTimeField(_("freigegeben am"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("zurückgenommen am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Zurückgenommene Freigabe")
        verbose_name_plural = _("Zurückgenommene Freigaben")
        ordering = ["-revoked_at", "-id"]

    def __str__(self):
        return f"{self._meta.verbose_name} #{self.pk}"


class PersonRole(models.TextChoices):
    AT_RISK = "at_risk", _("Gefährdete Person")
    CHILD = "child", _("Kind")
    PERPETRATOR = "perpetrator", _("Gefährdende Person")
    OTHER = "other", _("Weitere Person")


class Person(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="persons")
    role = models.CharField(_("Rolle"), max_length=20, choices=PersonRole.choices)
    first_name = EncryptedCharField(_("Vorname"), max_length=100, blank=True)
    last_name = EncryptedCharField(_("Nachname"), max_length=100, blank=True)
    aliases = EncryptedCharField(_("Weitere Namen"), max_length=300, blank=True)
    date_of_birth = EncryptedDateField(_("Geburtsdatum"), null=True, blank=True)
    address = EncryptedTextField(_("Anschrift"), blank=True)
    phone = EncryptedCharField(_("Telefon"), max_length=50, blank=True)
    phone_safe_to_call = models.BooleanField(_("Anruf unter dieser Nummer ist sicher"), default=False)
    age = models.PositiveSmallIntegerField(_("Alter"), null=True, blank=True)
    school_or_kita = EncryptedCharField(_("Schule oder Kita"), max_length=200, blank=True)
    notes = EncryptedTextField(_("Hinweise"), blank=True)
    # Keyed HMAC of normalised name + date of birth: repeat detection without plaintext.
    identity_index = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Person")
        verbose_name_plural = _("Personen")
        ordering = ["id"]

    def __str__(self):
        return f"{self.get_role_display()} #{self.pk}"

    @property
    def display_name(self):
        return self.format_name(self.first_name, self.last_name)

    @staticmethod
    def format_name(first_name, last_name):
        return " ".join(part for part in (first_name, last_name) if part) or "–"


class PersonRemovalReason(models.TextChoices):
    """Why a person is removed from a case after creation (recorded in the audit log, no values)."""

    WRONG_CASE = "wrong_case", _("Die Person gehört nicht zu diesem Fall")
    DUPLICATE = "duplicate", _("Die Person wurde doppelt erfasst")
    ENTERED_IN_ERROR = "entered_in_error", _("Die Person wurde irrtümlich erfasst")


class RepeatMatch(models.Model):
    """A new case whose person matched a person of an earlier case within 12 months."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="repeat_matches")
    earlier_case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="later_matches")
    detected_at = models.DateTimeField(auto_now_add=True)
    chair_notified = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "earlier_case"], name="unique_repeat_match")]

    def __str__(self):
        return f"{self._meta.verbose_name} #{self.pk}"


class RiskAssessment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="risk_assessments")
    instrument = models.CharField(_("Instrument"), max_length=80)
    instrument_version = models.CharField(max_length=20, blank=True)
    answers = models.JSONField(_("Antworten"), default=dict)
    score = models.PositiveIntegerField(_("Punktwert"), default=0)
    computed_band = models.CharField(_("Stufe laut Instrument"), max_length=10, choices=RiskBand.choices)
    final_band = models.CharField(
        _("Stufe nach fachlicher Einschätzung"), max_length=10, choices=RiskBand.choices
    )
    judgement_reason = EncryptedTextField(_("Begründung der fachlichen Einschätzung"), blank=True)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Risikoeinschätzung")
        verbose_name_plural = _("Risikoeinschätzungen")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self._meta.verbose_name} #{self.pk}"

    @property
    def instrument_title(self):
        """The instrument's title for people ("Checkliste Gewalt in Paarbeziehungen"), not its file id."""
        from schutznetz.cases.instruments import get_instrument

        instrument = get_instrument(self.instrument)
        return instrument.title if instrument is not None else self.instrument


class ChronologyKind(models.TextChoices):
    EVENT = "event", _("Ereignis")
    # A new incident (violence, threat, breach of an order): within 12 months of the last conference
    # the case becomes a repeat and comes back to the conference.
    INCIDENT = "incident", _("neuer Vorfall")


class ChronologyEntry(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="chronology")
    date = models.DateField(_("Datum"))
    kind = models.CharField(
        _("Art"), max_length=10, choices=ChronologyKind.choices, default=ChronologyKind.EVENT
    )
    text = EncryptedTextField(_("Ereignis"))
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]

    def __str__(self):
        return f"{self._meta.verbose_name} #{self.pk}"


class CaseNote(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    text = EncryptedTextField(_("Notiz"))
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self._meta.verbose_name} #{self.pk}"


class ReferralStatus(models.TextChoices):
    PENDING = "pending", _("offen")
    ACCEPTED = "accepted", _("angenommen")
    DECLINED = "declined", _("abgelehnt")
    COMPLETED = "completed", _("abgeschlossen")


class Referral(models.Model):
    """A case handed from one partner to another partner or to the conference (to_organisation empty)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    from_organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    to_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("Status"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.PENDING
    )
    decline_reason = models.CharField(_("Grund der Ablehnung"), max_length=300, blank=True)
    referred_at = models.DateTimeField(_("vermittelt am"), db_index=True)
    first_contact_at = models.DateTimeField(_("Erstkontakt am"), null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("Vermittlung")
        verbose_name_plural = _("Vermittlungen")
        ordering = ["-referred_at", "-id"]

    def __str__(self):
        return f"{self._meta.verbose_name} #{self.pk}"

    @property
    def to_conference(self):
        return self.to_organisation_id is None

    @property
    def time_to_first_contact(self):
        if self.first_contact_at is None:
            return None
        return self.first_contact_at - self.referred_at


class ConferenceKind(models.TextChoices):
    REGULAR = "regular", _("Regelkonferenz")
    AD_HOC = "ad_hoc", _("Spontankonferenz")


class ConferenceStatus(models.TextChoices):
    PLANNED = "planned", _("geplant")
    HELD = "held", _("durchgeführt")
    CANCELLED = "cancelled", _("abgesagt")


class Conference(models.Model):
    kind = models.CharField(
        _("Art"), max_length=10, choices=ConferenceKind.choices, default=ConferenceKind.REGULAR
    )
    date = models.DateField(_("Datum"), db_index=True)
    location = models.CharField(_("Ort"), max_length=200, blank=True)
    chair_organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("Moderation"), on_delete=models.PROTECT, related_name="+"
    )
    invited_organisations = models.ManyToManyField(
        "accounts.Organisation", verbose_name=_("eingeladene Organisationen"), related_name="+", blank=True
    )
    status = models.CharField(
        max_length=10, choices=ConferenceStatus.choices, default=ConferenceStatus.PLANNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Cancellation (status "cancelled"): when, by whom and why; the reason is organisational
    # (e.g. the date clashes), never case content, and is not put into mails.
    cancelled_at = models.DateTimeField(_("abgesagt am"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField(_("Grund der Absage"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("Fallkonferenz")
        verbose_name_plural = _("Fallkonferenzen")
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date:%d.%m.%Y}"

    @property
    def is_cancelled(self):
        return self.status == ConferenceStatus.CANCELLED

    @property
    def is_planned(self):
        return self.status == ConferenceStatus.PLANNED


class AgendaReason(models.TextChoices):
    PROPOSED = "proposed", _("vorgeschlagen")
    REPEAT = "repeat", _("Wiederholungsfall")
    OPEN_ACTIONS = "open_actions", _("offene Maßnahmen")


class AgendaItem(models.Model):
    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="agenda_items")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="agenda_items")
    reason = models.CharField(_("Grund"), max_length=20, choices=AgendaReason.choices)
    position = models.PositiveSmallIntegerField(default=0)
    decisions = EncryptedTextField(_("Beschlüsse"), blank=True)
    next_review_date = models.DateField(_("nächste Überprüfung"), null=True, blank=True)
    discussed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["conference", "case"], name="unique_agenda_case")]

    def __str__(self):
        return f"{self._meta.verbose_name} #{self.pk}"


class ConfidentialityAcknowledgement(models.Model):
    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="acknowledgements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    acknowledged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conference", "user"], name="unique_confidentiality_ack")
        ]

    def __str__(self):
        return f"{self._meta.verbose_name} #{self.pk}"


class Attendance(models.Model):
    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField(_("anwesend"), default=True)
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["conference", "user"], name="unique_attendance")]

    def __str__(self):
        return f"{self._meta.verbose_name} #{self.pk}"


class ActionStatus(models.TextChoices):
    OPEN = "open", _("offen")
    IN_PROGRESS = "in_progress", _("in Arbeit")
    DONE = "done", _("erledigt")
    CANCELLED = "cancelled", _("entfallen")


class ActionReview(models.TextChoices):
    DONE = "done", _("erledigt")
    CHANGED = "changed", _("Umstände haben sich geändert")
    NOT_DONE = "not_done", _("nicht erledigt")


OPEN_ACTION_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class Action(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="actions")
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    description = EncryptedTextField(_("Maßnahme"))
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("Organisation"), on_delete=models.PROTECT, related_name="+"
    )
    responsible_person = EncryptedCharField(_("verantwortliche Person"), max_length=200, blank=True)
    due_date = models.DateField(_("fällig am"), null=True, blank=True, db_index=True)
    status = models.CharField(
        _("Status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    outcome = EncryptedTextField(_("Ergebnis"), blank=True)
    completed_on = models.DateField(_("erledigt am"), null=True, blank=True)
    review = models.CharField(_("Überprüfung"), max_length=10, choices=ActionReview.choices, blank=True)
    reviewed_in = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="reviewed_actions"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Maßnahme")
        verbose_name_plural = _("Maßnahmen")
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self):
        return f"{self._meta.verbose_name} #{self.pk}"

    @property
    def is_open(self):
        return self.status in OPEN_ACTION_STATUSES


class DeadlineKind(models.TextChoices):
    RETURN_BAN = "return_ban", _("Ende Rückkehrverbot (§ 34a PolG NRW)")
    REVIEW_8A = "review_8a", _("Überprüfung nach § 8a SGB VIII")
    ACTION_DUE = "action_due", _("Fälligkeit einer Maßnahme")
    COURT_HEARING = "court_hearing", _("Gerichtstermin")


class Deadline(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(_("Art"), max_length=20, choices=DeadlineKind.choices)
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("zuständige Organisation"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    due_date = models.DateField(_("Frist"), db_index=True)
    # Return ban (§ 34a PolG NRW): the order, an application under the Gewaltschutzgesetz, the court's decision.
    ordered_on = models.DateField(_("angeordnet am"), null=True, blank=True)
    application_filed_on = models.DateField(_("Antrag nach GewSchG gestellt am"), null=True, blank=True)
    court_decision_on = models.DateField(_("gerichtliche Entscheidung am"), null=True, blank=True)
    action = models.OneToOneField(
        Action, on_delete=models.CASCADE, null=True, blank=True, related_name="deadline"
    )
    done_at = models.DateTimeField(_("erledigt am"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Frist")
        verbose_name_plural = _("Fristen")
        ordering = ["due_date", "id"]
        # An organisation's open deadlines in the start page's order: its panels read the first 20
        # from here and stop, instead of sorting every overdue deadline (210 for the police at
        # 100,000 cases: 5 ms against 2 ms).
        indexes = [
            models.Index(
                fields=["organisation", "due_date", "id"],
                condition=Q(done_at__isnull=True),
                name="cases_deadline_open_idx",
            )
        ]

    def __str__(self):
        return f"{self._meta.verbose_name} #{self.pk}"


class ReminderSent(models.Model):
    """Remembers which reminder went out for which deadline, so the command is idempotent."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20)
    due_date = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["deadline", "kind", "due_date"], name="unique_deadline_reminder"),
        ]

    def __str__(self):
        return f"{self._meta.verbose_name} #{self.pk}"


# --- personal data registry ----------------------------------------------------------------------------
_RETENTION = _(
    "bis zum Abschluss des Falls plus SCHUTZNETZ_CASE_RETENTION_DAYS (Standard 2 Jahre), außer Löschsperre"
)
_RECIPIENTS = _("beteiligte Organisationen, soweit der Abschnitt mit ihnen geteilt ist")
_BASIS = _("§ 4 KKG, § 8a SGB VIII, § 34a PolG NRW, Einwilligung (Art. 6/9 DSGVO)")

personal_data.declare_many(
    Person,
    ["first_name", "last_name", "aliases", "date_of_birth"],
    category=personal_data.IDENTITY,
    purpose=_("Zuordnung der Person im Fall und Erkennung von Wiederholungsfällen"),
    retention=_RETENTION, recipients=_RECIPIENTS, legal_basis=_BASIS,
)  # fmt: skip
personal_data.declare_many(
    Person,
    ["address", "phone"],
    category=personal_data.CONTACT,
    purpose=_("Kontaktaufnahme für Schutz und Beratung"),
    retention=_RETENTION, recipients=_RECIPIENTS, legal_basis=_BASIS,
)  # fmt: skip
personal_data.declare_many(
    Person,
    ["phone_safe_to_call", "age", "school_or_kita", "identity_index"],
    category=personal_data.OTHER,
    purpose=_("Sichere Kontaktaufnahme, Kinder im Haushalt, Wiederholungserkennung (Blindindex)"),
    retention=_RETENTION, recipients=_RECIPIENTS, legal_basis=_BASIS,
)  # fmt: skip
personal_data.declare(
    Person, "notes", category=personal_data.SPECIAL,
    purpose=_("Hinweise zur Gefährdung"), retention=_RETENTION, recipients=_RECIPIENTS, legal_basis=_BASIS,
)  # fmt: skip
personal_data.declare_many(
    LegalBasis,
    ["consent_scope", "consent_given_by", "justification"],
    category=personal_data.OTHER,
    purpose=_("Nachweis der Rechtsgrundlage einer Weitergabe"),
    retention=_RETENTION, recipients=_("einbringende und empfangende Organisation"), legal_basis=_BASIS,
)  # fmt: skip
personal_data.declare(
    RiskAssessment, "judgement_reason", category=personal_data.SPECIAL,
    purpose=_("Begründung der fachlichen Risikoeinschätzung"), retention=_RETENTION,
    recipients=_RECIPIENTS, legal_basis=_BASIS,
)  # fmt: skip
personal_data.declare(
    ShareRevocation, "reason", category=personal_data.OTHER,
    purpose=_("Nachweis, warum eine Freigabe zurückgenommen wurde"), retention=_RETENTION,
    recipients=_("Organisationen, die den Fall verwalten"), legal_basis=_BASIS,
)  # fmt: skip
for _model, _field in ((ChronologyEntry, "text"), (CaseNote, "text"), (AgendaItem, "decisions")):
    personal_data.declare(
        _model, _field, category=personal_data.SPECIAL,
        purpose=_("Fallverlauf, Notizen und Beschlüsse der Fallkonferenz"), retention=_RETENTION,
        recipients=_RECIPIENTS, legal_basis=_BASIS,
    )  # fmt: skip
personal_data.declare_many(
    Action,
    ["description", "outcome", "responsible_person"],
    category=personal_data.OTHER,
    purpose=_("Maßnahmenplan der Fallkonferenz"),
    retention=_RETENTION, recipients=_RECIPIENTS, legal_basis=_BASIS,
)  # fmt: skip
personal_data.not_personal(
    Referral, "first_contact_at", reason=_("Zeitpunkt des Erstkontakts einer Organisation (Statistik)")
)
