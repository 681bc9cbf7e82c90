"""Demo data of the network: partner profiles, agreement (version 1 in force, version 2 as draft),
a meeting with minutes and tasks, the press release of 2 November 2023, materials, a working group.

Idempotent: every object is looked up by a natural key before it is created.
"""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from schutznetz.accounts.demo import PARTNERS, demo_organisation
from schutznetz.accounts.models import OrganisationKind
from schutznetz.core.pdf import render_pdf
from schutznetz.network import demo_texts, services
from schutznetz.network.models import (
    Accession,
    AgreementVersion,
    Material,
    Meeting,
    NewsItem,
    PartnerProfile,
    WorkingGroup,
)

SIGNED_ON = datetime.date(2023, 11, 2)
K = OrganisationKind

CONTRIBUTIONS = {
    K.JUGENDAMT: (
        "Schutzauftrag für Kinder, Hilfen zur Erziehung, Beratung von Eltern",
        "Allgemeiner Sozialer Dienst",
        "Leitung des Jugendamts",
    ),
    K.FAMILIENGERICHT: (
        "Schutzanordnungen nach dem Gewaltschutzgesetz, Verfahren zum Kindeswohl",
        "Geschäftsstelle Familiensachen",
        "Direktorin/Direktor des Amtsgerichts",
    ),
    K.STAATSANWALTSCHAFT: (
        "Strafverfolgung, Sonderdezernat häusliche Gewalt",
        "Sonderdezernat häusliche Gewalt",
        "Leitende Oberstaatsanwältin/Leitender Oberstaatsanwalt",
    ),
    K.POLIZEI: (
        "Gefahrenabwehr, Wohnungsverweisung, Opferschutz",
        "Opferschutzbeauftragte",
        "Leitung der Kreispolizeibehörde",
    ),
    K.GESUNDHEITSAMT: (
        "Gesundheitliche Beratung, Vernetzung mit Kliniken und Praxen",
        "Sozialpsychiatrischer Dienst",
        "Amtsleitung",
    ),
    K.BERATUNGSSTELLE: (
        "Beratung und Begleitung von Frauen, proaktive Beratung nach Polizeieinsatz",
        "Beratungsteam",
        "Geschäftsführung",
    ),
    K.FRAUENHAUS: ("Schutz und Unterkunft für Frauen und ihre Kinder", "Aufnahme", "Geschäftsführung"),
    K.KINDERSCHUTZ: ("Beratung für Kinder und Familien, Prävention", "Kinderschutz-Beratung", "Vorstand"),
    K.KOORDINATION: (
        "Koordination des Netzwerks, Geschäftsstelle der Kreiskooperationsrunde",
        "Koordinierungsstelle",
        "Leitung der Koordinierungsstelle",
    ),
}

# Fictional people: the demo names nobody real.
SIGNATORY_NAMES = [
    "Anna Beispiel",
    "Jonas Muster",
    "Petra Probe",
    "Karl Exempel",
    "Sabine Vorlage",
    "Thomas Platzhalter",
    "Miriam Entwurf",
    "Lukas Testfall",
    "Ines Schablone",
    "Frank Modell",
    "Helga Skizze",
    "Ole Attrappe",
    "Greta Vorbild",
    "Paul Muster",
    "Ruth Beispiel",
]


def _signing_partners():
    return [demo_organisation(name) for name, kind, _m in PARTNERS if kind in CONTRIBUTIONS]


def _profiles():
    for name, kind, _m in PARTNERS:
        organisation = demo_organisation(name)
        if PartnerProfile.objects.filter(organisation=organisation).exists():
            continue
        contribution, contact, _function = CONTRIBUTIONS.get(
            kind,
            ("Mitwirkung im Programm vertrauliche Spurensicherung", "Ansprechstelle Spurensicherung", ""),
        )
        services.save_partner_profile(
            None,
            organisation,
            contribution=contribution,
            contact_label=contact,
            contact_email=f"netzwerk@{organisation.slug}.invalid",
            is_public=True,
        )


def _agreement():
    v1 = AgreementVersion.objects.filter(number=1).first()
    if v1 is None:
        v1 = services.create_version(
            None,
            title="Kooperationsvereinbarung Häusliche Gewalt und Kinderschutz",
            body=demo_texts.AGREEMENT_V1,
            change_summary="Erste Fassung.",
        )
        v1 = services.publish_version(None, v1, effective_on=SIGNED_ON)
    for index, organisation in enumerate(_signing_partners()):
        if Accession.objects.filter(organisation=organisation).exists():
            continue
        function = CONTRIBUTIONS[organisation.kind][2]
        services.record_accession(
            None,
            organisation,
            v1,
            signatory_name=SIGNATORY_NAMES[index % len(SIGNATORY_NAMES)],
            signatory_function=function,
            signed_on=SIGNED_ON,
        )
    if not AgreementVersion.objects.filter(number=2).exists():
        body = demo_texts.AGREEMENT_V1
        for old, new in demo_texts.AGREEMENT_V2_CHANGES:
            body = body.replace(old, new)
        services.create_version(
            None,
            title=v1.title,
            body=body,
            change_summary="Prävention als eigener Abschnitt; Datenschutz der gemeinsamen Plattform beschrieben.",
        )
    return v1


def _working_group():
    group = WorkingGroup.objects.filter(slug="ak-vertrauliche-spurensicherung").first()
    if group is None:
        group = services.save_working_group(
            None,
            name="AK Vertrauliche Spurensicherung",
            description="Bereitet die vertrauliche Spurensicherung im Kreis vor: Abläufe, Lagerung, Finanzierung.",
            lead_organisation=demo_organisation("Gesundheitsamt Kreis Soest"),
            organisations=[
                demo_organisation("Gesundheitsamt Kreis Soest"),
                demo_organisation("Frauenberatung Soest"),
                demo_organisation("Klinikum Soest (Demo)"),
                demo_organisation("Dreifaltigkeits-Hospital Lippstadt (Demo)"),
                demo_organisation("Institut für Rechtsmedizin (Demo)"),
                demo_organisation("Kreispolizeibehörde Soest"),
            ],
        )
    return group


def _at(date, hour):
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time(hour, 0)))


def _meetings():
    title = "Kreiskooperationsrunde – Sitzung Frühjahr 2024"
    if Meeting.objects.filter(title=title).exists():
        return
    day = datetime.date(2024, 3, 12)
    meeting = services.save_meeting(
        None,
        title=title,
        working_group=None,
        starts_at=_at(day, 14),
        ends_at=_at(day, 16),
        location="Kreishaus Soest, Sitzungsraum (Demo)",
        invitation_text="Herzliche Einladung zur Sitzung der Kreiskooperationsrunde.",
    )
    items = [
        services.add_agenda_item(None, meeting, title=t)
        for t in ("Rückblick auf den Fachtag", "Vertrauliche Spurensicherung", "Verschiedenes")
    ]
    for index, attendance in enumerate(meeting.attendances.select_related("organisation")):
        status = "absent" if index % 5 == 4 else "present"
        services.set_attendance(None, meeting, attendance.organisation, status=status)
    services.save_minutes(None, meeting, minutes=demo_texts.MINUTES)
    services.add_decision(
        None, meeting, text="Im kommenden Jahr findet wieder ein Fachtag statt.", agenda_item=items[0]
    )
    services.add_decision(
        None,
        meeting,
        text="Ein Arbeitskreis Vertrauliche Spurensicherung wird eingerichtet.",
        agenda_item=items[1],
    )
    koordination = demo_organisation("Koordinierungsstelle Kreiskooperationsrunde")
    done = services.add_task(
        None,
        meeting,
        title="Termin für den nächsten Fachtag abstimmen",
        owner=koordination,
        due_on=datetime.date(2024, 5, 31),
        agenda_item=items[0],
    )
    services.set_task_status(None, done, "done")
    services.add_task(
        None,
        meeting,
        title="Finanzierung der Untersuchungssets klären",
        owner=demo_organisation("Gesundheitsamt Kreis Soest"),
        due_on=datetime.date(2024, 9, 30),
        agenda_item=items[1],
    )
    services.add_task(
        None,
        meeting,
        title="Faltblatt zur Gewaltschutzanordnung aktualisieren",
        owner=demo_organisation("Amtsgericht Soest – Familiengericht"),
        due_on=datetime.date(2024, 6, 30),
        agenda_item=items[2],
    )
    services.finalise_minutes(None, meeting)

    upcoming = timezone.localdate() + datetime.timedelta(days=30)
    next_meeting = services.save_meeting(
        None,
        title="Kreiskooperationsrunde – nächste Sitzung",
        working_group=None,
        starts_at=_at(upcoming, 14),
        ends_at=_at(upcoming, 16),
        location="Kreishaus Soest, Sitzungsraum (Demo)",
    )
    services.add_agenda_item(None, next_meeting, title="Fassung 2 der Kooperationsvereinbarung")
    services.add_agenda_item(None, next_meeting, title="Bericht aus dem AK Vertrauliche Spurensicherung")


def demo_photo_bytes():
    """A generated picture (no download): two figures signing at a table, abstract shapes."""
    image = Image.new("RGB", (1600, 900), (232, 240, 247))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 620, 1600, 900], fill=(180, 196, 212))
    draw.rectangle([300, 520, 1300, 600], fill=(120, 86, 60))
    for x, colour in ((520, (11, 95, 255)), (1080, (179, 89, 0))):
        draw.ellipse([x - 60, 240, x + 60, 360], fill=colour)
        draw.rectangle([x - 90, 370, x + 90, 520], fill=colour)
    draw.rectangle([720, 500, 880, 520], fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def _news():
    slug = "kooperationsvereinbarung-unterzeichnet"
    if NewsItem.objects.filter(slug=slug).exists():
        return
    news = services.save_news(
        None,
        title=demo_texts.PRESS_RELEASE_TITLE,
        lead=demo_texts.PRESS_RELEASE_LEAD,
        body=demo_texts.PRESS_RELEASE_BODY,
        press_contact=demo_texts.PRESS_CONTACT,
        published_on=SIGNED_ON,
    )
    if news.slug != slug:
        news.slug = slug
        news.save(update_fields=["slug"])
    services.add_photo(
        None,
        news,
        SimpleUploadedFile("unterzeichnung.jpg", demo_photo_bytes(), content_type="image/jpeg"),
        alt_text="Grafik: zwei stilisierte Personen an einem Tisch mit einem Dokument",
        caption="Symbolbild zur Unterzeichnung der Kooperationsvereinbarung",
        credit="Grafik: schutznetz (Demo)",
        usage_terms="Frei verwendbar für Berichte über das Netzwerk, mit Nachweis",
    )
    services.publish_news(None, news)


MATERIALS = [
    (
        "Faltblatt: Hilfe bei häuslicher Gewalt im Kreis Soest",
        "Faltblatt",
        "betroffene",
        "public",
        ["praevention"],
        "Wo Betroffene und Angehörige im Kreis Hilfe finden – rund um die Uhr und auf Wunsch anonym.",
    ),
    (
        "Leitfaden vertrauliche Spurensicherung",
        "Leitfaden",
        "gesundheit",
        "public",
        ["spurensicherung", "sexualisierte-gewalt"],
        "Ablauf der vertraulichen Spurensicherung für Fachkräfte in Kliniken und Beratung.",
    ),
    (
        "Checkliste Gefährdungseinschätzung Kinderschutz",
        "Checkliste",
        "fachkraefte",
        "internal",
        ["kinderschutz"],
        "Arbeitshilfe für Fachkräfte der Partner bei Hinweisen auf eine Kindeswohlgefährdung.",
    ),
]


def _materials():
    for title, kind, audience, visibility, topics, description in MATERIALS:
        if Material.objects.filter(title=title).exists():
            continue
        material = services.save_material(
            None,
            title=title,
            description=description,
            kind=kind,
            audience=audience,
            visibility=visibility,
            topics=topics,
        )
        pdf = render_pdf("network/pdf/demo_material.html", {"material": material})
        services.add_material_version(
            None,
            material,
            SimpleUploadedFile("material.pdf", pdf, content_type="application/pdf"),
            change_note="Erste Fassung (Demo)",
        )


def load(stdout):
    _profiles()
    _agreement()
    _working_group()
    _meetings()
    _news()
    _materials()
    stdout.write(
        f"Netzwerk: {PartnerProfile.objects.count()} Partnerprofile, {AgreementVersion.objects.count()} Fassungen, "
        f"{Accession.objects.count()} Beitritte, {Meeting.objects.count()} Sitzungen, {NewsItem.objects.count()} Meldungen, "
        f"{Material.objects.count()} Materialien."
    )
