"""Every write to the directory: one transaction and one audit entry each."""

import hashlib
import json
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from schutznetz.accounts.models import Role, User
from schutznetz.core.services import changed, record_audit, service
from schutznetz.directory import search, taxonomy
from schutznetz.directory.models import (
    DECLINE_FIELDS,
    Municipality,
    Offer,
    OfferRevision,
    Provider,
    RevisionStatus,
    Schedule,
    SearchWord,
    ServedArea,
    ShelterReport,
)

# Plain fields copied from a data dict onto an Offer.
PLAIN_FIELDS = [
    "name", "description", "status", "anonymous", "free_of_charge", "appointment", "step_free",
    "sign_language", "easy_language", "is_24_7", "phone", "phone_description", "email", "website",
    "address_protected", "street", "postal_code", "city", "serves_everywhere", "opening_hours_text",
    "fees_description", "accessibility_description", "family_places", "latitude", "longitude", "is_fictional",
]  # fmt: skip
CODE_FIELDS = ["kinds", "target_groups", "languages", "service_area"]
REVIEW_INTERVAL_DAYS = 182
REMINDER_REPEAT_DAYS = 30


def offer_data(offer):
    """The editable state of an offer as JSON-serialisable data (what a revision stores)."""
    data = {name: getattr(offer, name) for name in PLAIN_FIELDS}
    for name in CODE_FIELDS:
        data[name] = taxonomy.split_codes(getattr(offer, name))
    data["municipality"] = offer.municipality.slug if offer.municipality_id else ""
    data["schedules"] = (
        [
            [s.weekday, s.opens_at.strftime("%H:%M"), s.closes_at.strftime("%H:%M")]
            for s in offer.schedules.all()
        ]
        if offer.pk
        else []
    )
    return data


def _parse_time(value):
    hours, minutes = str(value).split(":")[:2]
    return time(int(hours), int(minutes))


def _apply(offer, data):
    """Set ``data`` on ``offer`` (saved), replace its schedules, refresh search text; changed field names."""
    values = {name: data[name] for name in PLAIN_FIELDS if name in data}
    for name in CODE_FIELDS:
        if name in data:
            values[name] = taxonomy.join_codes(data[name])
    if "municipality" in data:
        municipality = (
            Municipality.objects.filter(slug=data["municipality"]).first() if data["municipality"] else None
        )
        values["municipality"] = municipality
        if municipality and values.get("latitude", offer.latitude) is None:
            values["latitude"], values["longitude"] = municipality.latitude, municipality.longitude
    if any(k in values for k in ("kinds",)) and "frauenhaus" in taxonomy.split_codes(values["kinds"]):
        values["address_protected"] = True  # shelters: always protected
    if values.get("address_protected", offer.address_protected):
        # A protected offer's position is its municipality's centre, never the house.
        # Without a municipality it has no position at all: the finder's radius (``umkreis``,
        # 1–500 km) asked from a few places would otherwise tell where the house is.
        municipality = values.get("municipality", offer.municipality)
        if municipality is not None:
            values["latitude"], values["longitude"] = municipality.latitude, municipality.longitude
        else:
            values["latitude"], values["longitude"] = None, None
    fields = changed(offer, values) if offer.pk else list(values)
    if not offer.pk:
        for name, value in values.items():
            setattr(offer, name, value)
    offer.search_text = search.build_search_text(offer, offer.provider.name)
    offer.full_clean(exclude=["provider", "search_text", "hsds_id"])
    offer.save()
    if "schedules" in data:
        new = sorted((int(d), _parse_time(o), _parse_time(c)) for d, o, c in data["schedules"])
        old = sorted((s.weekday, s.opens_at, s.closes_at) for s in offer.schedules.all())
        if new != old:
            offer.schedules.all().delete()
            Schedule.objects.bulk_create(
                [Schedule(offer=offer, weekday=d, opens_at=o, closes_at=c) for d, o, c in new]
            )
            fields.append("schedules")
    if "service_area" in fields or not offer.served_areas.exists() and offer.area_list:
        offer.served_areas.all().delete()
        ServedArea.objects.bulk_create([ServedArea(offer=offer, slug=slug) for slug in offer.area_list])
    remember_words([offer.search_text])
    return fields


def remember_words(search_texts):
    words = set()
    for text in search_texts:
        words |= search.vocabulary(text)
    words = {w[:80] for w in words}
    if words:
        existing = set(SearchWord.objects.filter(word__in=words).values_list("word", flat=True))
        SearchWord.objects.bulk_create(
            [SearchWord(word=w) for w in sorted(words - existing)], ignore_conflicts=True
        )


def refresh_search_index(offers=None, batch_size=1000):
    """Recompute ``search_text`` (after bulk loads or a taxonomy change) and the vocabulary."""
    offers = offers if offers is not None else Offer.objects.select_related("provider", "municipality")
    batch = []
    for offer in offers.iterator(chunk_size=batch_size):
        offer.search_text = search.build_search_text(offer, offer.provider.name)
        batch.append(offer)
        if len(batch) >= batch_size:
            Offer.objects.bulk_update(batch, ["search_text"])
            remember_words(o.search_text for o in batch)
            batch = []
    if batch:
        Offer.objects.bulk_update(batch, ["search_text"])
        remember_words(o.search_text for o in batch)


def refresh_statistics():
    """Let the query planner see the data after a bulk load (ANALYZE on SQLite and PostgreSQL).

    Without statistics SQLite scans every offer instead of using the place indexes.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def may_edit(user, offer_or_provider):
    provider = getattr(offer_or_provider, "provider", offer_or_provider)
    return user.has_perm("directory.edit_offer", provider)


@service
def save_provider(
    actor, *, name, description="", email="", website="", organisation=None, provider=None, hsds_id=None
):
    data = {
        "name": name,
        "description": description,
        "email": email,
        "website": website,
        "organisation": organisation,
    }
    if provider is None:
        provider = Provider(**data)
        if hsds_id:
            provider.hsds_id = hsds_id
        provider.save()
        record_audit(actor, "directory.provider.create", provider, data.keys())
    else:
        fields = changed(provider, data)
        if fields:
            provider.save(update_fields=fields)
            record_audit(actor, "directory.provider.update", provider, fields)
    return provider


@service
def create_offer(actor, provider, data, hsds_id=None, publish=None):
    """A new offer: published at once by Koordination (or the system), else waiting for review."""
    if actor is not None and not may_edit(actor, provider):
        raise PermissionDenied(_("Sie dürfen für diesen Träger keine Angebote anlegen."))
    direct = actor is None or actor.has_perm("directory.review_offers")
    offer = Offer(provider=provider)
    if hsds_id:
        offer.hsds_id = hsds_id
    fields = _apply(offer, data)
    if direct and publish is not False:
        offer.is_published = True
        offer.verified_at = offer.verified_at or timezone.localdate()
        offer.save(update_fields=["is_published", "verified_at"])
        record_audit(actor, "directory.offer.create", offer, fields)
    else:
        state = offer_data(offer)
        OfferRevision.objects.create(offer=offer, data=state, base=state, submitted_by=actor)
        record_audit(actor, "directory.offer.propose", offer, fields)
    return offer


@service
def update_offer(actor, offer, data, base=None):
    """Koordination changes an offer directly; Anbieter changes wait for review as a revision.

    ``base``: the offer's state the editor started from (``offer_data`` when the form was
    shown). With it, a direct change writes only the fields the editor changed, so another
    coordinator's edit saved in the meantime is kept; a field both changed to different
    values is refused (ValidationError, code "conflict") and nothing is written.

    Returns the revision for a proposed change, or None when applied directly.
    """
    if actor is not None and not may_edit(actor, offer):
        raise PermissionDenied(_("Sie dürfen dieses Angebot nicht bearbeiten."))
    # Lock the offer and read it as it is now: a concurrent edit or approval waits for this
    # transaction (and this one for it), and nothing is written back from a stale copy.
    offer.refresh_from_db(from_queryset=Offer.objects.select_for_update())
    if actor is None or actor.has_perm("directory.review_offers"):
        if base is not None:
            data = _changes_against(offer, data, base)
        fields = _apply(offer, data)
        if fields:
            record_audit(actor, "directory.offer.update", offer, fields)
        return None
    current = offer_data(offer)
    revision = (
        OfferRevision.objects.select_for_update().filter(offer=offer, status=RevisionStatus.PENDING).first()
    )
    # A second change builds on the pending proposal (as the edit form does), so fields the
    # provider did not touch keep the values the proposal was based on.
    proposed = dict(revision.data) if revision is not None else dict(current)
    proposed.update(data)
    names = sorted(k for k, v in proposed.items() if not _same(k, current.get(k), v))
    if not names:
        return None
    if revision is None:
        # ``base``: what the offer looked like when the change was proposed (kept across later
        # changes to the same proposal), so approval can tell the provider's changes from
        # Koordination's later edits.
        revision = OfferRevision.objects.create(offer=offer, data=proposed, base=current, submitted_by=actor)
    else:
        revision.data, revision.submitted_by, revision.submitted_at = proposed, actor, timezone.now()
        revision.save()
    record_audit(actor, "directory.offer.propose", offer, names)
    return revision


def _normalised(name, value):
    """A value as compared for review: opening hours and code lists in a stable order."""
    if name == "schedules":
        return sorted([int(d), str(o)[:5], str(c)[:5]] for d, o, c in value or [])
    if name in CODE_FIELDS:
        return sorted(value or [])
    return value


def _same(name, a, b):
    return _normalised(name, a) == _normalised(name, b)


# How Koordination resolves a field changed both by the proposal and, later, directly.
CHOICE_PROPOSED = "vorschlag"
CHOICE_CURRENT = "aktuell"
CHOICES = (CHOICE_PROPOSED, CHOICE_CURRENT)


@dataclass(frozen=True)
class FieldReview:
    """One field of a proposal in a three-way comparison.

    ``base``: the value when the change was proposed; ``current``: the value now (Koordination
    may have edited the offer since); ``proposed``: the provider's value.
    """

    name: str
    base: Any
    current: Any
    proposed: Any

    @property
    def proposed_change(self):
        """The provider changed this field."""
        return not _same(self.name, self.proposed, self.base)

    @property
    def changed_since(self):
        """The offer's field was changed after the proposal was made."""
        return not _same(self.name, self.current, self.base)

    @property
    def conflict(self):
        """Changed on both sides to different values: Koordination must choose."""
        return (
            self.proposed_change and self.changed_since and not _same(self.name, self.proposed, self.current)
        )


def review_fields(revision, offer=None):
    """[FieldReview] of every field the provider changed or that changed since the proposal.

    A revision without ``base`` (stored before it existed) is compared with the offer as it is:
    every difference counts as the provider's change, as before.
    """
    current = offer_data(offer if offer is not None else revision.offer)
    base = revision.base if revision.base is not None else current
    rows = []
    for name in revision.data:
        row = FieldReview(name, base.get(name), current.get(name), revision.data[name])
        if row.proposed_change or row.changed_since:
            rows.append(row)
    return rows


def review_token(revision, offer=None):
    """A fingerprint of what the review page shows (proposal, its base, the offer now).

    The page sends it back with the decision; if anything changed in between (another
    coordinator edited the offer, the provider changed the proposal), approval is refused.
    """
    state = [revision.data, revision.base, offer_data(offer if offer is not None else revision.offer)]
    return hashlib.sha256(json.dumps(state, sort_keys=True, default=str).encode()).hexdigest()


def own_changes(data, base):
    """The part of ``data`` that differs from ``base`` (what its editor changed)."""
    return {k: v for k, v in data.items() if k not in base or not _same(k, v, base[k])}


def _changes_against(offer, data, base):
    """The part of ``data`` its editor changed against ``base``; refuses a same-field conflict
    (the ValidationError's ``fields`` names them)."""
    current = offer_data(offer)
    mine = own_changes(data, base)
    conflicts = [
        k
        for k, v in mine.items()
        if k in base and not _same(k, current.get(k), base[k]) and not _same(k, v, current.get(k))
    ]
    if conflicts:
        error = ValidationError(
            _(
                "Während Sie bearbeitet haben, wurde das Angebot geändert: %(fields)s. "
                "Es wurde nichts gespeichert. Bitte prüfen Sie diese Angaben und speichern Sie erneut."
            )
            % {"fields": ", ".join(str(field_label(k)) for k in conflicts)},
            code="conflict",
        )
        error.fields = conflicts
        raise error
    return mine


def revision_changes(revision):
    """[(field, old, new)] between the public state and what approval would make of it.

    A new offer (never published) has no public state: every filled-in value is new (comparing
    with the unpublished draft, which already holds the proposal, would show no differences).
    Fields changed since the proposal show the provider's value (see ``review_fields`` for
    the full comparison).
    """
    current = offer_data(revision.offer)
    if not revision.offer.is_published:
        result = dict(current)
        result.update({row.name: row.proposed for row in review_fields(revision) if row.proposed_change})
        empty = ("", None, [], False)
        return [
            (k, None, v)
            for k, v in result.items()
            if v not in empty and k not in ("latitude", "longitude", "status")
        ]
    return [(row.name, row.current, row.proposed) for row in review_fields(revision) if row.proposed_change]


def field_label(name):
    from schutznetz.directory.forms import field_label as label

    return label(name)


@service
def approve_revision(actor, revision, choices=None, token=None):
    """Publish a proposal without losing later edits: a three-way merge.

    Only the fields the provider changed (against ``revision.base``) are applied; fields
    Koordination edited after the proposal keep their current value. A field changed on both
    sides to different values needs an explicit choice in ``choices`` ({field: "vorschlag" or
    "aktuell"}); without one, approval is refused and nothing changes. ``token`` (from
    ``review_token``) refuses approval when the offer or the proposal changed since the page
    was shown. Offer and revision are locked for the transaction, so a concurrent edit or
    approval waits and is then seen.
    """
    if not actor.has_perm("directory.review_offers"):
        raise PermissionDenied(_("Nur die Koordination gibt Änderungen frei."))
    # Lock the offer first, then the revision: the same order as ``update_offer``, so a
    # proposal and an approval at the same moment wait for each other instead of deadlocking.
    offer = (
        Offer.objects.select_for_update(of=("self",))
        .select_related("provider", "municipality")
        .get(pk=revision.offer_id)
    )
    revision = OfferRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.status != RevisionStatus.PENDING:
        raise ValidationError(_("Diese Änderung wurde schon bearbeitet."))
    revision.offer = offer
    if token is not None and token != review_token(revision, offer):
        raise ValidationError(
            _(
                "Das Angebot oder die vorgeschlagene Änderung wurde inzwischen geändert. "
                "Bitte prüfen Sie die Änderung erneut; es wurde nichts freigegeben."
            ),
            code="stale",
        )
    choices = choices or {}
    rows = review_fields(revision, offer)
    open_conflicts = [row for row in rows if row.conflict and choices.get(row.name) not in CHOICES]
    if open_conflicts:
        raise ValidationError(
            _(
                "Diese Angaben wurden nach dem Vorschlag auch von der Koordination geändert: "
                "%(fields)s. Bitte wählen Sie je Angabe, welcher Wert gelten soll."
            )
            % {"fields": ", ".join(str(field_label(row.name)) for row in open_conflicts)},
            code="conflict",
        )
    data = {
        row.name: row.proposed
        for row in rows
        if row.proposed_change and (not row.conflict or choices[row.name] == CHOICE_PROPOSED)
    }
    fields = _apply(offer, data)
    offer.is_published = True
    offer.verified_at = timezone.localdate()
    offer.save(update_fields=["is_published", "verified_at"])
    revision.status, revision.reviewed_by, revision.reviewed_at = (
        RevisionStatus.APPROVED,
        actor,
        timezone.now(),
    )
    revision.save()
    record_audit(actor, "directory.offer.approve", offer, fields + ["is_published"])
    return offer


@service
def reject_revision(actor, revision, reason):
    if not actor.has_perm("directory.review_offers"):
        raise PermissionDenied(_("Nur die Koordination lehnt Änderungen ab."))
    if not (reason or "").strip():
        raise ValidationError({"review_note": _("Bitte geben Sie eine Begründung an.")})
    revision.status, revision.reviewed_by, revision.reviewed_at = (
        RevisionStatus.REJECTED,
        actor,
        timezone.now(),
    )
    revision.review_note = reason.strip()
    revision.save()
    record_audit(actor, "directory.offer.reject", revision.offer, ["status", "review_note"])
    return revision


@service
def verify_offer(actor, offer):
    """The editor confirms the offer's details are current."""
    if not may_edit(actor, offer):
        raise PermissionDenied(_("Sie dürfen dieses Angebot nicht bestätigen."))
    offer.verified_at = timezone.localdate()
    offer.reminder_sent_at = None
    offer.save(update_fields=["verified_at", "reminder_sent_at"])
    record_audit(actor, "directory.offer.verify", offer, ["verified_at"])
    return offer


MAX_COUNT = 500  # places or declined requests in one report; more is a typing error


def _count_errors(values):
    """{field: German message naming the field} for counts that are not whole numbers in 0…MAX_COUNT."""
    errors = {}
    for name, value in values.items():
        label = ShelterReport._meta.get_field(name).verbose_name
        label = str(label)[:1].upper() + str(label)[1:]
        if isinstance(value, bool) or not isinstance(value, int):
            errors[name] = _("%(field)s: bitte eine ganze Zahl angeben.") % {"field": label}
        elif value < 0:
            errors[name] = _("%(field)s: die Zahl darf nicht negativ sein.") % {"field": label}
        elif value > MAX_COUNT:
            errors[name] = _("%(field)s: höchstens %(max)s.") % {"field": label, "max": MAX_COUNT}
    return errors


@service
def report_shelter_places(
    actor, offer, *, free_places, children_allowed, child_places=0, languages="", declined=None
):
    """The one-step update of a shelter: free places now, children, languages, and the requests
    that could not be admitted since the previous report (``declined``: {reason field: count},
    see ``models.DECLINE_FIELDS``; a reason left out counts 0). Only anonymous counts.

    Bad input raises ValidationError naming each field and writes nothing.
    """
    if not offer.is_shelter:
        raise ValidationError(_("Nur Frauenhäuser melden freie Plätze."))
    if not (actor.has_perm("directory.report_shelter", offer.provider)):
        raise PermissionDenied(_("Sie dürfen für dieses Frauenhaus keine Plätze melden."))
    declined = dict(declined or {})
    unknown = sorted(set(declined) - set(DECLINE_FIELDS))
    if unknown:
        raise ValidationError(
            _("Unbekannter Grund für eine abgewiesene Anfrage: %(names)s") % {"names": ", ".join(unknown)}
        )
    counts = {name: declined.get(name, 0) for name in DECLINE_FIELDS}
    errors = _count_errors({"free_places": free_places, "child_places": child_places, **counts})
    if errors:
        raise ValidationError(errors)
    if not children_allowed:
        child_places = 0
    report = ShelterReport.objects.create(
        offer=offer,
        free_places=free_places,
        children_allowed=children_allowed,
        child_places=child_places,
        languages=languages.strip()[:200],
        reported_by=actor,
        **counts,
    )
    record_audit(
        actor,
        "directory.shelter.report",
        offer,
        ["free_places", "children_allowed", "child_places", "languages", *DECLINE_FIELDS],
    )
    return report


def reminder_recipients(offer):
    if offer.provider.organisation_id:
        users = User.objects.filter(
            organisation_id=offer.provider.organisation_id,
            is_active=True,
            role_assignments__role=Role.ANBIETER,
        )
        if users.exists():
            return list(users.exclude(email=""))
    return list(
        User.objects.filter(is_active=True, role_assignments__role=Role.KOORDINATION).exclude(email="")
    )


@service
def send_verification_reminders(now=None):
    """Mail the editors of every offer not verified for 6 months (again after 30 days at most)."""
    from schutznetz.directory.queries import offers_due_for_verification

    now = now or timezone.now()
    due = offers_due_for_verification(timezone.localdate(now)).filter(
        Q(reminder_sent_at__isnull=True) | Q(reminder_sent_at__lte=now - timedelta(days=REMINDER_REPEAT_DAYS))
    )
    sent = 0
    for offer in due.select_related("provider"):
        recipients = reminder_recipients(offer)
        if recipients:
            link = settings.SCHUTZNETZ_SITE_URL + reverse("directory:staff_offer_edit", args=[offer.pk])
            send_mail(
                _("Bitte prüfen: %(name)s") % {"name": offer.name},
                _(
                    "Das Angebot „%(name)s“ wurde seit mehr als sechs Monaten nicht bestätigt.\n"
                    "Bitte prüfen Sie die Angaben und bestätigen Sie sie hier:\n%(link)s\n"
                )
                % {"name": offer.name, "link": link},
                None,
                sorted({u.email for u in recipients}),
            )
            sent += 1
        offer.reminder_sent_at = now
        offer.save(update_fields=["reminder_sent_at"])
        record_audit(None, "directory.offer.remind", offer, ["reminder_sent_at"])
    return sent


@service
def load_region(actor, region_name, rows):
    """Replace the municipalities by ``rows`` (regions.RegionRow); keeps offers' links by name."""
    from schutznetz.directory.regions import region_slug

    keep = {}
    for row in rows:
        slug = region_slug(row.name)
        values = {
            "region": region_name,
            "name": row.name,
            "kind": row.kind,
            "population": row.population,
            "women_share": row.women_share,
            "latitude": row.lat,
            "longitude": row.lon,
            "postcodes": row.postcodes,
        }
        municipality, _created = Municipality.objects.update_or_create(slug=slug, defaults=values)
        keep[slug] = municipality
    Municipality.objects.exclude(slug__in=keep).delete()
    record_audit(actor, "directory.region.load", None, ["municipalities"])
    return len(keep)
