"""Encrypted model fields: they read back, the database never holds the plaintext."""

import datetime
import os
import shutil
import subprocess
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from schutznetz.core import crypto
from schutznetz.core.keys import new_binary_key
from schutznetz.testing.testapp.models import Secret

NAME = "Zeynep Kowalczyk-Ozturk"
NOTE = "Unterkunft bei der Schwester in Bad Sassendorf"
BIRTH = datetime.date(1987, 3, 14)


def raw_row(pk):
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, note, birth_date FROM testapp_secret WHERE id = %s", [pk])
        return cursor.fetchone()


@pytest.mark.django_db
def test_round_trip_text_char_and_date():
    secret = Secret.objects.create(name=NAME, note=NOTE, birth_date=BIRTH)
    loaded = Secret.objects.get(pk=secret.pk)
    assert (loaded.name, loaded.note, loaded.birth_date) == (NAME, NOTE, BIRTH)
    stored = raw_row(secret.pk)
    assert all(value.startswith(f"v1:{crypto.active_key_id()}:") for value in stored)
    assert NAME not in stored[0] and NOTE not in stored[1] and BIRTH.isoformat() not in stored[2]


@pytest.mark.django_db
def test_empty_and_null_values_stay_empty():
    secret = Secret.objects.create(name="x", note="", birth_date=None)
    loaded = Secret.objects.get(pk=secret.pk)
    assert loaded.note == "" and loaded.birth_date is None
    assert raw_row(secret.pk)[1:] == ("", None)


@pytest.mark.django_db
def test_update_and_values_query_decrypt():
    secret = Secret.objects.create(name=NAME, birth_date=BIRTH)
    Secret.objects.filter(pk=secret.pk).update(name="Neuer Name", birth_date=datetime.date(2001, 1, 2))
    row = Secret.objects.values("name", "birth_date").get(pk=secret.pk)
    assert row == {"name": "Neuer Name", "birth_date": datetime.date(2001, 1, 2)}


@pytest.mark.django_db
def test_same_plaintext_encrypts_differently_each_time():
    a = Secret.objects.create(name=NAME)
    b = Secret.objects.create(name=NAME)
    assert raw_row(a.pk)[0] != raw_row(b.pk)[0]


def test_tampered_ciphertext_fails():
    token = crypto.encrypt("Anna", "testapp.secret.name")
    prefix, kid, payload = token.split(":")
    raw = bytearray(__import__("base64").b64decode(payload))
    raw[-1] ^= 1
    tampered = f"{prefix}:{kid}:{__import__('base64').b64encode(bytes(raw)).decode()}"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(tampered, "testapp.secret.name")


def test_value_moved_to_another_column_does_not_decrypt():
    token = crypto.encrypt("Anna", "testapp.secret.name")
    assert crypto.decrypt(token, "testapp.secret.name") == "Anna"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, "testapp.secret.note")


def test_plaintext_or_unknown_key_is_refused(settings):
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt("Anna", "ctx")
    token = crypto.encrypt("Anna", "ctx")
    settings.SCHUTZNETZ_FIELD_KEYS = (__import__("base64").urlsafe_b64decode(new_binary_key()),)
    with pytest.raises(crypto.DecryptionError, match="nicht konfiguriert"):
        crypto.decrypt(token, "ctx")


def test_encrypted_fields_refuse_indexes():
    from schutznetz.core.fields import EncryptedCharField

    field = EncryptedCharField(max_length=10, db_index=True)
    field.set_attributes_from_name("x")
    field.model = Secret
    assert any("indiziert" in error.msg for error in field.check())


@pytest.mark.django_db
def test_rotate_keys_reencrypts_under_new_key_and_old_key_can_go(settings):
    import base64

    old_key = settings.SCHUTZNETZ_FIELD_KEYS[0]
    secrets_ = [Secret.objects.create(name=f"{NAME} {i}", note=NOTE, birth_date=BIRTH) for i in range(3)]
    old_id = crypto.key_id(old_key)
    new_key = base64.urlsafe_b64decode(new_binary_key())
    settings.SCHUTZNETZ_FIELD_KEYS = (new_key, old_key)
    # Before rotation the old values still read back with the old key in second place.
    assert Secret.objects.get(pk=secrets_[0].pk).name == f"{NAME} 0"
    out = StringIO()
    call_command("rotate_keys", "testapp.Secret", stdout=out, stderr=StringIO())
    assert "3 Datensätze neu verschlüsselt" in out.getvalue()
    new_id = crypto.key_id(new_key)
    for secret in secrets_:
        stored = raw_row(secret.pk)
        assert all(crypto.stored_key_id(value) == new_id for value in stored), stored
        assert not any(old_id in value.split(":")[1] for value in stored)
    settings.SCHUTZNETZ_FIELD_KEYS = (new_key,)
    loaded = Secret.objects.get(pk=secrets_[2].pk)
    assert (loaded.name, loaded.note, loaded.birth_date) == (f"{NAME} 2", NOTE, BIRTH)


@pytest.mark.django_db(transaction=True)
def test_plaintext_absent_from_sqlite_file():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite-Datei nur bei SQLite")
    marker = "Wilhelmine Quetschenbrecht"
    secret = Secret.objects.create(name=marker, note=f"Notiz zu {marker}", birth_date=BIRTH)
    assert Secret.objects.get(pk=secret.pk).name == marker
    path = connection.settings_dict["NAME"]
    if str(path).startswith("file:") or ":memory:" in str(path):
        pytest.skip("In-Memory-Datenbank hat keine Datei")
    # Read before the checkpoint (WAL holds the write) and after it (main file).
    wal = f"{path}-wal"
    data = open(wal, "rb").read() if os.path.exists(wal) else b""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(FULL)")
    data += open(path, "rb").read()
    if os.path.exists(wal):
        data += open(wal, "rb").read()
    for form in (marker.encode("utf-8"), marker.encode("utf-16-le"), b"1987-03-14"):
        assert form not in data
    # The ciphertext is there, so the search looked in the right place.
    assert raw_row(secret.pk)[0].encode() in data


@pytest.mark.django_db(transaction=True)
def test_plaintext_absent_from_pg_dump():
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump nur bei PostgreSQL")
    pg_dump = shutil.which("pg_dump") or next(
        iter(sorted(__import__("glob").glob("/usr/lib/postgresql/*/bin/pg_dump"), reverse=True)), None
    )
    if pg_dump is None:
        pytest.fail("pg_dump fehlt (Debian-Paket postgresql-client)")
    marker = "Wilhelmine Quetschenbrecht"
    secret = Secret.objects.create(name=marker, note=f"Notiz zu {marker}", birth_date=BIRTH)
    assert Secret.objects.get(pk=secret.pk).name == marker
    db = connection.settings_dict
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = [pg_dump, "--data-only", "--table=testapp_secret", "--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    dump = subprocess.run(args, env=env, capture_output=True, timeout=60, check=True).stdout  # noqa: S603
    assert raw_row(secret.pk)[0].encode() in dump
    assert marker.encode() not in dump
    assert b"1987-03-14" not in dump
