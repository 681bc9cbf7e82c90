"""The German interface says "Sie" everywhere, also in texts that come from third-party packages.

django-allauth and Django REST framework ship German catalogues that say "du" ("Bist du sicher,
dass du dich abmelden möchtest?", "Gib eine gültige E-Mail Adresse an."). DRF's even replaces
Django's neutral German in ordinary Django forms, because both use the same msgids. The project
catalogue locale/de (LOCALE_PATHS wins over app catalogues) overrides every such entry.

After an upgrade of either package, ``test_no_third_party_text_is_informal`` names each new
informal entry; add a formal translation to locale/de/LC_MESSAGES/django.po and compile it.
"""

import re
from pathlib import Path

import allauth
import polib
import pytest
import rest_framework
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from rest_framework import serializers

from schutznetz.testing.factories import make_user

# Informal address: pronouns, 2nd person singular verb forms and singular imperatives.
# Case-sensitive on purpose: "Sie"/"Ihr" are formal, nouns such as "Folge" or "Versuche" are not
# imperatives.
INFORMAL = re.compile(
    r"\b(?:[Dd]u|[Dd]ich|[Dd]ir|[Dd]ein(?:e|er|em|en|es)?|[Ee]uch|[Ee]uer\w*)\b"
    r"|\b(?:[Gg]ib|[Gg]ebe|[Ss]telle sicher|[Ww]ähle|[Pp]rüfe|[Üü]berprüfe|[Bb]estätige|[Kk]licke?"
    r"|[Mm]elde|[Bb]enutze|[Nn]utze|[Vv]erwende|[Ll]ade|[Ll]ass|[Hh]abe Geduld"
    r"|[Ff]olge (?:bitte|dem|den|der|diese[mnr]?)|[Kk]ontaktiere|[Vv]ersuche es|[Ee]rstelle|[Rr]ufe"
    r"|[Gg]ehe|[Ss]ieh|[Tt]rage|[Ss]canne|[Ss]peichere|[Ss]chau|[Ää]ndere|[Ll]ies|[Nn]imm|[Ss]ende"
    r"|[Ww]arte|[Aa]ktiviere|[Ee]ntferne|[Ff]üge|[Hh]ast|[Bb]ist|[Kk]annst|[Mm]usst|[Mm]öchtest"
    r"|[Ww]illst|[Ss]ollst|[Ee]rhältst|[Ss]iehst)\b"
)

THIRD_PARTY_CATALOGUES = {
    "django-allauth": Path(allauth.__file__).parent / "locale/de/LC_MESSAGES/django.mo",
    "djangorestframework": Path(rest_framework.__file__).parent / "locale/de/LC_MESSAGES/django.mo",
}
PROJECT_CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "de/LC_MESSAGES/django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w+(?::[^}]*)?\}|</?\w[^>]*>|\n")


def _translations(entry):
    """What the German interface shows for a catalogue entry (every plural form)."""
    if entry.msgid_plural:
        if entry.msgctxt:
            return [
                translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n) for n in (1, 2, 5)
            ]
        return [translation.ngettext(entry.msgid, entry.msgid_plural, n) for n in (1, 2, 5)]
    if entry.msgctxt:
        return [translation.pgettext(entry.msgctxt, entry.msgid)]
    return [translation.gettext(entry.msgid)]


def _visible_text(html):
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize(
    "text",
    [
        "Bist du sicher, dass du dich abmelden möchtest?",
        "Bitte habe Geduld, du sendest zu viele Anfragen.",
        "Gib eine gültige E-Mail Adresse an.",
        "Stelle sicher, dass dieses Feld nicht mehr als {max_length} Zeichen lang ist.",
        "Bitte wähle nur eine aus.",
        "Bitte kontaktiere uns, wenn das Zurücksetzen des Passworts nicht klappt.",
        "Zu viele gescheiterte Anmeldeversuche. Bitte versuche es später erneut.",
        "Laufzeit hat das falsche Format. Benutze stattdessen eines dieser Formate {format}.",
        "Wir haben Dir eine E-Mail geschickt.",
    ],
)
def test_the_check_recognises_informal_german(text):
    assert INFORMAL.search(text)


@pytest.mark.parametrize(
    "text",
    [
        "Möchten Sie sich wirklich abmelden?",
        "Bitte gültige E-Mail-Adresse eingeben.",
        "Zu viele Versuche. Bitte versuchen Sie es später erneut.",
        "Das hätte das Löschen abhängiger Daten zur Folge.",
        "Ich habe meine Wiederherstellungscodes gespeichert",
        "Folgende E-Mail-Adressen sind mit Ihrem Konto verknüpft:",
    ],
)
def test_the_check_accepts_formal_german(text):
    assert not INFORMAL.search(text)


def test_no_third_party_text_is_informal():
    informal = []
    checked = 0
    with translation.override("de"):
        for package, path in THIRD_PARTY_CATALOGUES.items():
            for entry in polib.mofile(str(path)):
                if not entry.msgid:
                    continue  # the header
                checked += 1
                informal += [
                    f"{package}: {entry.msgid!r} -> {text!r}"
                    for text in _translations(entry)
                    if INFORMAL.search(text)
                ]
    assert checked > 400  # both catalogues were read
    assert not informal, (
        "Informal German from a third-party catalogue; add a formal translation to "
        f"{PROJECT_CATALOGUE} and compile it:\n" + "\n".join(informal)
    )


def test_project_catalogue_is_compiled_and_keeps_every_placeholder():
    catalogue = polib.pofile(str(PROJECT_CATALOGUE))
    assert len(catalogue) > 70
    stale, broken = [], []
    with translation.override("de"):
        for entry in catalogue:
            if translation.gettext(entry.msgid) != entry.msgstr:
                stale.append(entry.msgid)
            if PLACEHOLDER.findall(entry.msgid) != PLACEHOLDER.findall(entry.msgstr):
                broken.append(entry.msgid)
    assert not stale, f"{PROJECT_CATALOGUE} is not compiled (make compilemessages): {stale[:3]}"
    assert not broken, f"placeholders, tags or line breaks differ from the msgid: {broken}"


# allauth's msgid, in a variable so that makemessages does not take it into our English catalogue.
LOGOUT_QUESTION = "Are you sure you want to sign out?"


def test_logout_question_is_formal():
    with translation.override("de"):
        assert translation.gettext(LOGOUT_QUESTION) == ("Möchten Sie sich wirklich abmelden?")


def test_django_form_email_error_is_djangos_neutral_german():
    # DRF's catalogue would say "Gib eine gültige E-Mail Adresse an." here.
    with translation.override("de"), pytest.raises(ValidationError) as error:
        forms.EmailField().clean("keine-adresse")
    assert error.value.messages == ["Bitte gültige E-Mail-Adresse eingeben."]


def test_drf_max_length_error_is_formal():
    with translation.override("de"), pytest.raises(serializers.ValidationError) as error:
        serializers.CharField(max_length=5).run_validation("sechs!")
    assert [str(message) for message in error.value.detail] == [
        "Bitte sicherstellen, dass der Wert aus höchstens 5 Zeichen besteht."
    ]


@pytest.mark.django_db
def test_logout_page_speaks_formally(client):
    user = make_user()
    client.force_login(user, backend="schutznetz.accounts.backends.SignInBackend")
    response = client.get("/konto/logout/")
    assert response.status_code == 200
    text = _visible_text(response.content.decode())
    assert "Möchten Sie sich wirklich abmelden?" in text
    assert not INFORMAL.findall(text)


@pytest.mark.django_db
def test_password_reset_page_speaks_formally(client):
    response = client.get("/konto/password/reset/")
    assert response.status_code == 200
    text = _visible_text(response.content.decode())
    assert "Geben Sie unten Ihre E-Mail-Adresse ein." in text
    assert not INFORMAL.findall(text)


@pytest.mark.django_db
def test_password_reset_mail_speaks_formally(client, mailoutbox):
    make_user(email="fachkraft@example.org")
    response = client.post("/konto/password/reset/", {"email": "fachkraft@example.org"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert "Sie erhalten diese E-Mail, weil jemand – möglicherweise Sie selbst –" in body
    assert "Vielen Dank, dass Sie" in body
    assert not INFORMAL.findall(f"{mailoutbox[0].subject}\n{body}")
