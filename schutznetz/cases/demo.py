"""Demo cases with obviously invented persons, brought by different partners.

- Polizei: a high-risk case (Erika Beispielfrau), referred to the Frauenberatung under § 34a Abs. 4
  PolG NRW, with a running Rückkehrverbot, on the agenda of a conference with an action plan;
- Frauenberatung: a stalking case; the police is invited to it (e.g. for the next conference) but no
  section is shared with it, so the police sees the case's header only;
- Kreisjugendamt: a child-protection case it shares with no one, and a repeat of the police case.
Log in as the demo users to see the access rules at work. Idempotent: runs once.
"""

import datetime

from django.utils import timezone

from schutznetz.accounts.demo import demo_organisation
from schutznetz.accounts.models import User
from schutznetz.cases import services
from schutznetz.cases.models import Case, Category, DeadlineKind, LegalBasisKind, PersonRole, Section
from schutznetz.cases.municipalities import municipality_names

POLICE = "Kreispolizeibehörde Soest"
BERATUNG = "Frauenberatung Soest"
JUGENDAMT = "Kreisjugendamt Soest"


def load(stdout):
    police_user = User.objects.get(username="demo-fachkraft-polizei")
    if Case.objects.filter(created_by=police_user).exists():
        stdout.write("Demo-Fälle: bereits vorhanden.")
        return
    beratung_user = User.objects.get(username="demo-fachkraft-beratung")
    jugendamt_user = User.objects.get(username="demo-fachkraft-jugendamt")
    moderation = User.objects.get(username="demo-moderation")
    police, beratung, jugendamt = (demo_organisation(n) for n in (POLICE, BERATUNG, JUGENDAMT))
    today = timezone.localdate()
    towns = set(municipality_names())

    def town(name):
        """The demo's towns are Kreis Soest's; after ``load_region`` with another county: "not stated"."""
        return name if name in towns else ""

    erika = {"role": PersonRole.AT_RISK, "first_name": "Erika", "last_name": "Beispielfrau",
             "date_of_birth": datetime.date(1988, 1, 1), "phone": "0000 000000 (Demo)",
             "phone_safe_to_call": True, "address": "Demoweg 1, 59494 Soest (erfunden)"}  # fmt: skip
    high, _ = services.create_case(
        police_user, category=Category.HAEUSLICHE_GEWALT, municipality=town("Soest"),
        persons=[
            erika,
            {"role": PersonRole.PERPETRATOR, "first_name": "Max", "last_name": "Mustermann",
             "date_of_birth": datetime.date(1985, 5, 5)},
            {"role": PersonRole.CHILD, "first_name": "Tom", "last_name": "Testkind", "age": 4,
             "school_or_kita": "Kita Beispielhausen (erfunden)"},
        ],
    )  # fmt: skip
    services.add_deadline(
        police_user, high, kind=DeadlineKind.RETURN_BAN, ordered_on=today - datetime.timedelta(days=3)
    )
    services.add_chronology_entry(police_user, high, date=today - datetime.timedelta(days=3),
                                  text="Einsatz wegen Körperverletzung, Wohnungsverweisung und Rückkehrverbot.")  # fmt: skip
    services.record_legal_basis(police_user, high, beratung, LegalBasisKind.POLG_34A)
    services.create_referral(police_user, high, beratung, [Section.PERSONS, Section.RISK])
    services.assess_risk(police_user, high, "partnergewalt",
                         {"strangulation": True, "separation": True, "escalation": True, "victim_fear": True})  # fmt: skip
    services.record_legal_basis(
        police_user, high, jugendamt, LegalBasisKind.KKG_4,
        justification="Kind im Haushalt hat die Gewalt miterlebt.",
    )  # fmt: skip

    conference = services.create_conference(
        moderation, date=today - datetime.timedelta(days=1), location="Kreishaus Soest, Raum 1 (Demo)",
        invited_organisations=[police, beratung, jugendamt],
    )  # fmt: skip
    services.build_agenda(moderation, conference)
    item = conference.agenda_items.get(case=high)
    services.add_action(moderation, item, description="Gefährderansprache durchführen", organisation=police,
                        responsible_person="Demo-Bezirksdienst", due_date=today + datetime.timedelta(days=4))  # fmt: skip
    services.add_action(moderation, item, description="Schutzplan mit der gefährdeten Person erstellen",
                        organisation=beratung, responsible_person="Demo-Beraterin",
                        due_date=today + datetime.timedelta(days=7))  # fmt: skip
    services.add_action(moderation, item, description="Hausbesuch und Einschätzung zum Kind",
                        organisation=jugendamt, due_date=today + datetime.timedelta(days=10))  # fmt: skip
    services.record_case_outcome(moderation, item, decisions="Schutzplan und Gefährderansprache vereinbart; "
                                 "Überprüfung in vier Wochen.", next_review_date=today + datetime.timedelta(days=27))  # fmt: skip

    stalking, _ = services.create_case(
        beratung_user, category=Category.STALKING, municipality=town("Lippstadt"),
        persons=[{"role": PersonRole.AT_RISK, "first_name": "Mia", "last_name": "Musterfrau",
                  "date_of_birth": datetime.date(1995, 2, 2)}],
    )  # fmt: skip
    services.invite_organisation(beratung_user, stalking, police)
    services.create_case(
        jugendamt_user, category=Category.KINDESWOHL, municipality=town("Werl"),
        persons=[{"role": PersonRole.CHILD, "first_name": "Lena", "last_name": "Probekind", "age": 7,
                  "school_or_kita": "Grundschule Demohausen (erfunden)"}],
    )  # fmt: skip
    # A repeat: the Kreisjugendamt brings a new incident for Erika Beispielfrau (spelt differently).
    services.create_case(
        jugendamt_user, category=Category.HAEUSLICHE_GEWALT, municipality=town("Soest"),
        persons=[{"role": PersonRole.AT_RISK, "first_name": "ERIKA", "last_name": "beispielfrau",
                  "date_of_birth": datetime.date(1988, 1, 1)}],
    )  # fmt: skip
    stdout.write(
        "Demo-Fälle: 4 Fälle, 1 Fallkonferenz mit Maßnahmenplan, 1 Wiederholungsfall, 1 Rückkehrverbot."
    )
