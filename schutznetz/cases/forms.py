from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from schutznetz.accounts.models import Organisation
from schutznetz.cases.models import (
    REVOKE_REASON_MAX_LENGTH,
    ActionReview,
    ActionStatus,
    Category,
    ChronologyKind,
    CloseReason,
    ConferenceKind,
    DeadlineKind,
    LegalBasisKind,
    PersonRemovalReason,
    PersonRole,
    RiskBand,
    Section,
)
from schutznetz.cases.municipalities import municipality_choices
from schutznetz.core.forms import LongTextField


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class OrganisationsField(forms.ModelMultipleChoiceField):
    """Organisations by id; an id no database can hold (``99999999999999999999``) is an invalid choice
    naming the field, not a database error."""

    def _check_values(self, value):
        for pk in value:
            text = str(pk)
            if not (text.isascii() and text.isdigit() and len(text) <= 19 and int(text) <= 2**63 - 1):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


def _organisations():
    return Organisation.objects.filter(is_active=True).order_by("name")


class PersonFieldsMixin(forms.Form):
    role = forms.ChoiceField(label=_("Rolle"), choices=PersonRole.choices, initial=PersonRole.AT_RISK)
    first_name = forms.CharField(label=_("Vorname"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Nachname"), max_length=100, required=False)
    aliases = forms.CharField(label=_("Weitere Namen"), max_length=300, required=False)
    date_of_birth = forms.DateField(label=_("Geburtsdatum"), required=False, widget=DateInput())
    address = LongTextField(label=_("Anschrift"), required=False, rows=2)
    phone = forms.CharField(label=_("Telefon"), max_length=50, required=False)
    phone_safe_to_call = forms.BooleanField(label=_("Anruf unter dieser Nummer ist sicher"), required=False)
    age = forms.IntegerField(label=_("Alter (bei Kindern)"), min_value=0, max_value=17, required=False)
    school_or_kita = forms.CharField(
        label=_("Schule oder Kita (bei Kindern)"), max_length=200, required=False
    )
    notes = LongTextField(label=_("Hinweise"), required=False, rows=3)

    def clean(self):
        data = super().clean()
        if not (data.get("first_name") or data.get("last_name") or data.get("aliases")):
            self.add_error("last_name", _("Bitte geben Sie einen Namen oder eine Bezeichnung an."))
        return data

    def person_data(self):
        names = [name for name in PersonFieldsMixin.base_fields]
        return {name: self.cleaned_data.get(name) for name in names if name in self.cleaned_data}


class PersonForm(PersonFieldsMixin):
    pass


class PersonEditForm(PersonFieldsMixin):
    """Correcting a person: everything but the role (a wrong role: remove the person and add it again)."""

    role = None

    @classmethod
    def for_person(cls, person, data=None):
        initial = {name: getattr(person, name) for name in cls.base_fields}
        return cls(data, initial=initial)


class PersonRemoveForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Grund für das Entfernen"), choices=[("", "–")] + list(PersonRemovalReason.choices)
    )


class InviteForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        help_text=_("Die Organisation wird beteiligt, sieht aber noch keinen Abschnitt des Falls."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = _organisations()


def _municipality_field():
    """A select of the region's towns (choices set per form: they are read from the directory)."""
    return forms.ChoiceField(
        label=_("Stadt/Gemeinde"),
        required=False,
        help_text=_(
            "Wohnort der gefährdeten Person; die Statistik zählt den Fall unter dieser Stadt/Gemeinde."
        ),
    )


class CaseForm(PersonFieldsMixin):
    category = forms.ChoiceField(label=_("Kategorie"), choices=Category.choices)
    municipality = _municipality_field()
    propose = forms.BooleanField(label=_("Für die nächste Fallkonferenz vorschlagen"), required=False)

    field_order = ["category", "municipality", "propose"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].choices = municipality_choices()


class CaseCorrectionForm(forms.Form):
    """Correcting a case's category and municipality, with a reason."""

    category = forms.ChoiceField(label=_("Kategorie"), choices=Category.choices)
    municipality = _municipality_field()
    reason = LongTextField(
        label=_("Grund"),
        max_length=500,
        rows=3,
        help_text=_(
            "Warum die Angaben korrigiert werden. Der Grund steht verschlüsselt im Verlauf des Falls; im "
            "Audit-Protokoll stehen nur die Namen der geänderten Felder."
        ),
    )

    def __init__(self, *args, current_municipality="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].choices = municipality_choices(current=current_municipality)

    @classmethod
    def for_case(cls, case, data=None):
        return cls(
            data,
            initial={"category": case.category, "municipality": case.municipality},
            current_municipality=case.municipality,
        )


class AgendaCaseForm(forms.Form):
    """One case for a conference's agenda, by its number."""

    case = forms.CharField(
        label=_("Fallnummer"),
        max_length=20,
        help_text=_("z. B. FK-2026-0042. Sie können nur Fälle hinzufügen, die Sie selbst sehen dürfen."),
    )


class LegalBasisForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Empfangende Organisation"), queryset=Organisation.objects.none()
    )
    kind = forms.ChoiceField(label=_("Rechtsgrundlage"), choices=LegalBasisKind.choices)
    consent_date = forms.DateField(label=_("Datum der Einwilligung"), required=False, widget=DateInput())
    consent_scope = forms.CharField(label=_("Umfang der Einwilligung"), required=False)
    consent_given_by = forms.CharField(label=_("Einwilligung erteilt von"), max_length=200, required=False)
    justification = LongTextField(
        label=_("Begründung"),
        required=False,
        rows=3,
        help_text=_("Pflicht bei Weitergabe ohne Einwilligung wegen hohen Risikos."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = _organisations()


class ShareForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())
    sections = forms.MultipleChoiceField(
        label=_("Abschnitte"), choices=Section.choices, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = _organisations()


class ReferralForm(forms.Form):
    to_organisation = forms.ModelChoiceField(label=_("An Organisation"), queryset=Organisation.objects.none())
    sections = forms.MultipleChoiceField(
        label=_("Freizugebende Abschnitte"),
        choices=Section.choices,
        initial=[Section.PERSONS],
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_organisation"].queryset = _organisations()


class ReferralUpdateForm(forms.Form):
    STEPS = [("accepted", _("annehmen")), ("declined", _("ablehnen")), ("completed", _("abschließen"))]

    status = forms.ChoiceField(label=_("Neuer Status"), choices=STEPS)
    decline_reason = forms.CharField(label=_("Grund der Ablehnung"), max_length=300, required=False)

    def __init__(self, *args, steps=None, **kwargs):
        """``steps``: the statuses the referral may go to from where it stands (only those are offered)."""
        super().__init__(*args, **kwargs)
        if steps is not None:
            self.fields["status"].choices = [(value, label) for value, label in self.STEPS if value in steps]


class ProposalDeclineForm(forms.Form):
    decline_reason = LongTextField(
        label=_("Grund der Ablehnung"),
        max_length=300,
        rows=3,
        help_text=_("Die vorschlagende Organisation wird benachrichtigt und sieht den Grund."),
    )


class TransferLeadForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("neue Fallverantwortung"),
        queryset=Organisation.objects.none(),
        help_text=_(
            "Zur Wahl stehen die am Fall beteiligten Organisationen. Für sie muss eine gültige "
            "Rechtsgrundlage erfasst sein, außer sie hat den Fall eingebracht."
        ),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class FirstContactForm(forms.Form):
    first_contact_at = forms.DateTimeField(
        label=_("Erstkontakt am"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class RiskForm(forms.Form):
    judgement_band = forms.ChoiceField(
        label=_("Fachliche Einschätzung (optional höher)"),
        choices=[("", _("wie Instrument"))] + list(RiskBand.choices),
        required=False,
    )
    reason = LongTextField(label=_("Begründung der Anhebung"), required=False, rows=2)

    def __init__(self, *args, instrument, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        items = {}
        for item in instrument.items:
            items[f"item_{item.id}"] = forms.BooleanField(
                label=item.text, help_text=item.help, required=False
            )
        self.fields = {**items, **self.fields}

    def answers(self):
        return {item.id: self.cleaned_data.get(f"item_{item.id}", False) for item in self.instrument.items}


class ChronologyForm(forms.Form):
    date = forms.DateField(label=_("Datum"), widget=DateInput())
    kind = forms.ChoiceField(
        label=_("Art"),
        choices=ChronologyKind.choices,
        initial=ChronologyKind.EVENT,
        widget=forms.RadioSelect,
        help_text=_(
            "Ein neuer Vorfall innerhalb von 12 Monaten nach der letzten Fallkonferenz macht den Fall zum "
            "Wiederholungsfall; er kommt auf die nächste Tagesordnung."
        ),
    )
    text = LongTextField(label=_("Ereignis"), rows=3)


class NoteForm(forms.Form):
    text = LongTextField(label=_("Notiz"), rows=3)


class DeadlineForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Art"), choices=[c for c in DeadlineKind.choices if c[0] != DeadlineKind.ACTION_DUE]
    )
    due_date = forms.DateField(label=_("Frist"), required=False, widget=DateInput())
    ordered_on = forms.DateField(label=_("Rückkehrverbot angeordnet am"), required=False, widget=DateInput())
    application_filed_on = forms.DateField(
        label=_("Antrag nach Gewaltschutzgesetz gestellt am"), required=False, widget=DateInput()
    )


class CloseForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Grund für den Abschluss"), choices=[("", "–")] + list(CloseReason.choices)
    )


class ConferenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Art"), choices=ConferenceKind.choices)
    date = forms.DateField(label=_("Datum"), widget=DateInput())
    location = forms.CharField(
        label=pgettext_lazy("Ort einer Fallkonferenz", "Ort"), max_length=200, required=False
    )
    invited_organisations = OrganisationsField(
        label=_("Eingeladene Organisationen"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, conference=None, **kwargs):
        if conference is not None:
            kwargs.setdefault("initial", {
                "kind": conference.kind, "date": conference.date, "location": conference.location,
                "invited_organisations": list(conference.invited_organisations.all()),
            })  # fmt: skip
        super().__init__(*args, **kwargs)
        organisations = _organisations()
        if conference is not None:
            # Organisations invited before they were deactivated stay choosable (and can be removed).
            invited = conference.invited_organisations.values("pk")
            organisations = Organisation.objects.filter(Q(is_active=True) | Q(pk__in=invited))
            organisations = organisations.order_by("name")
        self.fields["invited_organisations"].queryset = organisations


class ConferenceCancelForm(forms.Form):
    reason = LongTextField(
        label=_("Grund"),
        max_length=300,
        rows=3,
        help_text=_(
            "Der Grund ist auf der Seite der Konferenz für die Eingeladenen sichtbar, nicht in der "
            "Benachrichtigung. Bitte keine Fallinhalte."
        ),
    )


class RevokeShareForm(forms.Form):
    reason = LongTextField(
        label=_("Grund"),
        max_length=REVOKE_REASON_MAX_LENGTH,
        rows=2,
        help_text=_(
            "Wird verschlüsselt gespeichert und nur den Organisationen angezeigt, die den Fall führen."
        ),
    )


class OutcomeForm(forms.Form):
    decisions = LongTextField(label=_("Beschlüsse"), rows=4)
    next_review_date = forms.DateField(label=_("Nächste Überprüfung"), required=False, widget=DateInput())


class ActionForm(forms.Form):
    description = LongTextField(label=_("Maßnahme"), rows=2)
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())
    responsible_person = forms.CharField(label=_("Verantwortliche Person"), max_length=200, required=False)
    due_date = forms.DateField(label=_("Fällig am"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = _organisations()


class ActionReviewForm(forms.Form):
    review = forms.ChoiceField(label=_("Ergebnis der Überprüfung"), choices=ActionReview.choices)


class ActionUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    outcome = LongTextField(label=_("Ergebnis"), required=False, rows=2)


class LegalHoldForm(forms.Form):
    hold = forms.BooleanField(label=_("Löschsperre setzen"), required=False)
    legal_hold_reason = forms.CharField(label=_("Grund der Löschsperre"), max_length=200, required=False)


class ReturnBanForm(forms.Form):
    application_filed_on = forms.DateField(
        label=_("Antrag nach Gewaltschutzgesetz gestellt am"), required=False, widget=DateInput()
    )
    court_decision_on = forms.DateField(
        label=_("Gerichtliche Entscheidung am"), required=False, widget=DateInput()
    )
