"""Forms of the evidence module. None of them has a field for a name, birth date, address or finding."""

import secrets

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schutznetz.accounts.models import Organisation
from schutznetz.evidence.models import (
    EventKind,
    ExaminationKind,
    ItemCategory,
    Programme,
    RecipientKind,
    ReminderChannel,
    add_years,
)

NO_PERSONAL_DATA = _("Keine Namen, Geburtsdaten, Anschriften oder Befunde eintragen.")


def reason_field(required=False, label=None):
    return forms.CharField(
        label=label or _("Grund"),
        max_length=300,
        required=required,
        help_text=NO_PERSONAL_DATA,
        widget=forms.TextInput(attrs={"class": "kern-form-input__input", "autocomplete": "off"}),
    )


def _text(label, max_length=40, required=True, **attrs):
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=forms.TextInput(attrs={"class": "kern-form-input__input", "autocomplete": "off", **attrs}),
    )


class KernFormMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select) and not isinstance(widget, forms.RadioSelect):
                widget.attrs.setdefault("class", "kern-form-input__select")
            elif isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "kern-form-check__input")
            elif isinstance(widget, forms.RadioSelect):
                widget.attrs.setdefault("class", "kern-form-check__input")
            else:
                widget.attrs.setdefault("class", "kern-form-input__input")

    def add_service_errors(self, error):
        """Attach a service's ValidationError to the fields it names (or to the form)."""
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        else:
            self.add_error(None, error.messages)


class KitRegistrationForm(KernFormMixin, forms.Form):
    programme = forms.ModelChoiceField(label=_("Programm"), queryset=Programme.objects.none())
    examined_at = forms.DateTimeField(
        label=_("Untersuchung am"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M"],
    )
    kind = forms.ChoiceField(
        label=_("Art der Untersuchung"), choices=ExaminationKind.choices, widget=forms.RadioSelect
    )
    seal_number = _text(_("Siegelnummer"))
    declaration_signed = forms.BooleanField(label=_("Unterschriebene Erklärung liegt vor"), required=False)
    minor_under_14 = forms.BooleanField(label=_("Minderjährig unter 14"), required=False)
    unable_to_consent = forms.BooleanField(
        label=_("Zum Zeitpunkt der Untersuchung nicht einwilligungsfähig"), required=False
    )
    reminder_channel = forms.ChoiceField(
        label=_("Erinnerung vor der Vernichtung"),
        choices=ReminderChannel.choices,
        initial=ReminderChannel.NONE,
        widget=forms.RadioSelect,
        help_text=_(
            "Nur auf ausdrücklichen Wunsch und nur über einen Kanal, den die Person für sicher hält. "
            "Post oder Anrufe können die gewaltausübende Person erreichen."
        ),
    )
    reminder_contact = forms.CharField(
        label=_("E-Mail-Adresse oder Telefonnummer für die Erinnerung"),
        max_length=200,
        required=False,
        help_text=_("Wird verschlüsselt gespeichert und mit dem Set gelöscht."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    # One token per opened form: sending the same form twice (reload, back button) registers one kit.
    once = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["once"].initial = secrets.token_urlsafe(16)
        self.fields["programme"].queryset = programmes
        if programmes.count() == 1:
            self.fields["programme"].initial = programmes.first()
        self.fields["examined_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        for category, label in ItemCategory.choices:
            self.fields[f"items_{category}"] = forms.IntegerField(
                label=_("Anzahl: %(category)s") % {"category": label},
                min_value=0,
                max_value=99,
                initial=0,
                required=False,
                widget=forms.NumberInput(attrs={"class": "kern-form-input__input", "inputmode": "numeric"}),
            )

    def items(self):
        return {category: self.cleaned_data.get(f"items_{category}") or 0 for category in ItemCategory.values}

    def clean(self):
        data = super().clean()
        programme, examined_at = data.get("programme"), data.get("examined_at")
        # A mistyped year (1926 for 2026) would register a kit that is already due for destruction.
        if (
            programme
            and examined_at
            and (
                examined_at.year < 2000
                or add_years(timezone.localdate(examined_at), programme.retention_years)
                <= timezone.localdate()
            )
        ):
            self.add_error(
                "examined_at",
                _(
                    "Der Untersuchungszeitpunkt liegt zu weit zurück: die Aufbewahrungsfrist wäre schon abgelaufen."
                ),
            )
        if not any(self.items().values()) and not self.errors:
            raise forms.ValidationError(_("Bitte mindestens ein gesichertes Asservat mit Anzahl angeben."))
        return data


class CardForm(forms.Form):
    pin = forms.RegexField(regex=r"^\d{6}$", max_length=6)


class FindKitForm(KernFormMixin, forms.Form):
    code = _text(_("Code des Sets"), max_length=20, spellcheck="false")


class HandOverForm(KernFormMixin, forms.Form):
    to_site = forms.ModelChoiceField(label=_("An Stelle"), queryset=Organisation.objects.none())
    seal_number = _text(_("Siegelnummer"))
    reason = reason_field()

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_site"].queryset = targets


class WithdrawHandOverForm(KernFormMixin, forms.Form):
    reason = reason_field(required=True, label=_("Grund der Rücknahme"))
    seal_number = _text(_("Siegelnummer (falls neu versiegelt)"), required=False)


class ReceiptForm(KernFormMixin, forms.Form):
    seal_number = _text(_("Siegelnummer auf dem Set"))
    reason = reason_field(label=_("Bemerkung (bei abweichendem Siegel Pflicht)"))


class StorageForm(KernFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Ereignis"),
        choices=[(EventKind.STORED, EventKind.STORED.label), (EventKind.MOVED, EventKind.MOVED.label)],
    )
    seal_number = _text(_("Siegelnummer"), required=False)
    reason = reason_field(label=_("Grund / Lagerort"))


class ExtendForm(KernFormMixin, forms.Form):
    new_until = forms.DateField(label=_("Neues Fristende"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = reason_field(required=True)


class DestroyForm(KernFormMixin, forms.Form):
    witness = forms.ModelChoiceField(label=_("Zeugin / Zeuge"), queryset=None)
    seal_number = _text(_("Siegelnummer"), required=False)
    reason = reason_field(label=_("Grund (Pflicht vor Fristende)"))
    confirm = forms.BooleanField(
        label=_("Ich bestätige die Vernichtung in Anwesenheit der Zeugin / des Zeugen.")
    )

    def __init__(self, *args, witnesses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["witness"].queryset = witnesses


class WaiverForm(KernFormMixin, forms.Form):
    signed_on = forms.DateField(
        label=_("Schweigepflichtentbindung unterschrieben am"), widget=forms.DateInput(attrs={"type": "date"})
    )
    form_reference = _text(_("Formular-Aktenzeichen"), max_length=60)
    recipient_kind = forms.ChoiceField(
        label=_("Empfänger"), choices=RecipientKind.choices, widget=forms.RadioSelect
    )
    recipient_office = _text(_("Empfangende Dienststelle"), max_length=200)


class ReleaseForm(KernFormMixin, forms.Form):
    seal_number = _text(_("Siegelnummer bei Herausgabe"))
    reason = reason_field(label=_("Bemerkung"))


class BillingForm(KernFormMixin, forms.Form):
    year = forms.IntegerField(label=_("Jahr"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("Quartal"), coerce=int, choices=[(1, "Q1"), (2, "Q2"), (3, "Q3"), (4, "Q4")]
    )


class ProgrammeForm(KernFormMixin, forms.Form):
    title = _text(_("Bezeichnung"), max_length=200)
    storage_site = forms.ModelChoiceField(
        label=_("Lagerstelle (Rechtsmedizin)"), queryset=Organisation.objects.filter(kind="rechtsmedizin")
    )
    clinics = forms.ModelMultipleChoiceField(
        label=_("Kliniken"),
        queryset=Organisation.objects.filter(kind="klinik"),
        widget=forms.CheckboxSelectMultiple,
    )
    retention_years = forms.IntegerField(
        label=_("Aufbewahrungsdauer (Jahre)"), min_value=1, max_value=30, initial=10
    )
    is_active = forms.BooleanField(label=_("aktiv"), required=False, initial=True)


class StatusForm(forms.Form):
    code = forms.CharField(
        label=_("Code von Ihrer Karte"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "class": "kern-form-input__input",
                "autocomplete": "off",
                "spellcheck": "false",
                "autocapitalize": "characters",
            }
        ),
        help_text=_("zum Beispiel K7QM-4XNP-R"),
    )
    pin = forms.CharField(
        label=_("PIN von Ihrer Karte"),
        max_length=12,
        # "off" does not stop browsers from offering to save code and PIN as a login;
        # "one-time-code" does (tests/test_status_page_traces.py).
        widget=forms.PasswordInput(
            attrs={"class": "kern-form-input__input", "autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
    )
