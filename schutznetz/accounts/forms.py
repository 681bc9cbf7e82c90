from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from schutznetz.accounts.models import Role, User


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-Mail-Adresse"))
    roles = forms.MultipleChoiceField(
        label=_("Rollen"), choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )


class AcceptInvitationForm(forms.Form):
    username = forms.RegexField(
        label=_("Benutzername"),
        regex=r"^[\w.@+-]{3,150}$",
        error_messages={"invalid": _("Nur Buchstaben, Ziffern und . @ + - _ (3 bis 150 Zeichen).")},
    )
    first_name = forms.CharField(label=_("Vorname"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Nachname"), max_length=150, required=False)
    password = forms.CharField(label=_("Passwort"), widget=forms.PasswordInput(render_value=False))
    password_repeat = forms.CharField(label=_("Passwort wiederholen"), widget=forms.PasswordInput)

    def __init__(self, *args, email="", **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_repeat"):
            self.add_error("password_repeat", _("Die Passwörter stimmen nicht überein."))
        elif data.get("password"):
            # The future account, so that a password like the user name, the name or the address
            # is refused as at every other password change.
            person = User(
                username=data.get("username") or "",
                first_name=data.get("first_name") or "",
                last_name=data.get("last_name") or "",
                email=self.email,
            )
            try:
                validate_password(data["password"], user=person)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data
