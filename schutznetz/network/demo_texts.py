"""Texts of the demo data, written for schutznetz (not copied from any published document)."""

AGREEMENT_V1 = """\
# Kooperationsvereinbarung der Kreiskooperationsrunde Häusliche Gewalt und Kinderschutz im Kreis Soest

## 1. Zweck

Frauen und Kinder, die häusliche Gewalt erleben, sollen schnell, abgestimmt und aus einer Hand Hilfe
bekommen. Die Partner verpflichten sich, ihre Aufgaben so aufeinander abzustimmen, dass Betroffene nicht
von Stelle zu Stelle verwiesen werden und Schutzlücken früh erkannt werden.

## 2. Partner

Partner sind die Jugendämter im Kreis, die Familiengerichte, die Staatsanwaltschaft, die Kreispolizeibehörde,
das Gesundheitsamt sowie die Beratungs- und Schutzeinrichtungen, die dieser Vereinbarung beitreten. Jeder
Partner benennt eine Ansprechstelle für die Fachkräfte der anderen Partner.

## 3. Fallkonferenzen

In Hochrisikofällen kann jeder Partner eine Fallkonferenz anregen. Sie wird moderiert, dokumentiert einen
Schutzplan mit Zuständigkeiten und Fristen und überprüft ihn. Teilnehmen nur die Stellen, die für den
Schutz im Einzelfall gebraucht werden.

## 4. Datenschutz

Personenbezogene Daten werden nur ausgetauscht, soweit eine Einwilligung oder eine gesetzliche Befugnis
besteht. Es gilt der Grundsatz der Datensparsamkeit. Jeder Partner bleibt für die Daten verantwortlich,
die er selbst erhebt und weitergibt.

## 5. Vertrauliche Spurensicherung

Die Partner setzen sich dafür ein, dass Betroffene im Kreis Befunde nach Gewalt vertraulich und ohne
Anzeige gerichtsfest sichern lassen können. Die Kliniken und die Rechtsmedizin werden dabei einbezogen.

## 6. Veranstaltungen und Fortbildung

Die Partner führen regelmäßig Fachtage und Fortbildungen für ihre Fachkräfte durch und informieren die
Öffentlichkeit gemeinsam über Hilfen.

## 7. Auswertung

Die Kreiskooperationsrunde wertet ihre Zusammenarbeit jährlich aus und passt diese Vereinbarung bei
Bedarf an. Änderungen werden von allen Partnern bestätigt.
"""

AGREEMENT_V2_CHANGES = [
    (
        "Jeder\nPartner benennt eine Ansprechstelle für die Fachkräfte der anderen Partner.",
        "Jeder\nPartner benennt eine Ansprechstelle für die Fachkräfte der anderen Partner und hält sie aktuell.",
    ),
    (
        "Es gilt der Grundsatz der Datensparsamkeit.",
        "Es gilt der Grundsatz der Datensparsamkeit. Die gemeinsame Plattform schutznetz\n"
        "verschlüsselt Angaben zu Personen und protokolliert jeden Zugriff.",
    ),
    (
        "## 7. Auswertung",
        "## 7. Prävention\n\nDie Partner entwickeln gemeinsam Angebote zur Prävention, besonders für Schulen und Kitas.\n\n"
        "## 8. Auswertung",
    ),
]

PRESS_RELEASE_TITLE = "Kooperationsvereinbarung unterzeichnet: gemeinsam gegen häusliche Gewalt"
PRESS_RELEASE_LEAD = (
    "Die Partner der Kreiskooperationsrunde Häusliche Gewalt und Kinderschutz haben ihre Zusammenarbeit "
    "in einer schriftlichen Vereinbarung festgehalten. Anschließend kamen Fachkräfte aus dem ganzen Kreis "
    "zu einem Fachtag zusammen."
)
PRESS_RELEASE_BODY = """\
Jugendämter, Familiengerichte, Staatsanwaltschaft, Polizei, Gesundheitsamt und die Frauenberatung im
Kreis Soest arbeiten schon lange zusammen, wenn Frauen und Kinder Gewalt in der Familie erleben. Mit der
**Kooperationsvereinbarung**, die die Partner am 2. November 2023 unterzeichnet haben, ist diese
Zusammenarbeit nun verbindlich geregelt.

Die Vereinbarung legt fest, wie die Partner in Hochrisikofällen gemeinsame **Fallkonferenzen** durchführen,
wie sie dabei den Datenschutz wahren und wer wofür Ansprechstelle ist. Ziel ist, dass Betroffene schneller
und „aus einer Hand“ Hilfe bekommen und nicht von Stelle zu Stelle gehen müssen.

Ein weiteres Anliegen des Netzwerks ist die **vertrauliche Spurensicherung**: Betroffene sollen Verletzungen
nach einer Gewalttat gerichtsfest dokumentieren lassen können, auch wenn sie (noch) keine Anzeige erstatten
möchten.

Im Anschluss an die Unterzeichnung fand ein **Fachtag** für Fachkräfte der beteiligten Stellen statt. In
Vorträgen und Arbeitsgruppen ging es um das Erkennen von Gefährdungen, um die Rechte von Kindern, die
häusliche Gewalt miterleben, und um die Wege zwischen den Institutionen.

Das Netzwerk will außerdem die Prävention stärken und bestehende Netzwerke im Kreis miteinander verbinden.
Über seine Arbeit informiert es regelmäßig hier unter „Aktuelles“.

Wer Gewalt erlebt, findet Hilfe rund um die Uhr beim Hilfetelefon Gewalt gegen Frauen unter 116 016 und in
akuter Gefahr beim Polizeinotruf 110.
"""
PRESS_CONTACT = (
    "Koordinierungsstelle der Kreiskooperationsrunde\nPressestelle (Demo): presse@schutznetz.invalid"
)

MINUTES = """\
## TOP 1: Rückblick auf den Fachtag

Die Rückmeldungen der Teilnehmenden waren überwiegend positiv. Gewünscht wurden mehr Zeit für den
Austausch in Kleingruppen und ein Fachtag im Folgejahr.

## TOP 2: Vertrauliche Spurensicherung

Die Kliniken berichten über den Stand der Vorbereitung. Offen sind die Lagerung der Befunde und die
Finanzierung der Untersuchungssets.

## TOP 3: Verschiedenes

Die Koordinierungsstelle stellt die Plattform schutznetz vor.
"""
