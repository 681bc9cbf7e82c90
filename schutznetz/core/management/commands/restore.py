"""``manage.py restore FILE``: restore a backup written by ``manage.py backup`` into an empty installation.

"Empty" means: no organisation, no user and no audit entry (a freshly migrated database, or a
database without any tables). A non-empty installation is refused unless ``--force`` is given;
then its database is replaced completely. Stop the app servers and the task worker first.

The database must be of the same kind as the one backed up (SQLite → SQLite, PostgreSQL →
PostgreSQL). The same field keys (``SCHUTZNETZ_FIELD_KEYS``) and blind-index key must be
configured, otherwise encrypted fields cannot be read. Afterwards the row counts are compared with
the manifest and the audit chain is verified; any difference fails the command.
"""

import json
import os
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections

from schutznetz.core.audit import verify_chain
from schutznetz.core.management.commands.backup import (
    BackupError,
    DecryptingReader,
    find_pg_tool,
    pg_connection_args,
    table_counts,
)

CHECK_TABLES = ("accounts_organisation", "accounts_user", "core_auditentry")


def installation_is_empty():
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        for table in CHECK_TABLES:
            if table in existing:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608 - constants
                if cursor.fetchone():
                    return False
    return True


def _safe_member_path(name):
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"Unzulässiger Pfad in der Sicherung: {name!r}")
    return path


def unpack(file, target_dir):
    """Decrypt and unpack the backup into ``target_dir``; returns the manifest."""
    target_dir = Path(target_dir)
    manifest = None
    with open(file, "rb") as raw:
        reader = DecryptingReader(raw)
        with tarfile.open(fileobj=reader, mode="r|") as tar:
            for member in tar:
                path = _safe_member_path(member.name)
                if not member.isfile():
                    raise BackupError(f"Unerwarteter Eintrag in der Sicherung: {member.name!r}")
                destination = target_dir.joinpath(*path.parts)
                destination.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(member)
                with open(destination, "wb") as out:
                    while chunk := source.read(1024 * 1024):
                        out.write(chunk)
                if member.name == "manifest.json":
                    manifest = json.loads(destination.read_text(encoding="utf-8"))
        # Read to the end so that a truncated or extended file is detected.
        while reader.read(1024 * 1024):
            pass
    if manifest is None:
        raise BackupError("Die Sicherung enthält kein manifest.json.")
    return manifest


def restore_sqlite(db_file):
    target = str(connection.settings_dict["NAME"])
    connections.close_all()
    source = sqlite3.connect(str(db_file))
    destination = sqlite3.connect(target, timeout=30)
    try:
        source.backup(destination)
    finally:
        destination.close()
        source.close()


def restore_postgresql(db_file):
    args, env = pg_connection_args()
    connections.close_all()
    command = [
        find_pg_tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        *args,
        str(db_file),
    ]
    result = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603 - fixed tool
    if result.returncode != 0:
        raise BackupError(f"pg_restore ist fehlgeschlagen: {result.stderr.strip()}")


def restore_media(media_dir):
    media_root = Path(settings.MEDIA_ROOT)
    count = 0
    if not media_dir.exists():
        return 0
    for file in sorted(p for p in media_dir.rglob("*") if p.is_file()):
        destination = media_root / file.relative_to(media_dir)
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.replace(file, destination)
        count += 1
    return count


def restore_backup(file, force=False):
    """Restore ``file``; returns (manifest, media file count, audit report). Raises BackupError."""
    if not Path(file).is_file():
        raise BackupError(f"Datei {file} nicht gefunden.")
    if not force and not installation_is_empty():
        raise BackupError(
            "Die Installation ist nicht leer (Organisationen, Benutzer oder Audit-Einträge vorhanden). "
            "Wiederherstellen nur in eine leere Installation oder mit --force (ersetzt alle Daten)."
        )
    media_root = Path(settings.MEDIA_ROOT)
    media_root.mkdir(parents=True, exist_ok=True)
    # Unpack beside MEDIA_ROOT, so that moving the files in is a rename on the same file system.
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=media_root.parent) as tmp:
        os.chmod(tmp, 0o700)
        manifest = unpack(file, tmp)
        if manifest.get("vendor") != connection.vendor:
            raise BackupError(
                f"Die Sicherung stammt aus {manifest.get('vendor')}, konfiguriert ist {connection.vendor}."
            )
        db_file = Path(tmp) / manifest["database_file"]
        if connection.vendor == "sqlite":
            restore_sqlite(db_file)
        else:
            restore_postgresql(db_file)
        media_count = restore_media(Path(tmp) / "media")
    counts = table_counts()
    differences = [
        f"{table}: erwartet {expected}, vorhanden {counts.get(table)}"
        for table, expected in manifest["tables"].items()
        if counts.get(table) != expected
    ]
    if differences:
        raise BackupError("Zeilenzahlen weichen von der Sicherung ab: " + "; ".join(differences))
    report = verify_chain()
    if not report.ok:
        raise BackupError(f"Audit-Kette nach der Wiederherstellung gebrochen bei #{report.broken_entry_id}.")
    return manifest, media_count, report


class Command(BaseCommand):
    help = (
        "Stellt eine mit 'backup' geschriebene Sicherung in eine leere Installation wieder her "
        "(mit --force auch in eine nicht leere: ersetzt alle Daten)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="DATEI")
        parser.add_argument(
            "--force", action="store_true", help="Auch eine nicht leere Installation ersetzen."
        )

    def handle(self, *args, file, force=False, **options):
        try:
            manifest, media_count, report = restore_backup(file, force=force)
        except BackupError:
            raise
        except (OSError, tarfile.TarError) as exc:
            raise CommandError(f"Wiederherstellung fehlgeschlagen: {exc}") from exc
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Wiederhergestellt: Sicherung vom {manifest['created_at']}, {len(manifest['tables'])} Tabellen, "
                f"{rows} Zeilen (alle Zeilenzahlen stimmen), {media_count} Dateien, "
                f"Audit-Kette intakt ({report.checked} Einträge)."
            )
        )
