from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from schutznetz.core.forms import LongTextField
from schutznetz.events.models import Profession, Status
from schutznetz.events.services import retention_days

HONEYPOT_FIELD = "website"


class ParticipantDetailsForm(forms.Form):
    name = forms.CharField(label=_("Vor- und Nachname"), max_length=200)
    organisation_name = forms.CharField(
        label=_("Organisation / Dienststelle"), max_length=200, required=False
    )
    profession = forms.ChoiceField(
        label=_("Berufsfeld"), choices=Profession.choices, widget=forms.RadioSelect
    )
    accessibility_needs = LongTextField(
        label=_("Unterstützungsbedarf oder Hinweise zur Barrierefreiheit"),
        required=False,
        max_length=1000,
        rows=3,
        help_text=_("Zum Beispiel Gebärdensprachdolmetschung, rollstuhlgerechter Platz, Ernährung."),
    )
    workshops = forms.MultipleChoiceField(
        label=_("Workshops"), required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )

    def __init__(self, *args, workshops=(), **kwargs):
        super().__init__(*args, **kwargs)
        workshops = list(workshops)
        if workshops:
            choices = []
            for w in workshops:
                # Local time of the venue, as in the programme (the database holds UTC).
                starts, ends = timezone.localtime(w.starts_at), timezone.localtime(w.ends_at)
                label = f"{starts:%H:%M}–{ends:%H:%M} · {w.title}"
                if w.capacity is not None:
                    free = max(w.capacity - getattr(w, "taken", 0), 0)
                    label += " " + (
                        _("(ausgebucht)")
                        if free == 0
                        else ngettext("(%(free)d Platz frei)", "(%(free)d Plätze frei)", free)
                        % {"free": free}
                    )
                choices.append((str(w.pk), label))
            self.fields["workshops"].choices = choices
        else:
            del self.fields["workshops"]
        for name in ("name", "organisation_name"):
            self.fields[name].widget.attrs["autocomplete"] = {
                "name": "name",
                "organisation_name": "organization",
            }[name]

    def workshop_ids(self):
        return [int(pk) for pk in self.cleaned_data.get("workshops", [])]


class RegistrationForm(ParticipantDetailsForm):
    email = forms.EmailField(
        label=_("E-Mail-Adresse"),
        max_length=254,
        # Django's own German message addresses people as "du"; the site says "Sie".
        error_messages={"invalid": _("Bitte geben Sie eine gültige E-Mail-Adresse an.")},
    )
    privacy_consent = forms.BooleanField(
        label=_(
            "Ich habe die Datenschutzhinweise gelesen und bin mit der Verarbeitung meiner Angaben einverstanden."
        ),
        required=True,
        error_messages={"required": _("Bitte stimmen Sie den Datenschutzhinweisen zu.")},
    )

    field_order = ["name", "email", "organisation_name", "profession", "accessibility_needs", "workshops"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        # What the consent is given to, right under the box and announced with it.
        self.fields["privacy_consent"].help_text = _(
            "Wir verwenden Ihre Angaben nur für diese Veranstaltung (Einlass, Namensschild, "
            "Teilnahmebescheinigung, Informationen zum Ablauf). Angaben zur Barrierefreiheit sehen nur die "
            "Organisierenden. Alle Angaben werden %(days)s Tage nach der Veranstaltung gelöscht; es bleibt nur "
            "eine Zählung nach Berufsfeldern. Über Ihren persönlichen Link können Sie Ihre Anmeldung "
            "jederzeit ändern oder stornieren."
        ) % {"days": retention_days()}


class ParticipantFilterForm(forms.Form):
    q = forms.CharField(label=_("Name oder Organisation"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("alle"))] + list(Status.choices)
    )
    profession = forms.ChoiceField(
        label=_("Berufsfeld"), required=False, choices=[("", _("alle"))] + list(Profession.choices)
    )
    checked_in = forms.ChoiceField(
        label=_("Eingecheckt"),
        required=False,
        choices=[("", _("alle")), ("ja", _("eingecheckt")), ("nein", _("nicht eingecheckt"))],
    )

    def filters(self):
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "search": data.get("q", ""),
            "status": data.get("status") or None,
            "profession": data.get("profession") or None,
            "checked_in": {"ja": True, "nein": False}.get(data.get("checked_in")),
        }


class MailForm(forms.Form):
    subject = forms.CharField(label=_("Betreff"), max_length=150)
    body = LongTextField(label=_("Nachricht"), rows=8, max_length=5000)


class TicketForm(forms.Form):
    ticket = forms.CharField(
        label=_("Ticket-Code oder gescannter QR-Code"),
        max_length=300,
        help_text=_("Ein Handscanner kann direkt in dieses Feld scannen."),
    )
