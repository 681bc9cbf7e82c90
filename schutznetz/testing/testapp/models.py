"""A small model with every kind of encrypted field, for the core's own tests."""

from django.db import models

from schutznetz.core import personal_data
from schutznetz.core.fields import EncryptedCharField, EncryptedDateField, EncryptedTextField


class Secret(models.Model):
    name = EncryptedCharField(max_length=100)
    note = EncryptedTextField(blank=True)
    birth_date = EncryptedDateField(null=True, blank=True)
    name_index = models.CharField(max_length=64, blank=True, db_index=True)

    def __str__(self):
        return f"Secret #{self.pk}"


personal_data.declare_many(
    Secret,
    ["name", "note", "birth_date"],
    category=personal_data.IDENTITY,
    purpose="Tests der Feldverschlüsselung",
    retention="nur in der Testdatenbank",
)
personal_data.not_personal(Secret, "name_index", reason="Blind-Index (HMAC), nicht umkehrbar")
