"""Backup and restore round trip on the configured database (SQLite or PostgreSQL).

After ``backup`` → changes → ``restore --force`` every table has the row count of the backup,
encrypted fields read back, uploaded files are back and the audit chain verifies; a fresh
installation (new SQLite file / new PostgreSQL database) restores the same in a subprocess.
"""

import base64
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from schutznetz.core.audit import verify_chain
from schutznetz.core.keys import BLIND_INDEX_KEY_VAR, FIELD_KEYS_VAR, SECRET_KEY_VAR
from schutznetz.core.management.commands.backup import BACKUP_KEY_VAR, table_counts
from schutznetz.testing.factories import make_organisation, make_user
from schutznetz.testing.testapp.models import Secret

REPO = Path(__file__).resolve().parent.parent
MARKER = "Wilhelmine Quetschenbrecht"
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "var" / "media"
    settings.MEDIA_ROOT.mkdir(parents=True)
    (settings.MEDIA_ROOT / "evidence").mkdir()
    (settings.MEDIA_ROOT / "evidence" / "scan.pdf").write_bytes(b"%PDF-1.4 demo " + MARKER.encode())
    return settings.MEDIA_ROOT


@pytest.fixture
def data(media):
    organisation = make_organisation("Frauenberatung Rücksicherung")
    make_user("sicherung-fachkraft", organisation=organisation)
    secrets = [Secret.objects.create(name=f"{MARKER} {i}", note="Notiz\nmit Zeilen") for i in range(3)]
    return secrets


def test_round_trip_restores_counts_encrypted_fields_media_and_audit_chain(data, media, tmp_path):
    backup = tmp_path / "sicherung.snb"
    call_command("backup", str(backup))
    before = table_counts()
    assert before["core_auditentry"] >= 2 and before["testapp_secret"] == 3
    raw = backup.read_bytes()
    # Encrypted as a whole: neither names nor file contents nor table names are visible.
    for needle in (MARKER.encode(), b"Frauenberatung", b"core_auditentry", b"%PDF"):
        assert needle not in raw

    # Changes after the backup: a new user, a changed secret, a lost file.
    make_user("nach-der-sicherung", organisation=make_organisation())
    Secret.objects.filter(pk=data[0].pk).update(name="überschrieben")
    (media / "evidence" / "scan.pdf").unlink()

    with pytest.raises(CommandError, match="nicht leer"):
        call_command("restore", str(backup))
    call_command("restore", str(backup), "--force")

    assert table_counts() == before
    assert sorted(Secret.objects.values_list("name", flat=True)) == [f"{MARKER} {i}" for i in range(3)]
    assert Secret.objects.get(pk=data[1].pk).note == "Notiz\nmit Zeilen"
    assert (media / "evidence" / "scan.pdf").read_bytes().endswith(MARKER.encode())
    report = verify_chain()
    assert report.ok and report.checked == before["core_auditentry"]
    # New writes continue the chain (sequences restored) and it still verifies.
    make_user("nach-der-wiederherstellung", organisation=make_organisation())
    assert verify_chain().ok


def test_passphrase_key_wrong_key_tampering_and_truncation_fail(data, tmp_path, monkeypatch):
    backup = tmp_path / "sicherung.snb"
    monkeypatch.setenv(BACKUP_KEY_VAR, "richtige Passphrase für die Sicherung")
    call_command("backup", str(backup))
    monkeypatch.setenv(BACKUP_KEY_VAR, "falsche Passphrase")
    with pytest.raises(CommandError, match="falscher Schlüssel"):
        call_command("restore", str(backup), "--force")
    monkeypatch.delenv(BACKUP_KEY_VAR)
    with pytest.raises(CommandError, match=BACKUP_KEY_VAR):
        call_command("restore", str(backup), "--force")

    monkeypatch.setenv(BACKUP_KEY_VAR, "richtige Passphrase für die Sicherung")
    raw = bytearray(backup.read_bytes())
    tampered = tmp_path / "verändert.snb"
    raw[len(raw) // 2] ^= 0x01
    tampered.write_bytes(bytes(raw))
    with pytest.raises(CommandError, match="verändert"):
        call_command("restore", str(tampered), "--force")
    truncated = tmp_path / "abgeschnitten.snb"
    truncated.write_bytes(backup.read_bytes()[:-100])
    with pytest.raises(CommandError, match="unvollständig|verändert"):
        call_command("restore", str(truncated), "--force")
    # Nothing was changed by the failed attempts.
    assert Secret.objects.count() == 3 and verify_chain().ok


def _key_env():
    return {
        SECRET_KEY_VAR: settings.SECRET_KEY,
        FIELD_KEYS_VAR: ",".join(
            base64.urlsafe_b64encode(k).decode() for k in settings.SCHUTZNETZ_FIELD_KEYS
        ),
        BLIND_INDEX_KEY_VAR: base64.urlsafe_b64encode(settings.SCHUTZNETZ_BLIND_INDEX_KEY).decode(),
    }


def test_restore_into_fresh_installation(data, tmp_path):
    backup = tmp_path / "sicherung.snb"
    call_command("backup", str(backup))
    expected = table_counts()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHUTZNETZ_") and k != "DATABASE_URL"}
    env.update(_key_env())
    env.update(
        {
            "SCHUTZNETZ_DEBUG": "1",
            "SCHUTZNETZ_TEST_APPS": "1",
            "SCHUTZNETZ_VAR_DIR": str(tmp_path / "neu"),
            "DJANGO_SETTINGS_MODULE": "schutznetz.settings",
        }
    )
    fresh_db = None
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        fresh_db = f"restore_{uuid.uuid4().hex[:10]}"
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {fresh_db}")
        auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
        env["DATABASE_URL"] = f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{fresh_db}"
    try:

        def manage(*args):
            return subprocess.run(  # noqa: S603
                [sys.executable, "manage.py", *args],
                cwd=REPO,
                env=env,
                capture_output=True,
                text=True,
                timeout=240,
            )

        result = manage("restore", str(backup))
        assert result.returncode == 0, result.stderr
        assert "alle Zeilenzahlen stimmen" in result.stdout
        check = manage(
            "shell",
            "-c",
            "from schutznetz.testing.testapp.models import Secret; "
            "print(sorted(Secret.objects.values_list('name', flat=True)))",
        )
        assert check.returncode == 0, check.stderr
        assert f"{MARKER} 0" in check.stdout
        assert manage("verify_audit").returncode == 0
        again = manage("restore", str(backup))
        assert again.returncode != 0 and "nicht leer" in again.stderr
        assert (tmp_path / "neu" / "media" / "evidence" / "scan.pdf").exists()
        assert expected["accounts_user"] >= 1
    finally:
        if fresh_db:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {fresh_db} WITH (FORCE)")
