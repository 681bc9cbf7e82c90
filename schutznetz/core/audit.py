"""Appending to and verifying the hash-chained audit log."""

from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from schutznetz.core.models import AuditEntry

GENESIS_HASH = "0" * 64
# Any constant works; it only has to be the same for every writer.
_AUDIT_LOCK_ID = 7_402_311


def _object_identity(obj):
    if obj is None:
        return "", ""
    if isinstance(obj, tuple):
        return obj
    return obj._meta.label_lower, str(obj.pk)


def record(actor, action, obj=None, changed_fields=(), organisation=None):
    """Append one entry to the audit chain, inside the caller's transaction.

    ``obj`` is a model instance or an ``(object_type, object_id)`` pair.
    ``changed_fields`` are field names only, never values.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Audit-Einträge werden nur innerhalb einer Transaktion geschrieben.")
    if connection.vendor == "postgresql":
        # Serialise writers so that two entries never claim the same predecessor.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_AUDIT_LOCK_ID])
    object_type, object_id = _object_identity(obj)
    last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if organisation is None and actor is not None:
        organisation = getattr(actor, "organisation", None)
    entry = AuditEntry(
        created_at=timezone.now(),
        actor=actor,
        actor_label=actor.get_username() if actor is not None else "system",
        organisation=organisation,
        action=action,
        object_type=object_type,
        object_id=object_id,
        changed_fields=sorted(set(changed_fields)),
        prev_hash=last or GENESIS_HASH,
    )
    entry.hash = entry.compute_hash()
    entry.save(force_insert=True)
    return entry


@dataclass
class ChainReport:
    checked: int
    broken_entry_id: int | None = None
    reason: str = ""

    @property
    def ok(self):
        return self.broken_entry_id is None


def verify_chain(progress=None) -> ChainReport:
    """Walk the chain in id order and report the first entry that does not fit."""
    expected_prev = GENESIS_HASH
    checked = 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.prev_hash != expected_prev:
            return ChainReport(
                checked,
                entry.pk,
                "Vorgänger-Hash passt nicht: ein Eintrag davor wurde entfernt oder eingefügt.",
            )
        if entry.compute_hash() != entry.hash:
            return ChainReport(
                checked, entry.pk, "Inhalt passt nicht zum gespeicherten Hash: Eintrag verändert."
            )
        expected_prev = entry.hash
        checked += 1
        if progress is not None:
            progress(checked)
    return ChainReport(checked)
