"""Verifying the hash chains of custody: one chain per kit."""

from dataclasses import dataclass, field

from schutznetz.evidence.models import GENESIS_HASH, Kit


@dataclass
class CustodyReport:
    kits: int = 0
    events: int = 0
    problems: list = field(default_factory=list)  # (kit code, message)

    @property
    def ok(self):
        return not self.problems


def verify_kit(kit):
    """Problems with one kit's chain (empty when intact)."""
    problems = []
    expected_prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    for event in kit.events.order_by("seq"):
        count += 1
        if event.seq != expected_seq:
            problems.append(f"Ereignis {expected_seq} fehlt (gefunden: {event.seq}).")
        if event.prev_hash != expected_prev:
            problems.append(
                f"Ereignis {event.seq}: Vorgänger-Hash passt nicht – Ereignis entfernt oder eingefügt."
            )
        if event.compute_hash(kit.code) != event.hash:
            problems.append(f"Ereignis {event.seq}: Inhalt passt nicht zum Hash – Ereignis verändert.")
        expected_prev = event.hash
        expected_seq = event.seq + 1
    if count == 0:
        problems.append("Keine Verwahrungsereignisse.")
    elif kit.custody_head != expected_prev:
        problems.append(
            "Letztes Ereignis passt nicht zum Stand des Sets – Ereignis am Ende entfernt oder ersetzt."
        )
    return problems, count


def verify_all(progress=None):
    report = CustodyReport()
    for kit in Kit.objects.order_by("pk").iterator(chunk_size=500):
        problems, count = verify_kit(kit)
        report.kits += 1
        report.events += count
        report.problems.extend((kit.code, problem) for problem in problems)
        if progress is not None:
            progress(1)
    return report
