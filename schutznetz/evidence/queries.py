"""Every read of kits and their custody chain, scoped to the user's site.

Evidence staff see the kits at their own site: registered there, held there,
on their way there, or closed (released/destroyed) there. The full chain of
custody only for a kit their site holds, expects, or closed. Nobody else sees
kits; the coordination sees programmes and anonymous counts.
"""

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from schutznetz.accounts.models import Role, User
from schutznetz.core.access import get_scoped_or_404
from schutznetz.core.access_log import log_access, log_access_many
from schutznetz.evidence import codes
from schutznetz.evidence.models import (
    CustodyEvent,
    ExaminationKind,
    Kit,
    KitStatus,
    Programme,
    ReminderChannel,
)


def _site_id(user):
    if not (user and user.is_authenticated and user.is_active and user.has_role(Role.SPURENSICHERUNG)):
        return None
    return user.organisation_id


def visible_kits(user):
    site = _site_id(user)
    if site is None:
        return Kit.objects.none()
    return Kit.objects.filter(
        Q(clinic_id=site)
        | Q(holder_id=site)
        | Q(pending_to_id=site)
        | Q(pk__in=CustodyEvent.objects.filter(site_id=site).values("kit_id"))
    ).select_related("programme", "clinic", "holder", "pending_to")


def access_kit(user, kit_id, purpose="view"):
    return get_scoped_or_404(visible_kits(user), log_user=user, purpose=purpose, pk=kit_id)


def find_kit_id(user, code_text):
    """The id of a visible kit with this code, or None (typos in the code are caught by its check character)."""
    code = codes.normalise(code_text)
    if code is None:
        return None
    return visible_kits(user).filter(code=code).values_list("pk", flat=True).first()


def may_see_chain(user, kit):
    site = _site_id(user)
    if site is None:
        return False
    if site in (kit.holder_id, kit.pending_to_id):
        return True
    if not kit.is_open:
        last = kit.events.order_by("-seq").values_list("site_id", flat=True).first()
        return last == site
    return False


def custody_chain(user, kit):
    """The kit's events in order, or None when the user's site may only see the summary."""
    if not may_see_chain(user, kit):
        return None
    log_access(user, (CustodyEvent._meta.label_lower, f"kit:{kit.pk}"), "custody_chain")
    return list(kit.events.select_related("site", "to_site").order_by("seq"))


def held_kits(user):
    site = _site_id(user)
    return (
        visible_kits(user).filter(holder_id=site, status=KitStatus.CONFIDENTIAL).order_by("retention_until")
    )


def incoming_kits(user):
    site = _site_id(user)
    return visible_kits(user).filter(pending_to_id=site).order_by("examined_at")


def registered_here(user, limit=50):
    site = _site_id(user)
    return visible_kits(user).filter(clinic_id=site).order_by("-examined_at")[:limit]


# The start page lists at most this many held kits (those whose retention ends first).
HELD_LIMIT = 200


def kit_overview(user):
    """The lists of the start page of the module, evaluated and written to the access log."""
    held = list(held_kits(user)[:HELD_LIMIT])
    overview = {
        "held": held,
        "incoming": list(incoming_kits(user)),
        "registered": list(registered_here(user)),
    }
    log_listed(user, [kit for kits in overview.values() for kit in kits])
    # Say so when the list is cut short, instead of hiding kits silently.
    overview["held_total"] = held_kits(user).count() if len(held) == HELD_LIMIT else len(held)
    return overview


def log_listed(user, kits):
    log_access_many(user, list({kit.pk: kit for kit in kits}.values()), "list")


def expiring(user, within_days, after_days=-36500, today=None):
    """Open kits held by the user's site whose retention ends within ``within_days`` days."""
    today = today or timezone.localdate()
    return held_kits(user).filter(
        retention_until__lte=today + datetime.timedelta(days=within_days),
        retention_until__gt=today + datetime.timedelta(days=after_days),
    )


def calls_due(user):
    """Kits whose person asked to be called before destruction; the contact is shown, so it is logged."""
    kits = list(
        held_kits(user).filter(
            reminder_channel=ReminderChannel.PHONE,
            reminder_due_at__isnull=False,
            reminder_sent_at__isnull=True,
        )
    )
    for kit in kits:
        log_access(user, kit, "reminder_contact")
    return kits


def witnesses(user):
    """Colleagues of the same site who can witness a destruction."""
    if _site_id(user) is None:
        return User.objects.none()
    return (
        User.objects.filter(
            organisation_id=user.organisation_id, is_active=True, role_assignments__role=Role.SPURENSICHERUNG
        )
        .exclude(pk=user.pk)
        .order_by("username")
    )


def handover_targets(kit):
    from schutznetz.accounts.models import Organisation

    return (
        Organisation.objects.filter(pk__in=kit.programme.site_ids())
        .exclude(pk=kit.holder_id)
        .order_by("name")
    )


def programmes_for_registration(user):
    site = _site_id(user)
    if site is None:
        return Programme.objects.none()
    return Programme.objects.filter(is_active=True, clinics__id=site).distinct().order_by("title")


def all_programmes(user):
    if not user.has_perm("evidence.manage_programmes"):
        return Programme.objects.none()
    return Programme.objects.select_related("storage_site").prefetch_related("clinics")


def quarter_range(year, quarter):
    tz = timezone.get_current_timezone()
    start = datetime.datetime(year, 3 * (quarter - 1) + 1, 1, tzinfo=tz)
    end = datetime.datetime(year + (quarter == 4), (3 * quarter) % 12 + 1, 1, tzinfo=tz)
    return start, end


def billing_rows(user, year, quarter):
    """Anonymous counts per clinic and type of examination in one quarter (§ 132k SGB V)."""
    if not user.has_perm("evidence.view_billing"):
        return []
    start, end = quarter_range(year, quarter)
    kits = Kit.objects.filter(examined_at__gte=start, examined_at__lt=end)
    if not user.has_role(Role.KOORDINATION):
        kits = kits.filter(clinic_id=user.organisation_id)
    labels = dict(ExaminationKind.choices)
    rows = kits.values("clinic__name", "kind").annotate(count=Count("id")).order_by("clinic__name", "kind")
    return [
        {
            "clinic": row["clinic__name"],
            "kind": str(labels.get(row["kind"], row["kind"])),
            "count": row["count"],
        }
        for row in rows
    ]
