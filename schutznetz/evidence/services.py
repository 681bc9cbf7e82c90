"""Every write to programmes, kits and the custody chain: one transaction, one audit entry.

The custody rules live here, so that no view, command or API can bypass them:
only the site that holds a kit may act on it; a handover stays pending until
the receiving site confirms receipt; nothing happens to a kit after it was
released or destroyed.
"""

import re
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from schutznetz.accounts.models import Role
from schutznetz.core.services import changed, record_audit, service
from schutznetz.evidence import codes
from schutznetz.evidence.models import (
    GENESIS_HASH,
    REMINDER_LEAD,
    CustodyEvent,
    EventKind,
    ExaminationKind,
    ItemCategory,
    Kit,
    KitItem,
    KitStatus,
    Programme,
    RecipientKind,
    ReminderChannel,
    RetentionExtension,
    Waiver,
    add_years,
)

# --- helpers ---------------------------------------------------------------
_PHONE = re.compile(r"\+?[0-9 ()/-]{6,30}")


def _require_evidence_staff(actor):
    if actor is None or not actor.is_authenticated or not actor.has_role(Role.SPURENSICHERUNG):
        raise PermissionDenied(_("Nur Mitarbeitende der Spurensicherung dürfen Sets bearbeiten."))
    if not actor.organisation_id:
        raise PermissionDenied(_("Ihr Zugang ist keiner Stelle zugeordnet."))


def _lock(kit):
    """The kit row, locked for the rest of the transaction, with fresh values."""
    return Kit.objects.select_for_update().select_related("programme").get(pk=kit.pk)


def _require_open(kit):
    if kit.status == KitStatus.DESTROYED:
        raise ValidationError(_("Das Set wurde vernichtet; danach wird nichts mehr eingetragen."))
    if kit.status == KitStatus.RELEASED:
        raise ValidationError(
            _("Das Set wurde herausgegeben und ist nicht mehr in Verwahrung des Netzwerks.")
        )


def _require_holder(actor, kit):
    _require_evidence_staff(actor)
    _require_open(kit)
    if kit.holder_id != actor.organisation_id:
        raise PermissionDenied(
            _("Nur die Stelle, die das Set verwahrt, darf es weitergeben oder bearbeiten.")
        )
    if kit.pending_to_id is not None:
        raise ValidationError(
            _("Das Set ist an %(site)s übergeben; erst wenn der Eingang bestätigt ist, geht es weiter.")
            % {"site": kit.pending_to}
        )


def _require_receiver(actor, kit):
    _require_evidence_staff(actor)
    _require_open(kit)
    if kit.pending_to_id is None or kit.pending_to_id != actor.organisation_id:
        raise PermissionDenied(_("Für Ihre Stelle ist keine Übergabe dieses Sets offen."))


def _require_sender(actor, kit):
    """The actor's site handed the kit over, and the receiving site has not confirmed receipt yet."""
    _require_evidence_staff(actor)
    _require_open(kit)
    site = actor.organisation_id
    if kit.pending_to_id is not None:
        if kit.holder_id == site:
            return
        raise PermissionDenied(_("Nur die übergebende Stelle kann eine Übergabe zurücknehmen."))
    if kit.holder_id == site:
        raise ValidationError(_("Für dieses Set ist keine Übergabe offen, die Sie zurücknehmen könnten."))
    last_handover = kit.events.filter(kind=EventKind.HANDED_OVER).order_by("-seq").first()
    if last_handover is not None and last_handover.site_id == site:
        raise ValidationError(
            _(
                "%(site)s hat den Eingang bereits bestätigt; die Übergabe kann nicht mehr zurückgenommen "
                "werden. Bitten Sie die Stelle, das Set an Ihre Stelle zurückzugeben."
            )
            % {"site": last_handover.to_site}
        )
    raise PermissionDenied(_("Nur die übergebende Stelle kann eine Übergabe zurücknehmen."))


def refusal(actor, kit, receive=False, withdraw=False):
    """Why the actor cannot act on the kit now (holder actions, receipt, withdrawal), or None.

    Lets a page say so before a form is filled in; the services check the same rules again.
    """
    check = _require_sender if withdraw else _require_receiver if receive else _require_holder
    try:
        check(actor, kit)
    except PermissionDenied as exc:
        return str(exc)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return None


def _append_event(actor, kit, kind, site, *, occurred_at=None, **fields):
    """Append one event to the kit's chain (the kit must be locked by the caller)."""
    last = kit.events.order_by("-seq").values_list("seq", "hash").first()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    witness = fields.pop("witness", None)
    event = CustodyEvent(
        kit=kit,
        seq=seq,
        kind=kind,
        occurred_at=occurred_at or timezone.now(),
        actor=actor,
        actor_label=actor.get_username() if actor is not None else "system",
        site=site,
        witness=witness,
        witness_label=witness.get_username() if witness is not None else "",
        prev_hash=prev_hash,
        **fields,
    )
    event.hash = event.compute_hash(kit.code)
    event.save(force_insert=True)
    kit.custody_head = event.hash
    return event


def _clean_reason(reason, required=False, field="reason"):
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationError({field: _("Bitte geben Sie einen Grund an.")})
    return reason


def _erase_contact(kit):
    kit.reminder_channel = ReminderChannel.NONE
    kit.reminder_contact = ""


# --- programmes --------------------------------------------------------------
@service
def save_programme(
    actor, *, title, storage_site, clinics, retention_years=10, is_active=True, programme=None
):
    if actor is not None and not actor.has_perm("evidence.manage_programmes"):
        raise PermissionDenied(_("Nur die Koordination verwaltet Programme."))
    if storage_site.kind != "rechtsmedizin":
        raise ValidationError(
            {"storage_site": _("Die Lagerstelle muss ein rechtsmedizinisches Institut sein.")}
        )
    wrong = [clinic.name for clinic in clinics if clinic.kind != "klinik"]
    if wrong:
        raise ValidationError({"clinics": _("Keine Klinik: %(names)s") % {"names": ", ".join(wrong)}})
    title = (title or "").strip()
    if Programme.objects.filter(title__iexact=title).exclude(pk=getattr(programme, "pk", None)).exists():
        raise ValidationError({"title": _("Ein Programm mit dieser Bezeichnung gibt es schon.")})
    if not 1 <= int(retention_years) <= 30:
        raise ValidationError(
            {"retention_years": _("Die Aufbewahrungsdauer muss zwischen 1 und 30 Jahren liegen.")}
        )
    data = {
        "title": title,
        "storage_site": storage_site,
        "retention_years": int(retention_years),
        "is_active": is_active,
    }
    if programme is None:
        programme = Programme.objects.create(**data)
        programme.clinics.set(clinics)
        record_audit(actor, "evidence.programme.create", programme, [*data, "clinics"])
    else:
        fields = changed(programme, data)
        if set(programme.clinics.values_list("id", flat=True)) != {c.pk for c in clinics}:
            programme.clinics.set(clinics)
            fields.append("clinics")
        if fields:
            programme.save()
            record_audit(actor, "evidence.programme.update", programme, fields)
    return programme


# --- kits -------------------------------------------------------------------
def _new_unique_code():
    for _attempt in range(20):
        code = codes.new_code()
        if not Kit.objects.filter(code=code).exists():
            return code
    raise RuntimeError("Kein freier Code gefunden.")  # 10^12 codes: practically unreachable


@service
def register_kit(
    actor,
    *,
    programme,
    examined_at,
    kind,
    items,
    seal_number,
    declaration_signed=False,
    minor_under_14=False,
    unable_to_consent=False,
    reminder_channel=ReminderChannel.NONE,
    reminder_contact="",
    code=None,
    pin=None,
):
    """Register a kit at the actor's clinic and seal it. Returns ``(kit, pin)``.

    The PIN is returned once, to be printed on the person's card; only its hash is kept.
    """
    _require_evidence_staff(actor)
    clinic = actor.organisation
    if not programme.is_active:
        raise ValidationError({"programme": _("Dieses Programm ist nicht aktiv.")})
    if not programme.clinics.filter(pk=clinic.pk).exists():
        raise PermissionDenied(_("Ihre Stelle ist keine Untersuchungsstelle dieses Programms."))
    if kind not in ExaminationKind.values:
        raise ValidationError({"kind": _("Unbekannte Art der Untersuchung.")})
    if isinstance(examined_at, datetime) and examined_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"examined_at": _("Der Untersuchungszeitpunkt liegt in der Zukunft.")})
    clean_items = {category: int(count or 0) for category, count in items.items()}
    unknown = set(clean_items) - set(ItemCategory.values)
    if unknown:
        raise ValidationError({"items": _("Unbekannte Kategorie: %(c)s") % {"c": ", ".join(sorted(unknown))}})
    if any(count < 0 or count > 99 for count in clean_items.values()):
        raise ValidationError({"items": _("Anzahl je Kategorie: 0 bis 99.")})
    if not any(clean_items.values()):
        raise ValidationError({"items": _("Bitte mindestens ein gesichertes Asservat angeben.")})
    seal_number = (seal_number or "").strip()
    if not seal_number:
        raise ValidationError({"seal_number": _("Bitte die Siegelnummer angeben.")})
    reminder_contact = (reminder_contact or "").strip()
    if reminder_channel not in ReminderChannel.values:
        raise ValidationError({"reminder_channel": _("Unbekannter Kanal.")})
    if reminder_channel == ReminderChannel.NONE:
        reminder_contact = ""
    elif not reminder_contact:
        raise ValidationError(
            {"reminder_contact": _("Für eine Erinnerung braucht es die E-Mail-Adresse oder Telefonnummer.")}
        )
    elif reminder_channel == ReminderChannel.EMAIL:
        try:
            validate_email(reminder_contact)
        except ValidationError as exc:
            raise ValidationError(
                {"reminder_contact": _("Bitte eine gültige E-Mail-Adresse angeben.")}
            ) from exc
    elif not _PHONE.fullmatch(reminder_contact) or sum(c.isdigit() for c in reminder_contact) < 6:
        raise ValidationError(
            {
                "reminder_contact": _(
                    "Bitte eine Telefonnummer angeben (nur Ziffern, Leerzeichen, +, -, /, Klammern)."
                )
            }
        )
    pin = pin or codes.new_pin()
    kit = Kit.objects.create(
        code=code or _new_unique_code(),
        pin_hash=make_password(pin),
        programme=programme,
        clinic=clinic,
        examined_at=examined_at,
        kind=kind,
        declaration_signed=declaration_signed,
        minor_under_14=minor_under_14,
        unable_to_consent=unable_to_consent,
        retention_until=add_years(timezone.localdate(examined_at), programme.retention_years),
        holder=clinic,
        reminder_channel=reminder_channel,
        reminder_contact=reminder_contact,
    )
    KitItem.objects.bulk_create(
        [KitItem(kit=kit, category=category, count=count) for category, count in clean_items.items() if count]
    )
    _append_event(actor, kit, EventKind.SEALED, clinic, seal_number=seal_number, occurred_at=examined_at)
    kit.save(update_fields=["custody_head"])
    record_audit(
        actor,
        "evidence.kit.register",
        kit,
        [
            "code",
            "pin_hash",
            "programme",
            "clinic",
            "examined_at",
            "kind",
            "items",
            "flags",
            "reminder_channel",
        ]
        + (["reminder_contact"] if reminder_contact else []),
    )
    return kit, pin


@service
def hand_over(actor, kit, *, to_site, seal_number, reason=""):
    kit = _lock(kit)
    _require_holder(actor, kit)
    if to_site.pk == kit.holder_id:
        raise ValidationError({"to_site": _("Das Set ist bereits bei dieser Stelle.")})
    if to_site.pk not in kit.programme.site_ids():
        raise ValidationError({"to_site": _("Die empfangende Stelle gehört nicht zum Programm dieses Sets.")})
    seal_number = (seal_number or "").strip()
    if not seal_number:
        raise ValidationError({"seal_number": _("Bitte die Siegelnummer angeben.")})
    event = _append_event(
        actor,
        kit,
        EventKind.HANDED_OVER,
        kit.holder,
        to_site=to_site,
        seal_number=seal_number,
        reason=_clean_reason(reason),
    )
    kit.pending_to = to_site
    kit.save(update_fields=["pending_to", "custody_head"])
    record_audit(actor, "evidence.kit.hand_over", kit, ["pending_to", "custody"])
    return event


@service
def withdraw_hand_over(actor, kit, *, reason, seal_number=""):
    """Take back a handover the receiving site has not confirmed (e.g. made to the wrong site).

    The chain stays append-only: the withdrawal is an event of its own, naming the site the
    handover was addressed to. The kit stays in the sending site's custody and is no longer
    incoming at the other site. After receipt, only a handover back is possible.
    """
    kit = _lock(kit)
    _require_sender(actor, kit)
    reason = _clean_reason(reason, required=True)
    event = _append_event(
        actor,
        kit,
        EventKind.WITHDRAWN,
        kit.holder,
        to_site=kit.pending_to,
        seal_number=(seal_number or "").strip(),
        reason=reason,
    )
    kit.pending_to = None
    kit.save(update_fields=["pending_to", "custody_head"])
    record_audit(actor, "evidence.kit.withdraw_hand_over", kit, ["pending_to", "custody"])
    return event


@service
def confirm_receipt(actor, kit, *, seal_number, reason=""):
    kit = _lock(kit)
    _require_receiver(actor, kit)
    seal_number = (seal_number or "").strip()
    if not seal_number:
        raise ValidationError({"seal_number": _("Bitte die Siegelnummer auf dem Set angeben.")})
    handed = kit.events.filter(kind=EventKind.HANDED_OVER).order_by("-seq").first()
    reason = _clean_reason(reason)
    if handed is not None and handed.seal_number != seal_number and not reason:
        raise ValidationError(
            {
                "reason": _(
                    "Die Siegelnummer weicht von der Übergabe ab (%(seal)s). Bitte den Grund angeben."
                )
                % {"seal": handed.seal_number}
            }
        )
    event = _append_event(
        actor, kit, EventKind.RECEIVED, actor.organisation, seal_number=seal_number, reason=reason
    )
    kit.holder = actor.organisation
    kit.pending_to = None
    kit.save(update_fields=["holder", "pending_to", "custody_head"])
    record_audit(actor, "evidence.kit.receive", kit, ["holder", "pending_to", "custody"])
    return event


@service
def record_storage(actor, kit, *, kind=EventKind.STORED, seal_number="", reason=""):
    """Stored or moved within the holding site (e.g. another freezer)."""
    if kind not in (EventKind.STORED, EventKind.MOVED):
        raise ValidationError({"kind": _("Hier nur „eingelagert“ oder „umgelagert“.")})
    kit = _lock(kit)
    _require_holder(actor, kit)
    event = _append_event(
        actor,
        kit,
        kind,
        kit.holder,
        seal_number=(seal_number or "").strip(),
        reason=_clean_reason(reason, required=kind == EventKind.MOVED),
    )
    kit.save(update_fields=["custody_head"])
    record_audit(actor, f"evidence.kit.{kind}", kit, ["custody"])
    return event


@service
def extend_retention(actor, kit, *, new_until, reason):
    kit = _lock(kit)
    _require_holder(actor, kit)
    reason = _clean_reason(reason, required=True)
    if not isinstance(new_until, date) or new_until <= kit.retention_until:
        raise ValidationError({"new_until": _("Das neue Datum muss nach dem bisherigen Fristende liegen.")})
    if new_until <= timezone.localdate():
        raise ValidationError({"new_until": _("Das neue Fristende muss in der Zukunft liegen.")})
    if new_until > add_years(timezone.localdate(), 30):
        raise ValidationError({"new_until": _("Höchstens 30 Jahre in die Zukunft.")})
    extension = RetentionExtension.objects.create(
        kit=kit, previous_until=kit.retention_until, new_until=new_until, reason=reason, requested_by=actor
    )
    kit.retention_until = new_until
    # A new deadline deserves a new reminder before it.
    kit.reminder_due_at = None
    kit.reminder_sent_at = None
    kit.save(update_fields=["retention_until", "reminder_due_at", "reminder_sent_at"])
    record_audit(actor, "evidence.kit.extend", kit, ["retention_until"])
    return extension


@service
def destroy(actor, kit, *, witness, seal_number="", reason=""):
    """Record the destruction, witnessed by a second person of the holding site. Never silent."""
    kit = _lock(kit)
    _require_holder(actor, kit)
    if witness is None:
        raise ValidationError({"witness": _("Die Vernichtung braucht eine Zeugin oder einen Zeugen.")})
    if witness.pk == actor.pk:
        raise ValidationError({"witness": _("Zeuge kann nicht die handelnde Person selbst sein.")})
    if witness.organisation_id != actor.organisation_id or not witness.is_active:
        raise ValidationError({"witness": _("Der Zeuge muss zur verwahrenden Stelle gehören.")})
    early = kit.retention_until > timezone.localdate()
    reason = _clean_reason(reason, required=early)
    event = _append_event(
        actor,
        kit,
        EventKind.DESTROYED,
        kit.holder,
        witness=witness,
        seal_number=(seal_number or "").strip(),
        reason=reason,
    )
    kit.status = KitStatus.DESTROYED
    kit.holder = None
    kit.closed_at = event.occurred_at
    _erase_contact(kit)
    kit.save()
    record_audit(actor, "evidence.kit.destroy", kit, ["status", "holder", "reminder_contact", "custody"])
    return event


@service
def record_waiver(actor, kit, *, signed_on, form_reference, recipient_kind, recipient_office):
    kit = _lock(kit)
    _require_holder(actor, kit)
    errors = {}
    if not isinstance(signed_on, date) or signed_on > timezone.localdate():
        errors["signed_on"] = _("Das Datum darf nicht in der Zukunft liegen.")
    elif signed_on < timezone.localdate(kit.examined_at):
        errors["signed_on"] = _("Das Datum darf nicht vor der Untersuchung liegen.")
    if not (form_reference or "").strip():
        errors["form_reference"] = _("Bitte das Aktenzeichen des Formulars angeben.")
    if recipient_kind not in RecipientKind.values:
        errors["recipient_kind"] = _("Bitte Polizei oder Staatsanwaltschaft wählen.")
    if not (recipient_office or "").strip():
        errors["recipient_office"] = _("Bitte die empfangende Dienststelle angeben.")
    if errors:
        raise ValidationError(errors)
    data = {
        "signed_on": signed_on,
        "form_reference": form_reference.strip(),
        "recipient_kind": recipient_kind,
        "recipient_office": recipient_office.strip(),
        "recorded_by": actor,
    }
    waiver = Waiver.objects.filter(kit=kit).first()
    if waiver is None:
        waiver = Waiver.objects.create(kit=kit, **data)
        record_audit(actor, "evidence.waiver.record", waiver, data.keys())
    else:
        fields = changed(waiver, data)
        if fields:
            waiver.save()
            record_audit(actor, "evidence.waiver.update", waiver, fields)
    return waiver


@service
def release(actor, kit, *, seal_number, reason=""):
    """Hand the kit to the police or prosecutor named in the waiver; it leaves the network's custody."""
    kit = _lock(kit)
    _require_holder(actor, kit)
    waiver = Waiver.objects.filter(kit=kit).first()
    if waiver is None:
        raise ValidationError(_("Ohne erfasste Schweigepflichtentbindung wird kein Set herausgegeben."))
    seal_number = (seal_number or "").strip()
    if not seal_number:
        raise ValidationError({"seal_number": _("Bitte die Siegelnummer angeben.")})
    event = _append_event(
        actor,
        kit,
        EventKind.RELEASED,
        kit.holder,
        seal_number=seal_number,
        recipient_office=f"{waiver.get_recipient_kind_display()}: {waiver.recipient_office}",
        reason=_clean_reason(reason),
    )
    kit.status = KitStatus.RELEASED
    kit.holder = None
    kit.closed_at = event.occurred_at
    _erase_contact(kit)
    kit.save()
    record_audit(actor, "evidence.kit.release", kit, ["status", "holder", "reminder_contact", "custody"])
    return event


# --- reminders -------------------------------------------------------------------
def reminders_due(today=None):
    today = today or timezone.localdate()
    return Kit.objects.filter(
        status=KitStatus.CONFIDENTIAL,
        reminder_sent_at__isnull=True,
        retention_until__lte=today + REMINDER_LEAD,
    ).exclude(reminder_channel=ReminderChannel.NONE)


def _send_one(kit_id, now):
    """Send or queue one reminder; idempotent because the locked row is re-checked."""
    with transaction.atomic():
        kit = Kit.objects.select_for_update().filter(pk=kit_id).first()
        if (
            kit is None
            or kit.status != KitStatus.CONFIDENTIAL
            or kit.reminder_sent_at is not None
            or kit.reminder_channel == ReminderChannel.NONE
        ):
            return None
        if kit.reminder_channel == ReminderChannel.EMAIL:
            context = {
                "retention_until": kit.retention_until,
                "status_url": settings.SCHUTZNETZ_SITE_URL + reverse("evidence:status"),
            }
            send_mail(
                # Neutral on purpose: the mailbox may be read by someone else.
                _("Erinnerung an eine Frist"),
                render_to_string("evidence/mail/reminder.txt", context),
                settings.SCHUTZNETZ_NEUTRAL_EMAIL_FROM,
                [kit.reminder_contact],
            )
            kit.reminder_sent_at = now
            fields = ["reminder_sent_at"]
            action = "evidence.reminder.mail"
        else:
            # No machine calls a person: the holding site sees the call on its list.
            if kit.reminder_due_at is not None:
                return None
            kit.reminder_due_at = now
            fields = ["reminder_due_at"]
            action = "evidence.reminder.call_due"
        kit.save(update_fields=fields)
        record_audit(None, action, kit, fields, organisation=kit.holder)
        return kit.reminder_channel


def send_due_reminders(now=None):
    """Send every due reminder once; returns ``{"email": n, "phone": m}``."""
    now = now or timezone.now()
    counts = {ReminderChannel.EMAIL.value: 0, ReminderChannel.PHONE.value: 0}
    for kit_id in list(reminders_due(timezone.localdate(now)).values_list("pk", flat=True)):
        channel = _send_one(kit_id, now)
        if channel:
            counts[channel] += 1
    return counts


@service
def mark_call_done(actor, kit):
    """The holding site called the person as agreed; the call leaves the list."""
    kit = _lock(kit)
    _require_holder(actor, kit)
    if kit.reminder_channel != ReminderChannel.PHONE or kit.reminder_due_at is None:
        raise ValidationError(_("Für dieses Set ist kein Anruf fällig."))
    if kit.reminder_sent_at is None:
        kit.reminder_sent_at = timezone.now()
        kit.save(update_fields=["reminder_sent_at"])
        record_audit(actor, "evidence.reminder.call_done", kit, ["reminder_sent_at"])
    return kit


def erase_closed_contacts(queryset):
    """Retention: erase reminder contacts of released or destroyed kits (one audit entry each)."""
    count = 0
    for kit in queryset:
        with transaction.atomic():
            _erase_contact(kit)
            kit.save(update_fields=["reminder_channel", "reminder_contact"])
            record_audit(None, "evidence.kit.erase_contact", kit, ["reminder_contact"])
        count += 1
    return count
