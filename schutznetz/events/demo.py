"""Demo: the Fachtag „Sexualisierte Gewalt – Interdisziplinäre Zusammenarbeit als gesellschaftliche Herausforderung“.

Idempotent: the event is keyed by its slug; an existing one is left as it is.
Speakers and participants are fictional.
"""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from schutznetz.accounts.demo import demo_organisation
from schutznetz.core.services import record_audit
from schutznetz.events import services
from schutznetz.events.models import Event, ItemKind, ProgrammeItem, Speaker

SLUG = "fachtag-sexualisierte-gewalt"

SPEAKERS = {
    "haller": (
        "Dr. Miriam Haller (Demo)",
        "Kriminologisches Forschungsinstitut",
        "Kriminologin; forscht zu Hell- und Dunkelfeld sexualisierter Gewalt.",
    ),
    "okonkwo": (
        "Prof. Dr. Daniel Okonkwo (Demo)",
        "Fachhochschule Südwestfalen",
        "Professor für Soziale Arbeit mit Schwerpunkt Kinderschutz.",
    ),
    "brandt": (
        "Katrin Brandt (Demo)",
        "Frauenberatung Soest",
        "Diplom-Sozialpädagogin, Beraterin für von Gewalt betroffene Frauen und Mädchen.",
    ),
    "yilmaz": (
        "Dr. Selin Yilmaz (Demo)",
        "Institut für Rechtsmedizin",
        "Fachärztin für Rechtsmedizin; baut die vertrauliche Spurensicherung mit auf.",
    ),
    "kessler": (
        "KHK Thomas Kessler (Demo)",
        "Kreispolizeibehörde Soest",
        "Kriminalhauptkommissar, Kommissariat für Sexualdelikte.",
    ),
    "winter": (
        "Anna Winter (Demo)",
        "Kreisjugendamt Soest",
        "Insoweit erfahrene Fachkraft nach § 8a SGB VIII.",
    ),
    "roth": (
        "Richterin Julia Roth (Demo)",
        "Amtsgericht Soest – Familiengericht",
        "Familienrichterin; Schwerpunkt Kindschaftssachen und Gewaltschutz.",
    ),
}

# (start, end, kind, title, room, capacity, speakers, description)
PROGRAMME = [
    (
        "09:00",
        "09:30",
        ItemKind.OTHER,
        "Ankommen, Begrüßung und Einführung",
        "Audimax",
        None,
        [],
        "Begrüßung durch die Kreiskooperationsrunde Häusliche Gewalt und Kinderschutz.",
    ),
    (
        "09:30",
        "10:15",
        ItemKind.TALK,
        "Fakten: Sexualisierte Gewalt in Hell- und Dunkelfeld",
        "Audimax",
        None,
        ["haller"],
        "Was wir über Ausmaß, Täterstrategien und Anzeigeverhalten wissen.",
    ),
    (
        "10:15",
        "11:00",
        ItemKind.TALK,
        "Folgen: Trauma, Gesundheit und Teilhabe betroffener Kinder und Erwachsener",
        "Audimax",
        None,
        ["okonkwo"],
        "Kurz- und langfristige Folgen und was Betroffenen hilft.",
    ),
    ("11:00", "11:15", ItemKind.BREAK, "Kaffeepause", "Foyer", None, [], ""),
    (
        "11:15",
        "12:30",
        ItemKind.PANEL,
        "Hilfe: Interdisziplinäre Zusammenarbeit als gesellschaftliche Herausforderung",
        "Audimax",
        None,
        ["brandt", "kessler", "winter", "roth"],
        "Polizei, Justiz, Jugendhilfe und Beratung im Gespräch: Wo gelingt Zusammenarbeit, wo hakt es?",
    ),
    ("12:30", "13:15", ItemKind.BREAK, "Mittagspause", "Mensa", None, [], ""),
    (
        "13:15",
        "14:45",
        ItemKind.WORKSHOP,
        "Workshop A: Vertrauliche Spurensicherung – Ablauf und Weitergabe",
        "Raum 2.101",
        30,
        ["yilmaz"],
        "Wie Betroffene Spuren sichern lassen können, ohne sofort Anzeige zu erstatten.",
    ),
    (
        "13:15",
        "14:45",
        ItemKind.WORKSHOP,
        "Workshop B: Gespräche mit betroffenen Kindern und Jugendlichen",
        "Raum 2.102",
        30,
        ["winter"],
        "Gesprächsführung, Grenzen und die nächsten Schritte nach § 8a SGB VIII.",
    ),
    (
        "13:15",
        "14:45",
        ItemKind.WORKSHOP,
        "Workshop C: Schutzkonzepte in Schule und Kita",
        "Raum 2.103",
        25,
        ["okonkwo"],
        "Vom Leitbild zum gelebten Schutzkonzept: Bausteine und Beispiele.",
    ),
    ("14:45", "15:00", ItemKind.BREAK, "Pause", "Foyer", None, [], ""),
    (
        "15:00",
        "15:45",
        ItemKind.TALK,
        "Wege ins Hilfesystem im Kreis Soest",
        "Audimax",
        None,
        ["brandt"],
        "Beratungsstellen, Frauenhaus, Schutzambulanz: wer hilft wann – und wie vermitteln wir gut?",
    ),
    (
        "15:45",
        "16:45",
        ItemKind.PANEL,
        "Gemeinsam handeln: Ergebnisse der Workshops und Verabredungen",
        "Audimax",
        None,
        ["haller", "yilmaz", "kessler"],
        "",
    ),
    ("16:45", "17:00", ItemKind.OTHER, "Abschluss und Ausblick", "Audimax", None, [], ""),
]

DEMO_PARTICIPANTS = [
    ("Sabine Hoffmann", "Kreisjugendamt Soest", "jugendhilfe"),
    ("Markus Schulte", "Kreispolizeibehörde Soest", "polizei"),
    ("Leonie Becker", "Frauenberatung Soest", "beratung"),
    ("Jens Wiegand", "Amtsgericht Soest", "justiz"),
    ("Fatma Demir", "Gesundheitsamt Kreis Soest", "gesundheit"),
    ("Claudia Vogt", "Grundschule am Wall (Demo)", "schule_kita"),
    ("Tobias Lange", "Jugendamt der Stadt Lippstadt", "jugendhilfe"),
    ("Petra Neumann", "Kita Regenbogen (Demo)", "schule_kita"),
]


def _event_day():
    """A Wednesday about two months ahead of the first demo load."""
    day = timezone.localdate() + timedelta(days=60)
    return day + timedelta(days=(2 - day.weekday()) % 7)


def _at(day, hhmm):
    hour, minute = map(int, hhmm.split(":"))
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def load(stdout):
    if Event.objects.filter(slug=SLUG).exists():
        stdout.write("Veranstaltungen: Demo-Fachtag besteht bereits.")
        return
    day = _event_day()
    with transaction.atomic():
        event = Event.objects.create(
            title="Sexualisierte Gewalt – Interdisziplinäre Zusammenarbeit als gesellschaftliche Herausforderung",
            slug=SLUG,
            summary="Fachtag mit Vorträgen und Diskussionen zu Fakten, Folgen und Hilfe.",
            description=(
                "Sexualisierte Gewalt betrifft Kinder, Jugendliche und Erwachsene in allen Lebensbereichen. "
                "Gute Hilfe gelingt nur, wenn Jugendhilfe, Polizei, Justiz, Gesundheitswesen, Schule und "
                "Beratung zusammenarbeiten.\n\nDer Fachtag der Kreiskooperationsrunde Häusliche Gewalt und "
                "Kinderschutz bringt Fachkräfte aus diesen Bereichen zusammen: mit Vorträgen zu Fakten und "
                "Folgen, einer Podiumsdiskussion zur Zusammenarbeit und Workshops zur Praxis. "
                "Die Teilnahme ist kostenfrei; eine Teilnahmebescheinigung für Fortbildungsnachweise wird ausgestellt."
            ),
            starts_at=_at(day, "09:00"),
            ends_at=_at(day, "17:00"),
            venue_name="Fachhochschule Südwestfalen, Standort Soest",
            venue_street="Lübecker Ring 2",
            venue_postcode="59494",
            venue_city="Soest",
            venue_accessibility=(
                "Stufenloser Zugang über den Haupteingang, Aufzug zu allen Etagen, barrierefreie Toiletten "
                "im Erdgeschoss. Bitte teilen Sie uns weiteren Bedarf (z. B. Gebärdensprachdolmetschung) bei "
                "der Anmeldung mit."
            ),
            organiser=demo_organisation("Koordinierungsstelle Kreiskooperationsrunde"),
            contact_name="Koordinierungsstelle der Kreiskooperationsrunde",
            contact_email="fachtag@schutznetz.invalid",
            audience="Fachkräfte aus Jugendhilfe, Polizei, Justiz, Gesundheitswesen, Beratung, Schule und Kita "
            "sowie Interessierte",
            capacity=150,
            registration_opens_at=timezone.now() - timedelta(days=1),
            registration_closes_at=_at(day - timedelta(days=3), "23:59"),
            is_published=True,
        )
        speakers = {
            key: Speaker.objects.create(event=event, name=name, affiliation=aff, bio=bio)
            for key, (name, aff, bio) in SPEAKERS.items()
        }
        for start, end, kind, title, room, capacity, keys, description in PROGRAMME:
            item = ProgrammeItem.objects.create(
                event=event,
                kind=kind,
                title=title,
                room=room,
                capacity=capacity,
                description=description,
                starts_at=_at(day, start),
                ends_at=_at(day, end),
            )
            item.speakers.set([speakers[k] for k in keys])
        record_audit(None, "event.create", event, ["title", "programme", "speakers"])
    workshops = list(event.programme.filter(kind=ItemKind.WORKSHOP).order_by("pk"))
    for number, (name, organisation, profession) in enumerate(DEMO_PARTICIPANTS):
        result = services.register(
            event.pk,
            name=name,
            email=f"teilnahme{number + 1}@example.org",
            organisation_name=organisation,
            profession=profession,
            privacy_consent=True,
            workshop_ids=[workshops[number % len(workshops)].pk],
        )
        services.confirm(result.registration.pk)
    stdout.write(
        f"Veranstaltungen: Demo-Fachtag am {day:%d.%m.%Y} mit {len(DEMO_PARTICIPANTS)} Anmeldungen angelegt."
    )
