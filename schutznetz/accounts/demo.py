"""Demo data: the Kreis Soest partners of the network and one demo login per role.

Idempotent: organisations are keyed by slug, users by username.
"""

from django.conf import settings
from django.utils.text import slugify

from schutznetz.accounts import services
from schutznetz.accounts.models import Organisation, OrganisationKind, Role, User, UserRole

DEMO_PASSWORD = "schutznetz-demo"  # noqa: S105 - public demo password, documented

K = OrganisationKind
PARTNERS = [
    ("Kreisjugendamt Soest", K.JUGENDAMT, "Soest"),
    ("Jugendamt der Stadt Lippstadt", K.JUGENDAMT, "Lippstadt"),
    ("Jugendamt der Stadt Soest", K.JUGENDAMT, "Soest"),
    ("Jugendamt der Stadt Warstein", K.JUGENDAMT, "Warstein"),
    ("Amtsgericht Soest – Familiengericht", K.FAMILIENGERICHT, "Soest"),
    ("Amtsgericht Lippstadt – Familiengericht", K.FAMILIENGERICHT, "Lippstadt"),
    ("Amtsgericht Warstein – Familiengericht", K.FAMILIENGERICHT, "Warstein"),
    ("Amtsgericht Werl – Familiengericht", K.FAMILIENGERICHT, "Werl"),
    ("Staatsanwaltschaft Arnsberg", K.STAATSANWALTSCHAFT, "Arnsberg"),
    ("Kreispolizeibehörde Soest", K.POLIZEI, "Soest"),
    ("Gesundheitsamt Kreis Soest", K.GESUNDHEITSAMT, "Soest"),
    ("Frauenberatung Soest", K.BERATUNGSSTELLE, "Soest"),
    ("Frauenhaus Soest", K.FRAUENHAUS, "Soest"),
    ("Kinderschutzbund Kreisverband Soest", K.KINDERSCHUTZ, "Soest"),
    # Coordination of the network and the evidence programme's sites (fictional names).
    ("Koordinierungsstelle Kreiskooperationsrunde", K.KOORDINATION, "Soest"),
    ("Klinikum Soest (Demo)", K.KLINIK, "Soest"),
    ("Dreifaltigkeits-Hospital Lippstadt (Demo)", K.KLINIK, "Lippstadt"),
    ("Institut für Rechtsmedizin (Demo)", K.RECHTSMEDIZIN, "Münster"),
]

# username → (organisation name, roles)
DEMO_USERS = {
    "demo-koordination": ("Koordinierungsstelle Kreiskooperationsrunde", [Role.KOORDINATION, Role.ORG_ADMIN]),
    "demo-fachkraft-jugendamt": ("Kreisjugendamt Soest", [Role.FACHKRAFT]),
    "demo-fachkraft-polizei": ("Kreispolizeibehörde Soest", [Role.FACHKRAFT]),
    "demo-fachkraft-beratung": ("Frauenberatung Soest", [Role.FACHKRAFT]),
    "demo-moderation": ("Kreisjugendamt Soest", [Role.MODERATION]),
    "demo-anbieter": ("Frauenhaus Soest", [Role.ANBIETER]),
    "demo-spurensicherung": ("Klinikum Soest (Demo)", [Role.SPURENSICHERUNG]),
    "demo-datenschutz": ("Koordinierungsstelle Kreiskooperationsrunde", [Role.DATENSCHUTZ]),
}


def organisation_slug(name):
    return slugify(name.replace("ü", "ue").replace("ö", "oe").replace("ä", "ae").replace("ß", "ss"))[:80]


def demo_organisation(name):
    return Organisation.objects.get(slug=organisation_slug(name))


def load(stdout):
    for name, kind, municipality in PARTNERS:
        slug = organisation_slug(name)
        existing = Organisation.objects.filter(slug=slug).first()
        if existing is None:
            services.save_organisation(None, name=name, slug=slug, kind=kind, municipality=municipality)
    for username, (org_name, roles) in DEMO_USERS.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            services.create_user(
                None,
                username=username,
                organisation=demo_organisation(org_name),
                roles=roles,
                password=DEMO_PASSWORD,
                is_demo=True,
            )
        elif set(UserRole.objects.filter(user=user).values_list("role", flat=True)) != set(roles):
            services.set_roles(None, user, roles)
    stdout.write(f"Demo: {len(PARTNERS)} Organisationen, {len(DEMO_USERS)} Demo-Zugänge.")


def print_logins(stdout):
    stdout.write("")
    stdout.write(f"Demo-Zugänge (Passwort für alle: {DEMO_PASSWORD}):")
    for username, (org_name, roles) in DEMO_USERS.items():
        stdout.write(f"  {username:28} {', '.join(str(Role(r).label) for r in roles):30} {org_name}")
    if not getattr(settings, "SCHUTZNETZ_DEMO_LOGIN_WITHOUT_MFA", settings.DEBUG):
        stdout.write(
            "Hinweis: Ohne SCHUTZNETZ_DEBUG=1 können sich Demo-Zugänge nicht anmelden "
            "(ihr Passwort steht in der README)."
        )
