"""Organisations of the network, their staff, and the roles staff hold."""

import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schutznetz.core import personal_data


class OrganisationKind(models.TextChoices):
    JUGENDAMT = "jugendamt", _("Jugendamt")
    FAMILIENGERICHT = "familiengericht", _("Familiengericht")
    STAATSANWALTSCHAFT = "staatsanwaltschaft", _("Staatsanwaltschaft")
    POLIZEI = "polizei", _("Polizei")
    GESUNDHEITSAMT = "gesundheitsamt", _("Gesundheitsamt")
    BERATUNGSSTELLE = "beratungsstelle", _("Beratungsstelle")
    FRAUENHAUS = "frauenhaus", _("Frauenhaus")
    KINDERSCHUTZ = "kinderschutz", _("Kinderschutz")
    KLINIK = "klinik", _("Klinik")
    RECHTSMEDIZIN = "rechtsmedizin", _("Rechtsmedizin")
    KOORDINATION = "koordination", _("Koordination")
    SONSTIGE = "sonstige", _("Sonstige")


class Role(models.TextChoices):
    KOORDINATION = "koordination", _("Koordination")
    FACHKRAFT = "fachkraft", _("Fachkraft")
    MODERATION = "moderation", _("Moderation")
    ANBIETER = "anbieter", _("Anbieter")
    SPURENSICHERUNG = "spurensicherung", _("Spurensicherung")
    DATENSCHUTZ = "datenschutz", _("Datenschutz")
    ORG_ADMIN = "org_admin", _("Organisations-Admin")


# Roles that can see case or evidence content must use a second factor; so must the roles that can
# give someone such a role (Koordination and an organisation's admin invite staff with any role but
# Koordination): otherwise their password alone would let an attacker invite a Fachkraft of their own.
# Datenschutz reads the access and audit logs: who opened which case when, which tells where a case
# is handled and by whom, so its password alone is not enough either.
MFA_REQUIRED_ROLES = frozenset(
    {
        Role.FACHKRAFT,
        Role.MODERATION,
        Role.SPURENSICHERUNG,
        Role.KOORDINATION,
        Role.ORG_ADMIN,
        Role.DATENSCHUTZ,
    }
)


class Organisation(models.Model):
    name = models.CharField(_("Name"), max_length=200, unique=True)
    slug = models.SlugField(_("Kürzel"), max_length=80, unique=True)
    kind = models.CharField(_("Art"), max_length=30, choices=OrganisationKind.choices)
    municipality = models.CharField(_("Ort"), max_length=100, blank=True)
    is_active = models.BooleanField(_("aktiv"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Organisation")
        verbose_name_plural = _("Organisationen")
        ordering = ["name"]

    def __str__(self):
        return self.name


class User(AbstractUser):
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("Organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    is_demo = models.BooleanField(
        _("Demo-Zugang"),
        default=False,
        help_text=_("Darf nur im Entwicklungsmodus ohne zweiten Faktor anmelden."),
    )

    class Meta:
        verbose_name = _("Benutzer")
        verbose_name_plural = _("Benutzer")

    @property
    def role_set(self) -> frozenset[str]:
        cached = getattr(self, "_role_cache", None)
        if cached is None:
            cached = (
                frozenset(self.role_assignments.values_list("role", flat=True)) if self.pk else frozenset()
            )
            self._role_cache = cached
        return cached

    def has_role(self, *roles) -> bool:
        return bool(self.role_set.intersection(roles))

    @property
    def needs_mfa(self) -> bool:
        return bool(self.role_set & MFA_REQUIRED_ROLES)

    def role_labels(self):
        return [Role(role).label for role in sorted(self.role_set)]


class UserRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("Rolle"), max_length=30, choices=Role.choices)

    class Meta:
        verbose_name = _("Rolle")
        verbose_name_plural = _("Rollen")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="unique_user_role")]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()}"


def new_invitation_token():
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    """Staff join only by invitation: there is no public sign-up."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("E-Mail"))
    roles = models.JSONField(_("Rollen"), default=list)
    token = models.CharField(max_length=64, unique=True, default=new_invitation_token)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("Einladung")
        verbose_name_plural = _("Einladungen")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} → {self.organisation}"

    @property
    def is_open(self):
        return self.accepted_at is None and self.expires_at > timezone.now()


personal_data.not_personal(Organisation, "name", reason=_("Name einer Institution"))
personal_data.declare_many(
    User,
    ["username", "first_name", "last_name", "email"],
    category=personal_data.IDENTITY,
    purpose=_("Anmeldung und Zuordnung von Handlungen der Fachkräfte"),
    retention=_("bis zur Deaktivierung des Zugangs; Protokollbezüge bleiben pseudonym"),
    recipients=_("Koordination, Organisations-Admin der eigenen Organisation"),
    legal_basis="Art. 6 Abs. 1 lit. e DSGVO",
)
personal_data.declare(
    Invitation,
    "email",
    category=personal_data.CONTACT,
    purpose=_("Versand der Einladung"),
    retention=_("bis zur Annahme oder 30 Tage nach Ablauf"),
    recipients=_("Organisations-Admin"),
    legal_basis="Art. 6 Abs. 1 lit. e DSGVO",
)
