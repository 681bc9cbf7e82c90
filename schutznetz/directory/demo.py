"""Demo data: public offers of Kreis Soest plus fictional offers (``is_fictional=True``).

Real offers carry only contact details we are sure of (national hotlines, the
emergency number, official websites); where a local number or address is not
confirmed, the offer says so and ``verified_at`` stays empty ("noch nicht geprüft"),
so the re-verification reminder asks the provider to complete it.
Fictional offers have example.org addresses and no phone numbers.
Idempotent: every record has a fixed HSDS id.
"""

import uuid
from datetime import timedelta

from django.utils import timezone

from schutznetz.accounts.models import Organisation
from schutznetz.directory import services
from schutznetz.directory.models import DECLINE_FIELDS, Offer, Provider, ShelterReport

NS = uuid.UUID("1d0c6d2e-9a55-4c3e-b1a4-7c0e2f6d9b21")
TO_VERIFY = (
    "Direkte Nummer der Einrichtung: Angabe zu prüfen – bis dahin vermittelt das Hilfetelefon (116 016)."
)


def _id(key):
    return uuid.uuid5(NS, key)


def _org(name):
    from schutznetz.accounts.demo import organisation_slug

    return Organisation.objects.filter(slug=organisation_slug(name)).first()


# (key, provider name, provider org, data)
REAL = [
    (
        "hilfetelefon",
        "Bundesamt für Familie und zivilgesellschaftliche Aufgaben",
        None,
        {
            "name": "Hilfetelefon Gewalt gegen Frauen",
            "kinds": ["hotline"],
            "target_groups": ["frauen", "maedchen", "gefluechtete-migrantinnen", "menschen-mit-behinderung"],
            "languages": [
                "de",
                "en",
                "tr",
                "ar",
                "ru",
                "pl",
                "fa",
                "uk",
                "fr",
                "es",
                "it",
                "bg",
                "ro",
                "sq",
                "ku",
                "gsg",
            ],
            "description": "Bundesweites Hilfetelefon für Frauen, die Gewalt erleben oder erlebt haben, und für Menschen aus ihrem Umfeld. Kostenlos, anonym, rund um die Uhr, in vielen Sprachen.",
            "phone": "116 016",
            "website": "https://www.hilfetelefon.de",
            "is_24_7": True,
            "anonymous": True,
            "appointment": "ohne",
            "serves_everywhere": True,
            "sign_language": True,
            "easy_language": True,
            "city": "bundesweit",
        },
    ),
    (
        "hilfe-telefon-missbrauch",
        "Unabhängige Beauftragte für Fragen des sexuellen Kindesmissbrauchs",
        None,
        {
            "name": "Hilfe-Telefon Sexueller Missbrauch",
            "kinds": ["hotline", "kinderschutz"],
            "target_groups": ["kinder-und-jugendliche", "frauen", "maenner"],
            "languages": ["de"],
            "description": "Bundesweite, kostenfreie und anonyme Anlaufstelle für Betroffene von sexueller Gewalt, für Angehörige und Fachkräfte.",
            "phone": "0800 22 55 530",
            "website": "https://www.hilfe-telefon-missbrauch.online",
            "is_24_7": False,
            "anonymous": True,
            "appointment": "ohne",
            "serves_everywhere": True,
            "city": "bundesweit",
            "opening_hours_text": "Sprechzeiten siehe Website (Angabe zu prüfen)",
        },
    ),
    (
        "weisser-ring",
        "WEISSER RING e. V.",
        None,
        {
            "name": "Weisser Ring – Opfer-Telefon",
            "kinds": ["opferhilfe", "hotline"],
            "target_groups": ["frauen", "maenner", "aeltere"],
            "languages": ["de"],
            "description": "Bundesweites Opfer-Telefon des WEISSER RING für Kriminalitätsopfer: zuhören, informieren, an Hilfe vor Ort vermitteln.",
            "phone": "116 006",
            "website": "https://weisser-ring.de",
            "anonymous": True,
            "appointment": "ohne",
            "serves_everywhere": True,
            "city": "bundesweit",
            "opening_hours_text": "täglich 7–22 Uhr",
        },
    ),
    (
        "nummer-gegen-kummer",
        "Nummer gegen Kummer e. V.",
        None,
        {
            "name": "Kinder- und Jugendtelefon (Nummer gegen Kummer)",
            "kinds": ["hotline", "kinderschutz"],
            "target_groups": ["kinder-und-jugendliche", "maedchen", "jungen"],
            "languages": ["de"],
            "description": "Anonyme und kostenlose Beratung am Telefon für Kinder und Jugendliche.",
            "phone": "116 111",
            "website": "https://www.nummergegenkummer.de",
            "anonymous": True,
            "appointment": "ohne",
            "serves_everywhere": True,
            "city": "bundesweit",
            "opening_hours_text": "Montag bis Samstag 14–20 Uhr (Angabe zu prüfen)",
        },
    ),
    (
        "polizei-soest",
        "Kreispolizeibehörde Soest",
        "Kreispolizeibehörde Soest",
        {
            "name": "Polizei im Kreis Soest – Notruf",
            "kinds": ["polizei"],
            "target_groups": ["frauen", "maenner", "kinder-und-jugendliche"],
            "languages": ["de"],
            "description": "Bei Gefahr: Notruf 110. Die Polizei kann die gewalttätige Person aus der Wohnung verweisen und ein Rückkehrverbot aussprechen (Wohnungsverweisung).",
            "phone": "110",
            "website": "https://soest.polizei.nrw",
            "is_24_7": True,
            "appointment": "ohne",
            "municipality": "soest",
            "service_area": ["*"],
        },
    ),
    (
        "frauenberatung-soest",
        "Frauenberatung Soest",
        "Frauenberatung Soest",
        {
            "name": "Frauenberatung Soest",
            "kinds": ["frauenberatung", "interventionsstelle-proaktive-beratung"],
            "target_groups": ["frauen", "maedchen"],
            "languages": ["de"],
            "description": "Beratung für Frauen bei häuslicher und sexualisierter Gewalt, Trennung und Krisen; proaktive Beratung nach Polizeieinsätzen. Kontaktdaten und Sprechzeiten: Angabe zu prüfen.",
            "phone": "116 016",
            "phone_description": TO_VERIFY,
            "municipality": "soest",
            "service_area": ["*"],
            "anonymous": True,
            "appointment": "moeglich",
        },
    ),
    (
        "frauenhaus-soest",
        "Frauenhaus Soest",
        "Frauenhaus Soest",
        {
            "name": "Frauenhaus Soest",
            "kinds": ["frauenhaus"],
            "target_groups": ["frauen", "kinder-und-jugendliche"],
            "languages": ["de"],
            "description": "Schutz und Unterkunft für Frauen und ihre Kinder, die vor Gewalt fliehen. Die Adresse ist geschützt; Aufnahme nach telefonischer Absprache.",
            "phone": "116 016",
            "phone_description": TO_VERIFY,
            "municipality": "soest",
            "address_protected": True,
            "service_area": ["*"],
            "appointment": "ohne",
        },
    ),
    (
        "kinderschutzbund-fachberatung",
        "Kinderschutzbund Kreisverband Soest",
        "Kinderschutzbund Kreisverband Soest",
        {
            "name": "Fachberatungsstelle gegen sexualisierte Gewalt an Kindern und Jugendlichen",
            "kinds": ["fachberatung-sexualisierte-gewalt", "kinderschutz"],
            "target_groups": ["kinder-und-jugendliche", "maedchen", "jungen"],
            "languages": ["de"],
            "description": "Beratung für Kinder und Jugendliche, Eltern und Fachkräfte bei (Verdacht auf) sexualisierte Gewalt. Kontaktdaten: Angabe zu prüfen.",
            "phone": "0800 22 55 530",
            "phone_description": "Bis zur Prüfung der direkten Nummer: Hilfe-Telefon Sexueller Missbrauch.",
            "municipality": "soest",
            "service_area": ["*"],
            "anonymous": True,
        },
    ),
    (
        "jugendamt-kreis",
        "Kreis Soest",
        "Kreisjugendamt Soest",
        {
            "name": "Kreisjugendamt Soest",
            "kinds": ["jugendamt", "kinderschutz"],
            "target_groups": ["kinder-und-jugendliche"],
            "languages": ["de"],
            "description": "Zuständig für die Gemeinden ohne eigenes Jugendamt. Schutz von Kindern, Beratung von Familien. Außerhalb der Dienstzeit: Polizei 110.",
            "website": "https://www.kreis-soest.de",
            "municipality": "soest",
            "service_area": [
                "anroechte",
                "bad-sassendorf",
                "ense",
                "erwitte",
                "geseke",
                "lippetal",
                "moehnesee",
                "ruethen",
                "welver",
                "werl",
                "wickede-ruhr",
            ],
        },
    ),
    (
        "jugendamt-lippstadt",
        "Stadt Lippstadt",
        "Jugendamt der Stadt Lippstadt",
        {
            "name": "Jugendamt der Stadt Lippstadt",
            "kinds": ["jugendamt", "kinderschutz"],
            "target_groups": ["kinder-und-jugendliche"],
            "languages": ["de"],
            "description": "Schutz von Kindern und Beratung von Familien in Lippstadt.",
            "website": "https://www.lippstadt.de",
            "municipality": "lippstadt",
        },
    ),
    (
        "jugendamt-soest",
        "Stadt Soest",
        "Jugendamt der Stadt Soest",
        {
            "name": "Jugendamt der Stadt Soest",
            "kinds": ["jugendamt", "kinderschutz"],
            "target_groups": ["kinder-und-jugendliche"],
            "languages": ["de"],
            "description": "Schutz von Kindern und Beratung von Familien in Soest.",
            "website": "https://www.soest.de",
            "municipality": "soest",
        },
    ),
    (
        "jugendamt-warstein",
        "Stadt Warstein",
        "Jugendamt der Stadt Warstein",
        {
            "name": "Jugendamt der Stadt Warstein",
            "kinds": ["jugendamt", "kinderschutz"],
            "target_groups": ["kinder-und-jugendliche"],
            "languages": ["de"],
            "description": "Schutz von Kindern und Beratung von Familien in Warstein.",
            "website": "https://www.warstein.de",
            "municipality": "warstein",
        },
    ),
]

# Fictional offers: (key, municipality, name, kinds, targets, languages, extra)
F = "fictional"
FICTIONAL = [
    (
        "lichtblick",
        "lippstadt",
        "Lichtblick – Beratung nach sexualisierter Gewalt",
        ["fachberatung-sexualisierte-gewalt"],
        ["frauen", "maedchen", "gefluechtete-migrantinnen"],
        ["de", "tr", "en"],
        {
            "description": "Vertrauliche Beratung für Frauen und Mädchen nach sexualisierter Gewalt, auch auf Türkisch und Englisch. Begleitung zu Polizei, Ärztin und Gericht.",
            "anonymous": True,
            "step_free": True,
            "opening_hours": [(0, "09:00", "13:00"), (2, "14:00", "18:00"), (3, "09:00", "13:00")],
        },
    ),
    (
        "lippstadt-frauenberatung",
        "lippstadt",
        "Frauenberatung Lippe-Aue",
        ["frauenberatung"],
        ["frauen"],
        ["de", "ar"],
        {"opening_hours": [(0, "09:00", "12:00"), (1, "09:00", "12:00"), (3, "15:00", "18:00")]},
    ),
    (
        "lippstadt-taeter",
        "lippstadt",
        "Täterarbeit Hellweg – Verantwortung übernehmen",
        ["taeterarbeit"],
        ["maenner"],
        ["de", "en"],
        {
            "appointment": "erforderlich",
            "fees_description": "Kostenbeitrag nach Einkommen",
            "free_of_charge": False,
        },
    ),
    (
        "soest-recht",
        "soest",
        "Rechtsberatung für Gewaltbetroffene Soest",
        ["rechtsberatung"],
        ["frauen", "maenner"],
        ["de", "en"],
        {"appointment": "erforderlich", "fees_description": "Erstberatung kostenlos"},
    ),
    (
        "soest-therapie",
        "soest",
        "Traumaambulanz Börde",
        ["therapie"],
        ["frauen", "kinder-und-jugendliche"],
        ["de", "ru"],
        {"appointment": "erforderlich", "step_free": True},
    ),
    (
        "soest-ambulanz",
        "soest",
        "Gewaltschutzambulanz Soest – vertrauliche Spurensicherung",
        ["gewaltschutzambulanz-spurensicherung"],
        ["frauen", "maenner", "kinder-und-jugendliche"],
        ["de", "en"],
        {"is_24_7": True, "appointment": "ohne", "step_free": True},
    ),
    (
        "werl-beratung",
        "werl",
        "Frauen- und Mädchenberatung Werl",
        ["frauenberatung"],
        ["frauen", "maedchen", "gefluechtete-migrantinnen"],
        ["de", "ar", "tr"],
        {"opening_hours": [(1, "10:00", "16:00"), (3, "10:00", "16:00")]},
    ),
    (
        "werl-migration",
        "werl",
        "Interkulturelle Opferhilfe Werl",
        ["opferhilfe"],
        ["gefluechtete-migrantinnen"],
        ["de", "ar", "fa", "uk"],
        {},
    ),
    (
        "warstein-beratung",
        "warstein",
        "Beratungsstelle Arnsberger Wald",
        ["frauenberatung", "interventionsstelle-proaktive-beratung"],
        ["frauen"],
        ["de"],
        {"easy_language": True},
    ),
    (
        "warstein-schutzhaus",
        "warstein",
        "Schutzhaus Sauerland-Rand",
        ["frauenhaus"],
        ["frauen", "kinder-und-jugendliche"],
        ["de", "en", "tr"],
        {"family_places": 6, "address_protected": True, "service_area": ["*"]},
    ),
    (
        "geseke-kinder",
        "geseke",
        "Kinder- und Jugendberatung Geseke",
        ["kinderschutz"],
        ["kinder-und-jugendliche", "maedchen", "jungen"],
        ["de", "tr"],
        {"opening_hours": [(0, "14:00", "18:00"), (2, "14:00", "18:00")]},
    ),
    (
        "erwitte-senioren",
        "erwitte",
        "Beratung bei Gewalt im Alter Erwitte",
        ["opferhilfe"],
        ["aeltere"],
        ["de"],
        {"step_free": True},
    ),
    (
        "anroechte-familie",
        "anroechte",
        "Familienberatung Anröchte",
        ["kinderschutz"],
        ["kinder-und-jugendliche"],
        ["de"],
        {},
    ),
    (
        "bad-sassendorf-lsbtiq",
        "bad-sassendorf",
        "Queere Beratung Börde",
        ["opferhilfe"],
        ["lsbtiq"],
        ["de", "en"],
        {"anonymous": True},
    ),
    (
        "ense-sprechstunde",
        "ense",
        "Sprechstunde Gewaltschutz Ense",
        ["interventionsstelle-proaktive-beratung"],
        ["frauen"],
        ["de"],
        {},
    ),
    (
        "lippetal-kinder",
        "lippetal",
        "Kinderschutz-Sprechstunde Lippetal",
        ["kinderschutz"],
        ["kinder-und-jugendliche"],
        ["de"],
        {},
    ),
    (
        "moehnesee-beratung",
        "moehnesee",
        "Frauenberatung am See",
        ["frauenberatung"],
        ["frauen", "menschen-mit-behinderung"],
        ["de"],
        {"sign_language": True, "step_free": True},
    ),
    (
        "ruethen-familie",
        "ruethen",
        "Familien- und Gewaltberatung Rüthen",
        ["frauenberatung", "kinderschutz"],
        ["frauen", "kinder-und-jugendliche"],
        ["de"],
        {},
    ),
    ("welver-maenner", "welver", "Männerberatung Welver", ["opferhilfe"], ["maenner"], ["de"], {}),
    (
        "wickede-jugend",
        "wickede-ruhr",
        "Jugendberatung Wickede (Ruhr)",
        ["kinderschutz"],
        ["kinder-und-jugendliche", "jungen", "maedchen"],
        ["de", "en"],
        {},
    ),
    (
        "geseke-behinderung",
        "geseke",
        "Beratung für Frauen mit Behinderung",
        ["frauenberatung"],
        ["menschen-mit-behinderung", "frauen"],
        ["de"],
        {"easy_language": True, "sign_language": True, "step_free": True},
    ),
]


def _ensure_provider(key, name, org_name=None, fictional=False):
    provider = Provider.objects.filter(hsds_id=_id(f"provider/{key}")).first()
    if provider is None:
        provider = services.save_provider(
            None,
            name=name,
            description=("Fiktiver Träger (Beispieldaten)" if fictional else name),
            website="https://example.org/" if fictional else "",
            organisation=_org(org_name) if org_name else None,
            hsds_id=_id(f"provider/{key}"),
        )
    return provider


def _data(data):
    data = dict(data)
    area = data.pop("service_area", [])
    data["serves_everywhere"] = data.get("serves_everywhere", False) or "*" in area
    data["service_area"] = [a for a in area if a != "*"]
    hours = data.pop("opening_hours", [])
    data["schedules"] = [list(h) for h in hours]
    return data


def load(stdout):
    created = 0
    for key, provider_name, org_name, data in REAL:
        if Offer.objects.filter(hsds_id=_id(key)).exists():
            continue
        provider = _ensure_provider(key, provider_name, org_name)
        offer = services.create_offer(None, provider, _data(data), hsds_id=_id(key))
        offer.verified_at = None  # details to be verified by the provider
        offer.save(update_fields=["verified_at"])
        created += 1
    for key, municipality, name, kinds, targets, languages, extra in FICTIONAL:
        if Offer.objects.filter(hsds_id=_id(key)).exists():
            continue
        provider = _ensure_provider(key, f"{name} – Träger (fiktiv)", fictional=True)
        data = {
            "name": f"{name} (fiktiv)",
            "kinds": kinds,
            "target_groups": targets,
            "languages": languages,
            "description": "Fiktives Beispielangebot für die Demonstration.",
            "email": f"{key}@example.org",
            "website": f"https://example.org/{key}",
            "municipality": municipality,
            "street": "" if extra.get("address_protected") else "Beispielweg 1",
            "is_fictional": True,
            **extra,
        }
        services.create_offer(None, provider, _data(data), hsds_id=_id(key))
        created += 1
    # One recent report for the fictional shelter, none for the real one (grey: "bitte anrufen").
    shelter = Offer.objects.filter(hsds_id=_id("warstein-schutzhaus")).first()
    if shelter and not shelter.shelter_reports.exists():
        ShelterReport.objects.create(
            offer=shelter,
            free_places=2,
            children_allowed=True,
            child_places=3,
            languages="Deutsch, Englisch, Türkisch",
            reported_at=timezone.now() - timedelta(hours=2),
            # Since the previous report: one woman with four children, among them a son of 16.
            **{**dict.fromkeys(DECLINE_FIELDS, 0), "declined_children": 1},
        )
    stdout.write(
        f"Hilfeangebote: {created} neu angelegt ({Offer.objects.filter(is_fictional=True).count()} fiktiv)."
    )
