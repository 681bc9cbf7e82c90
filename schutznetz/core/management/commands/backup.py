"""``manage.py backup FILE``: one consistent, encrypted snapshot of the database and the uploaded files.

What goes in (a tar stream, never written to disk unencrypted except the database snapshot
in a private temporary directory that is removed afterwards):

- ``manifest.json``: format version, database vendor, time, row count per table, field key ids;
- ``database.sqlite3`` (SQLite: the sqlite3 online backup API, a consistent copy even while
  the server writes) or ``database.pgdump`` (PostgreSQL: ``pg_dump -Fc``, which reads in one
  REPEATABLE READ snapshot and restores schema, data, sequences and the audit trigger exactly);
- ``media/…``: every file below MEDIA_ROOT.

The tar stream is encrypted with AES-256-GCM in chunks of 1 MiB (the STREAM construction: the
nonce is the chunk counter plus a "last chunk" flag, so reordered, dropped or truncated chunks
fail). The file key is derived per backup from a random salt:

- from the passphrase in ``SCHUTZNETZ_BACKUP_KEY`` with scrypt, if that variable is set
  (recommended: keep the passphrase apart from the server, e.g. in the county's password safe);
- otherwise from the active field key (first of ``SCHUTZNETZ_FIELD_KEYS``) with HKDF.

Without that key the file is useless; ``restore`` needs the same passphrase or field key.
Sessions and the cache table are left out (they are transient).
"""

import base64
import io
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
from glob import glob
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from schutznetz.core import crypto

MAGIC = b"SCHUTZNETZ-BACKUP\n"
FORMAT_VERSION = 1
CHUNK_SIZE = 1024 * 1024
BACKUP_KEY_VAR = "SCHUTZNETZ_BACKUP_KEY"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
# Tables whose content is transient and not backed up (their structure is).
TRANSIENT_TABLES = ("django_session", "schutznetz_cache")


class BackupError(CommandError):
    pass


# --- key derivation -------------------------------------------------------------------------------


def _derive_key(header):
    salt = base64.b64decode(header["salt"])
    if header["kdf"] == "scrypt":
        passphrase = os.environ.get(BACKUP_KEY_VAR, "")
        if not passphrase:
            raise BackupError(
                f"Diese Sicherung ist mit einer Passphrase verschlüsselt: {BACKUP_KEY_VAR} setzen."
            )
        kdf = Scrypt(salt=salt, length=32, n=header["n"], r=header["r"], p=header["p"])
        return kdf.derive(passphrase.encode("utf-8"))
    if header["kdf"] == "hkdf-field-key":
        keys = {crypto.key_id(key): key for key in settings.SCHUTZNETZ_FIELD_KEYS}
        key = keys.get(header["key_id"])
        if key is None:
            raise BackupError(
                f"Diese Sicherung ist mit dem Feldschlüssel {header['key_id']} verschlüsselt, "
                "der in SCHUTZNETZ_FIELD_KEYS fehlt."
            )
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"schutznetz-backup-v1").derive(key)
    raise BackupError(f"Unbekanntes Schlüsselverfahren {header['kdf']!r}.")


def new_header():
    salt = base64.b64encode(os.urandom(16)).decode("ascii")
    if os.environ.get(BACKUP_KEY_VAR):
        return {
            "version": FORMAT_VERSION,
            "kdf": "scrypt",
            "salt": salt,
            "n": SCRYPT_N,
            "r": SCRYPT_R,
            "p": SCRYPT_P,
        }
    return {
        "version": FORMAT_VERSION,
        "kdf": "hkdf-field-key",
        "salt": salt,
        "key_id": crypto.active_key_id(),
    }


def _nonce(counter, last):
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


class EncryptingWriter(io.RawIOBase):
    """A write-only stream that seals what it receives in AES-256-GCM chunks."""

    def __init__(self, raw, header):
        self.raw = raw
        header_bytes = json.dumps(header, sort_keys=True).encode("ascii")
        raw.write(MAGIC + struct.pack(">I", len(header_bytes)) + header_bytes)
        self.aad = MAGIC + header_bytes
        self.cipher = AESGCM(_derive_key(header))
        self.buffer = bytearray()
        self.counter = 0
        self.finished = False

    def writable(self):
        return True

    def write(self, data):
        self.buffer += data
        while len(self.buffer) > CHUNK_SIZE:
            self._emit(bytes(self.buffer[:CHUNK_SIZE]), last=False)
            del self.buffer[:CHUNK_SIZE]
        return len(data)

    def _emit(self, chunk, last):
        sealed = self.cipher.encrypt(_nonce(self.counter, last), chunk, self.aad)
        self.raw.write(struct.pack(">I", len(sealed)) + sealed)
        self.counter += 1

    def finish(self):
        if not self.finished:
            self._emit(bytes(self.buffer), last=True)
            self.buffer.clear()
            self.finished = True


class DecryptingReader(io.RawIOBase):
    """Reads a file written by EncryptingWriter; fails on any change, reordering or truncation."""

    def __init__(self, raw):
        self.raw = raw
        magic = raw.read(len(MAGIC))
        if magic != MAGIC:
            raise BackupError("Die Datei ist keine schutznetz-Sicherung.")
        (length,) = struct.unpack(">I", raw.read(4))
        header_bytes = raw.read(length)
        try:
            self.header = json.loads(header_bytes)
        except ValueError as exc:
            raise BackupError("Kopf der Sicherung ist beschädigt.") from exc
        if self.header.get("version") != FORMAT_VERSION:
            raise BackupError(f"Sicherungsformat {self.header.get('version')} wird nicht unterstützt.")
        self.aad = MAGIC + header_bytes
        self.cipher = AESGCM(_derive_key(self.header))
        self.counter = 0
        self.pending = b""
        self.done = False

    def readable(self):
        return True

    def _next_chunk(self):
        prefix = self.raw.read(4)
        if len(prefix) < 4:
            raise BackupError("Sicherung ist unvollständig (abgeschnitten).")
        (length,) = struct.unpack(">I", prefix)
        sealed = self.raw.read(length)
        if len(sealed) < length:
            raise BackupError("Sicherung ist unvollständig (abgeschnitten).")
        for last in (False, True):
            try:
                plain = self.cipher.decrypt(_nonce(self.counter, last), sealed, self.aad)
            except InvalidTag:
                continue
            self.counter += 1
            if last:
                self.done = True
                if self.raw.read(1):
                    raise BackupError("Nach dem letzten Block der Sicherung folgen weitere Daten.")
            return plain
        raise BackupError(
            "Sicherung lässt sich nicht entschlüsseln: falscher Schlüssel oder die Datei wurde verändert."
        )

    def readinto(self, buffer):
        while not self.pending and not self.done:
            self.pending = self._next_chunk()
        count = min(len(buffer), len(self.pending))
        buffer[:count] = self.pending[:count]
        self.pending = self.pending[count:]
        return count


# --- database snapshots ---------------------------------------------------------------------------


def find_pg_tool(name):
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]), reverse=True
    )
    if not candidates:
        raise BackupError(f"{name} nicht gefunden (Debian-Paket postgresql-client installieren).")
    return candidates[0]


def pg_connection_args(db=None):
    """Command-line arguments and environment for pg_dump/pg_restore from Django's settings."""
    db = db or connection.settings_dict
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = ["--dbname", str(db["NAME"])]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return args, env


def table_counts(conn=None):
    """Rows per table (all tables the database has, transient ones excluded)."""
    conn = conn or connection
    counts = {}
    with conn.cursor() as cursor:
        for table in sorted(conn.introspection.table_names(cursor)):
            if table in TRANSIENT_TABLES:
                continue
            cursor.execute(f"SELECT COUNT(*) FROM {conn.ops.quote_name(table)}")  # noqa: S608 - names from introspection
            counts[table] = cursor.fetchone()[0]
    return counts


def sqlite_file_counts(path):
    db = sqlite3.connect(str(path))
    try:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            table: db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # noqa: S608 - names from the file
            for table in sorted(tables)
            if table not in TRANSIENT_TABLES
        }
    finally:
        db.close()


def snapshot_sqlite(target):
    source = sqlite3.connect(str(connection.settings_dict["NAME"]))
    destination = sqlite3.connect(str(target))
    try:
        source.backup(destination)
        for table in TRANSIENT_TABLES:
            try:
                destination.execute(f'DELETE FROM "{table}"')  # noqa: S608 - constant names
            except sqlite3.OperationalError:
                pass
        destination.commit()
        destination.execute("VACUUM")
    finally:
        destination.close()
        source.close()


def snapshot_postgresql(target):
    """pg_dump of one exported REPEATABLE READ snapshot; returns the row counts seen in that snapshot."""
    args, env = pg_connection_args()
    command = [
        find_pg_tool("pg_dump"),
        "--format=custom",
        "--no-owner",
        "--no-privileges",
        "--file",
        str(target),
    ]
    for table in TRANSIENT_TABLES:
        command += ["--exclude-table-data", table]
    connection.ensure_connection()
    raw = connection.connection
    previous_autocommit = raw.autocommit
    raw.autocommit = False
    try:
        with raw.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot_id = cursor.fetchone()[0]
            counts = {}
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
            )
            for (table,) in cursor.fetchall():
                if table in TRANSIENT_TABLES:
                    continue
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - names from pg_tables
                counts[table] = cursor.fetchone()[0]
            result = subprocess.run(  # noqa: S603 - fixed tool, arguments from settings
                [*command, f"--snapshot={snapshot_id}", *args], env=env, capture_output=True, text=True
            )
        raw.rollback()
    finally:
        raw.autocommit = previous_autocommit
    if result.returncode != 0:
        raise BackupError(f"pg_dump ist fehlgeschlagen: {result.stderr.strip()}")
    return counts


def write_backup(path, stdout=None):
    """Write the encrypted backup to ``path``; returns the manifest."""
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Datenbank {vendor} wird nicht unterstützt.")
    path = Path(path)
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="schutznetz-backup-") as tmp:
        os.chmod(tmp, 0o700)
        db_name = "database.sqlite3" if vendor == "sqlite" else "database.pgdump"
        db_file = Path(tmp) / db_name
        # The counts come from the snapshot itself, so restore can check them exactly.
        if vendor == "sqlite":
            snapshot_sqlite(db_file)
            counts = sqlite_file_counts(db_file)
        else:
            counts = snapshot_postgresql(db_file)
        media_files = sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(),
            "vendor": vendor,
            "database_file": db_name,
            "tables": counts,
            "media_files": len(media_files),
            "field_key_ids": [crypto.key_id(key) for key in settings.SCHUTZNETZ_FIELD_KEYS],
        }
        partial = path.with_name(path.name + ".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as raw:
                writer = EncryptingWriter(raw, new_header())
                with tarfile.open(fileobj=writer, mode="w|") as tar:
                    data = json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8")
                    info = tarfile.TarInfo("manifest.json")
                    info.size = len(data)
                    tar.addfile(info, io.BytesIO(data))
                    tar.add(db_file, arcname=db_name)
                    for file in media_files:
                        tar.add(file, arcname=f"media/{file.relative_to(media_root).as_posix()}")
                writer.finish()
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, path)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
    return manifest


class Command(BaseCommand):
    help = (
        "Schreibt eine konsistente, verschlüsselte Sicherung (Datenbank und hochgeladene Dateien) "
        f"in DATEI. Schlüssel: Passphrase aus {BACKUP_KEY_VAR}, sonst der aktive Feldschlüssel."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="DATEI")

    def handle(self, *args, file, **options):
        manifest = write_backup(file)
        rows = sum(manifest["tables"].values())
        source = "Passphrase (SCHUTZNETZ_BACKUP_KEY)" if os.environ.get(BACKUP_KEY_VAR) else "Feldschlüssel"
        self.stdout.write(
            self.style.SUCCESS(
                f"Sicherung geschrieben: {file} ({manifest['vendor']}, {len(manifest['tables'])} Tabellen, "
                f"{rows} Zeilen, {manifest['media_files']} Dateien; verschlüsselt mit {source})."
            )
        )
