from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from schutznetz.accounts.models import Organisation
from schutznetz.core.forms import LongTextField
from schutznetz.network.models import (
    AgreementVersion,
    Attendance,
    Audience,
    Material,
    NewsItem,
    PartnerProfile,
    Task,
    Topic,
    WorkingGroup,
)

_MAX_ID = 2**63 - 1


class OrganisationsField(forms.ModelMultipleChoiceField):
    """Organisations by id; an id no database can hold is an invalid choice, not a server error."""

    def _check_values(self, value):
        for pk in value if isinstance(value, (list, tuple)) else []:
            text = str(pk)
            if not (text.isascii() and text.isdigit() and len(text) <= 19 and int(text) <= _MAX_ID):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": text}
                )
        return super()._check_values(value)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class KernMixin:
    """KERN classes on the widgets, so templates stay plain."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
                if isinstance(widget, forms.CheckboxInput):
                    widget.attrs.setdefault("class", "kern-form-check__input")
                continue
            if isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "kern-form-input__select")
            else:
                widget.attrs.setdefault("class", "kern-form-input__input")


class PartnerProfileForm(KernMixin, forms.ModelForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = PartnerProfile
        fields = ["contribution", "contact_label", "contact_phone", "contact_email", "website", "is_public"]
        widgets = {"contribution": forms.Textarea(attrs={"rows": 5})}
        field_classes = {"contribution": LongTextField}


class WorkingGroupForm(KernMixin, forms.ModelForm):
    organisations = OrganisationsField(
        label=_("Mitwirkende Organisationen"),
        queryset=Organisation.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = WorkingGroup
        fields = ["name", "description", "lead_organisation", "organisations", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        field_classes = {"description": LongTextField}


class AgreementVersionForm(KernMixin, forms.ModelForm):
    class Meta:
        model = AgreementVersion
        fields = ["title", "body", "change_summary"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 24}),
            "change_summary": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"body": LongTextField, "change_summary": LongTextField}


class PublishVersionForm(KernMixin, forms.Form):
    effective_on = forms.DateField(label=_("gültig ab"), widget=DateInput)


class DiffForm(forms.Form):
    old = forms.ModelChoiceField(
        label=_("Ältere Fassung"),
        queryset=AgreementVersion.objects.order_by("number"),
        to_field_name="number",
    )
    new = forms.ModelChoiceField(
        label=_("Neuere Fassung"),
        queryset=AgreementVersion.objects.order_by("number"),
        to_field_name="number",
    )

    def __init__(self, *args, versions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if versions is not None:
            self.fields["old"].queryset = versions.order_by("number")
            self.fields["new"].queryset = versions.order_by("number")
        for field in self.fields.values():
            field.widget.attrs["class"] = "kern-form-input__select"
            field.label_from_instance = lambda v: f"{v.number} – {v.title} ({v.get_status_display()})"


class SignatureForm(KernMixin, forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Partner"), queryset=Organisation.objects.filter(is_active=True)
    )
    signatory_name = forms.CharField(label=_("unterzeichnet von"), max_length=200)
    signatory_function = forms.CharField(label=_("Funktion"), max_length=200)
    date = forms.DateField(label=_("Datum"), widget=DateInput)

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"].queryset = organisations


class AccessionForm(SignatureForm):
    version = forms.ModelChoiceField(
        label=_("unterzeichnete Fassung"),
        queryset=AgreementVersion.objects.exclude(status=AgreementVersion.Status.DRAFT),
    )
    field_order = ["organisation", "version", "signatory_name", "signatory_function", "date"]


class WithdrawalForm(KernMixin, forms.Form):
    withdrawn_on = forms.DateField(label=_("Austritt zum"), widget=DateInput)
    reason = LongTextField(label=_("Grund des Austritts"), rows=3, required=False)


class MeetingForm(KernMixin, forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=200)
    working_group = forms.ModelChoiceField(
        label=_("Arbeitskreis"),
        queryset=WorkingGroup.objects.filter(is_active=True),
        required=False,
        empty_label=_("Gesamtes Netzwerk (Plenum)"),
    )
    starts_at = forms.DateTimeField(label=_("Beginn"), widget=DateTimeInput)
    ends_at = forms.DateTimeField(label=_("Ende"), widget=DateTimeInput)
    location = forms.CharField(label=pgettext_lazy("Ort eines Treffens", "Ort"), max_length=300)
    invitation_text = LongTextField(label=_("Einladungstext"), rows=4, required=False)
    invited_organisations = OrganisationsField(
        label=_("Eingeladene Organisationen"),
        queryset=Organisation.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Leer lassen: alle Partner (bzw. alle Mitwirkenden des Arbeitskreises)."),
    )

    notify = forms.BooleanField(
        label=_("Teilnehmende über die Änderung informieren"),
        required=False,
        help_text=_(
            "Eine Änderung von Beginn, Ende oder Ort wird den Eingeladenen immer mit einer neuen "
            "Kalenderdatei mitgeteilt. Ankreuzen, um auch über andere Änderungen (z. B. Titel oder "
            "Einladungstext) zu informieren."
        ),
    )

    def __init__(self, *args, invited=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not invited:
            # Before the invitation has gone out there is nobody to inform.
            del self.fields["notify"]

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("Das Ende muss nach dem Beginn liegen."))
        return data


class CancelMeetingForm(KernMixin, forms.Form):
    reason = LongTextField(
        label=_("Grund der Absage"),
        rows=3,
        error_messages={
            "required": _("Bitte geben Sie den Grund der Absage an; er wird den Eingeladenen mitgeteilt.")
        },
        help_text=_(
            "Wird den Eingeladenen mitgeteilt. Bitte keine persönlichen Angaben, z. B. über Erkrankungen."
        ),
    )


class AgendaItemForm(KernMixin, forms.Form):
    title = forms.CharField(label=_("Tagesordnungspunkt"), max_length=300)
    description = LongTextField(label=_("Erläuterung"), rows=2, required=False)


class AttendanceForm(KernMixin, forms.Form):
    status = forms.ChoiceField(label=_("Teilnahme"), choices=Attendance.Status.choices)
    represented_by = forms.CharField(label=_("vertreten durch (Funktion)"), max_length=200, required=False)


class MinutesForm(KernMixin, forms.Form):
    minutes = LongTextField(
        label=_("Protokoll"),
        rows=16,
        required=False,
        help_text=_("Markdown: **fett**, *kursiv*, Listen mit „- “, Überschriften mit „## “."),
    )


class DecisionForm(KernMixin, forms.Form):
    text = LongTextField(label=_("Beschluss"), rows=2)
    agenda_item = forms.ModelChoiceField(label=_("zu TOP"), queryset=None, required=False)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].queryset = meeting.agenda_items.all()


class TaskForm(KernMixin, forms.Form):
    title = forms.CharField(label=_("Aufgabe"), max_length=300)
    owner = forms.ModelChoiceField(
        label=_("zuständige Organisation"), queryset=Organisation.objects.filter(is_active=True)
    )
    due_on = forms.DateField(label=_("fällig am"), widget=DateInput, required=False)
    agenda_item = forms.ModelChoiceField(label=_("zu TOP"), queryset=None, required=False)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].queryset = meeting.agenda_items.all()


class TaskStatusForm(KernMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Task.Status.choices)


class NewsForm(KernMixin, forms.ModelForm):
    class Meta:
        model = NewsItem
        fields = ["title", "published_on", "lead", "body", "press_contact"]
        widgets = {
            "published_on": DateInput,
            "lead": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": 14}),
            "press_contact": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"lead": LongTextField, "body": LongTextField, "press_contact": LongTextField}


class PhotoForm(KernMixin, forms.Form):
    image = forms.FileField(
        label=_("Foto"),
        help_text=_("JPEG, PNG oder WebP. Ortsangaben und andere Metadaten werden entfernt."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    alt_text = forms.CharField(label=_("Bildbeschreibung (Alternativtext)"), max_length=300)
    caption = forms.CharField(label=_("Bildunterschrift"), max_length=300, required=False)
    credit = forms.CharField(
        label=_("Fotonachweis"),
        max_length=200,
        required=False,
        help_text=_("Pflicht vor der Veröffentlichung, z. B. „Foto: Kreis Soest“."),
    )
    usage_terms = forms.CharField(
        label=_("Nutzungsbedingungen"),
        max_length=300,
        required=False,
        help_text=_("z. B. „Abdruck honorarfrei mit Fotonachweis“"),
    )


class PhotoEditForm(KernMixin, forms.Form):
    alt_text = forms.CharField(label=_("Bildbeschreibung (Alternativtext)"), max_length=300)
    caption = forms.CharField(label=_("Bildunterschrift"), max_length=300, required=False)
    credit = forms.CharField(label=_("Fotonachweis"), max_length=200, required=False)
    usage_terms = forms.CharField(label=_("Nutzungsbedingungen"), max_length=300, required=False)


class MaterialForm(KernMixin, forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=200)
    description = LongTextField(label=_("Beschreibung"), rows=3, required=False)
    kind = forms.CharField(
        label=_("Art"), max_length=100, required=False, help_text=_("z. B. Faltblatt, Checkliste, Leitfaden")
    )
    topics = forms.MultipleChoiceField(
        label=_("Themen"), choices=Topic.choices, widget=forms.CheckboxSelectMultiple
    )
    audience = forms.ChoiceField(label=_("Zielgruppe"), choices=Audience.choices)
    visibility = forms.ChoiceField(
        label=_("Sichtbarkeit"), choices=Material.Visibility.choices, widget=forms.RadioSelect
    )


class MaterialVersionForm(KernMixin, forms.Form):
    file = forms.FileField(label=_("Datei"), help_text=_("PDF, DOCX, XLSX, PPTX, ODT, PNG oder JPEG."))
    change_note = forms.CharField(label=_("Änderungen"), max_length=300, required=False)


class MaterialFilterForm(forms.Form):
    topic = forms.ChoiceField(
        label=_("Thema"), choices=[("", _("alle Themen"))] + list(Topic.choices), required=False
    )
    audience = forms.ChoiceField(
        label=_("Zielgruppe"), choices=[("", _("alle Zielgruppen"))] + list(Audience.choices), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "kern-form-input__select"
