from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from schutznetz.core.forms import LongTextField
from schutznetz.directory import hsds, taxonomy
from schutznetz.directory.models import (
    DECLINE_FIELDS,
    Appointment,
    Municipality,
    Offer,
    Provider,
    ShelterReport,
)


class FinderForm(forms.Form):
    """The help finder's GET form (only used to render; parsing is queries.FinderParams)."""

    q = forms.CharField(label=_("Suchbegriff"), required=False, max_length=200)
    ort = forms.CharField(label=_("Ort oder Postleitzahl"), required=False, max_length=100)
    art = forms.ChoiceField(label=_("Art der Hilfe"), required=False)
    zielgruppe = forms.ChoiceField(label=_("Für wen"), required=False)
    sprache = forms.ChoiceField(label=_("Sprache der Beratung"), required=False)
    barrierefrei = forms.BooleanField(label=_("nur barrierefreie Angebote"), required=False)
    jetzt_offen = forms.BooleanField(label=_("jetzt erreichbar"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("alle"))]
        self.fields["art"].choices = everything + list(taxonomy.KINDS.items())
        self.fields["zielgruppe"].choices = everything + list(taxonomy.TARGET_GROUPS.items())
        self.fields["sprache"].choices = everything + sorted(
            taxonomy.LANGUAGES.items(), key=lambda kv: str(kv[1])
        )
        self.fields["ort"].widget.attrs.update({"list": "orte", "autocomplete": "off"})
        self.fields["q"].widget.attrs.update({"autocomplete": "off"})


def _municipality_choices():
    return [(m.slug, m.name) for m in Municipality.objects.order_by("name")]


class OfferForm(forms.Form):
    provider = forms.ModelChoiceField(label=_("Träger"), queryset=Provider.objects.none())
    name = forms.CharField(label=_("Name des Angebots"), max_length=200)
    description = LongTextField(label=_("Beschreibung"), rows=5, required=False)
    kinds = forms.MultipleChoiceField(
        label=_("Arten von Hilfe"), choices=list(taxonomy.KINDS.items()), widget=forms.CheckboxSelectMultiple
    )
    target_groups = forms.MultipleChoiceField(
        label=_("Zielgruppen"),
        choices=list(taxonomy.TARGET_GROUPS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    languages = forms.MultipleChoiceField(
        label=_("Sprachen"),
        choices=list(taxonomy.LANGUAGES.items()),
        widget=forms.CheckboxSelectMultiple,
        initial=["de"],
    )
    phone = forms.CharField(label=_("Telefon"), max_length=40, required=False)
    phone_description = forms.CharField(label=_("Hinweis zum Telefon"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-Mail"), required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    municipality = forms.ChoiceField(label=_("Gemeinde"))
    address_protected = forms.BooleanField(
        label=_("Adresse geschützt"),
        required=False,
        help_text=_("Für Frauenhäuser immer: die Adresse wird nie öffentlich gezeigt."),
    )
    street = forms.CharField(label=_("Straße und Hausnummer"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("PLZ"), max_length=10, required=False)
    service_area = forms.MultipleChoiceField(
        label=_("Zuständig auch für"), widget=forms.CheckboxSelectMultiple, required=False
    )
    serves_everywhere = forms.BooleanField(label=_("für das ganze Gebiet oder bundesweit"), required=False)
    opening_hours = forms.CharField(
        label=_("Öffnungszeiten"),
        required=False,
        max_length=300,
        help_text=_("z. B. Mo-Fr 09:00-12:00, Di 14:00-17:00"),
    )
    opening_hours_text = forms.CharField(label=_("Hinweis zu Öffnungszeiten"), required=False, max_length=300)
    is_24_7 = forms.BooleanField(label=_("rund um die Uhr erreichbar"), required=False)
    anonymous = forms.BooleanField(label=_("anonym möglich"), required=False)
    free_of_charge = forms.BooleanField(label=_("kostenlos"), required=False, initial=True)
    fees_description = forms.CharField(label=_("Kosten"), max_length=300, required=False)
    appointment = forms.ChoiceField(
        label=_("Termin"), choices=Appointment.choices, initial=Appointment.OPTIONAL
    )
    step_free = forms.BooleanField(label=_("stufenlos erreichbar"), required=False)
    sign_language = forms.BooleanField(label=_("Gebärdensprache"), required=False)
    easy_language = forms.BooleanField(label=_("Leichte Sprache"), required=False)
    accessibility_description = forms.CharField(
        label=_("Barrierefreiheit (Hinweis)"), max_length=300, required=False
    )
    family_places = forms.IntegerField(
        label=_("Familienplätze (Frauenhaus)"), min_value=0, max_value=500, required=False
    )

    def __init__(self, *args, providers=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = _municipality_choices()
        self.fields["municipality"].choices = choices
        self.fields["service_area"].choices = choices
        if providers is None:
            del self.fields["provider"]
        else:
            self.fields["provider"].queryset = providers

    def clean_opening_hours(self):
        checker = hsds._Checker(_("Öffnungszeiten"))
        schedules = hsds.parse_opening_hours(checker, self.cleaned_data["opening_hours"])
        if checker.errors:
            raise forms.ValidationError([e.split(": ", 1)[-1] for e in checker.errors])
        self.cleaned_data["schedules"] = schedules
        return self.cleaned_data["opening_hours"]

    def clean(self):
        cleaned = super().clean()
        if "frauenhaus" in cleaned.get("kinds", []):
            cleaned["address_protected"] = True
        if not cleaned.get("phone") and not cleaned.get("email") and not cleaned.get("website"):
            self.add_error("phone", _("Bitte mindestens Telefon, E-Mail oder Website angeben."))
        return cleaned

    def offer_data(self):
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("provider", "opening_hours")}
        data["schedules"] = self.cleaned_data.get("schedules", [])
        data["email"] = data.get("email") or ""
        data["website"] = data.get("website") or ""
        return data

    @classmethod
    def initial_from(cls, offer, revision=None):
        """The form's start values: the offer's public state, or the proposed state of a pending
        ``revision`` (so a second change builds on the first instead of silently replacing it)."""
        from schutznetz.directory.services import offer_data

        data = dict(revision.data) if revision is not None else offer_data(offer)
        data["opening_hours"] = hsds.format_opening_hours(data.get("schedules", []))
        return data


def field_label(name):
    """The German label Koordination knows a field of an offer by (the edit form's label)."""
    if name == "schedules":
        name = "opening_hours"
    field = OfferForm.base_fields.get(name)
    if field is not None:
        return field.label
    try:
        return Offer._meta.get_field(name).verbose_name
    except FieldDoesNotExist:
        return name


class ShelterReportForm(forms.Form):
    free_places = forms.IntegerField(label=_("Freie Plätze jetzt"), min_value=0, max_value=500)
    children_allowed = forms.BooleanField(label=_("Kinder können mitkommen"), required=False, initial=True)
    child_places = forms.IntegerField(
        label=_("davon Plätze für Kinder"), min_value=0, max_value=500, required=False, initial=0
    )
    languages = forms.CharField(
        label=_("Sprachen im Team"),
        max_length=200,
        required=False,
        help_text=_("z. B. Deutsch, Türkisch, Englisch"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Requests that could not be admitted since the last report: one count per reason, 0 by
        # default, no field for anything about the person (see models.ShelterReport).
        for name in DECLINE_FIELDS:
            model_field = ShelterReport._meta.get_field(name)
            label = str(model_field.verbose_name)
            self.fields[name] = forms.IntegerField(
                label=label,
                help_text=model_field.help_text,
                min_value=0,
                max_value=500,
                required=False,
                initial=0,
            )
        for name in ("free_places", "child_places", *DECLINE_FIELDS):
            self.fields[name].widget.attrs.update({"inputmode": "numeric"})

    def place_fields(self):
        return [self[name] for name in self.fields if name not in DECLINE_FIELDS]

    def declined_fields(self):
        return [self[name] for name in DECLINE_FIELDS]

    @property
    def has_declined_errors(self):
        return any(name in self.errors for name in DECLINE_FIELDS)

    def declined_counts(self):
        return {name: self.cleaned_data.get(name) or 0 for name in DECLINE_FIELDS}


class ApproveForm(forms.Form):
    """Approving a proposal: the review page's fingerprint, and one explicit choice for each field
    changed both by the proposal and, after it, by Koordination (``services.FieldReview``).

    ``conflicts``: [(FieldReview, label, current shown, proposed shown)].
    """

    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, conflicts=(), **kwargs):
        super().__init__(*args, **kwargs)
        from schutznetz.directory.services import CHOICE_CURRENT, CHOICE_PROPOSED

        self.conflict_names = []
        for row, label, current, proposed in conflicts:
            self.conflict_names.append(row.name)
            self.fields[f"wahl_{row.name}"] = forms.ChoiceField(
                label=label,
                widget=forms.RadioSelect,
                choices=[
                    (
                        CHOICE_PROPOSED,
                        _("Vorschlag übernehmen: %(value)s") % {"value": Truncator(proposed).chars(80)},
                    ),
                    (
                        CHOICE_CURRENT,
                        _("jetzigen Wert behalten: %(value)s") % {"value": Truncator(current).chars(80)},
                    ),
                ],
                error_messages={"required": _("Bitte wählen Sie, welcher Wert gelten soll.")},
            )

    def choices(self):
        return {name: self.cleaned_data[f"wahl_{name}"] for name in self.conflict_names}


class RejectForm(forms.Form):
    review_note = LongTextField(label=pgettext_lazy("einer abgelehnten Änderung", "Begründung"), rows=3)
