"""Model fields whose values are encrypted at rest.

The database column holds only the ciphertext (see ``crypto``). Look-ups on
these fields cannot work; use a blind index column next to them instead.
"""

import datetime

from django.core import checks
from django.db import models

from schutznetz.core import crypto


class EncryptedMixin:
    """Encrypts on the way to the database, decrypts on the way back."""

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        self.crypto_context = f"{cls._meta.label_lower}.{name}"

    def get_internal_type(self):
        return "TextField"

    def db_type(self, connection):
        return models.TextField().db_type(connection)

    def to_plain(self, value):
        return value

    def from_plain(self, text):
        return text

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(self.to_plain(value), self.crypto_context)

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return self.from_plain(crypto.decrypt(value, self.crypto_context))

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        if self.unique or self.db_index:
            errors.append(checks.Error("Verschlüsselte Felder können nicht indiziert werden.", obj=self))
        return errors


class EncryptedTextField(EncryptedMixin, models.TextField):
    pass


class EncryptedCharField(EncryptedMixin, models.CharField):
    """A CharField whose max_length limits the plaintext, validated in forms."""

    def get_prep_value(self, value):
        # Skip CharField's to_python coercion of the ciphertext.
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value), self.crypto_context)

    def cast_db_type(self, connection):
        return models.TextField().cast_db_type(connection)


class EncryptedDateField(EncryptedMixin, models.DateField):
    def to_plain(self, value):
        if isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, str):
            value = datetime.date.fromisoformat(value)
        return value.isoformat()

    def from_plain(self, text):
        return datetime.date.fromisoformat(text)

    def get_prep_value(self, value):
        if value is None or value == "":
            return None
        return crypto.encrypt(self.to_plain(value), self.crypto_context)

    def get_db_prep_value(self, value, connection, prepared=False):
        if not prepared:
            value = self.get_prep_value(value)
        return value

    def pre_save(self, model_instance, add):
        return getattr(model_instance, self.attname)


def encrypted_fields(model):
    return [field for field in model._meta.concrete_fields if isinstance(field, EncryptedMixin)]
