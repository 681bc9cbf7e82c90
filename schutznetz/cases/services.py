"""Every write to cases, conferences, actions and deadlines: one transaction, one audit entry.

Services take the acting user first and check the rules themselves, so a view
(or the API, or a command) cannot forget a check.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse, translate_url
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from schutznetz.accounts.models import Organisation, Role, User
from schutznetz.cases import instruments
from schutznetz.cases.models import (
    BAND_ORDER,
    OPEN_ACTION_STATUSES,
    REVOKE_REASON_MAX_LENGTH,
    Action,
    ActionReview,
    ActionStatus,
    AgendaItem,
    AgendaReason,
    Attendance,
    Case,
    CaseCounter,
    CaseNote,
    CaseStatus,
    Category,
    ChronologyEntry,
    ChronologyKind,
    CloseReason,
    Conference,
    ConferenceKind,
    ConferenceStatus,
    ConfidentialityAcknowledgement,
    Deadline,
    DeadlineKind,
    LegalBasis,
    LegalBasisKind,
    Participation,
    ParticipationReason,
    Person,
    PersonRemovalReason,
    PersonRole,
    Referral,
    ReferralStatus,
    RepeatMatch,
    RiskAssessment,
    RiskBand,
    Section,
    SectionShare,
    ShareRevocation,
)
from schutznetz.cases.municipalities import clean_municipality
from schutznetz.cases.tasks import send_case_mail
from schutznetz.core.crypto import blind_index
from schutznetz.core.services import changed, record_audit, service

RETURN_BAN_DAYS = 10
RETURN_BAN_EXTENSION_DAYS = 10
IDENTITY_PURPOSE = "cases.person"


# --- helpers ----------------------------------------------------------------------------------------


def _require(actor, perm, obj=None, message=None):
    if isinstance(obj, Case) and actor is not None and actor.is_authenticated:
        # Decide on the current state, not on an access computed earlier for this instance.
        from schutznetz.cases.queries import annotate_access

        annotate_access(actor, [obj])
        obj._access_user = actor.pk
    if actor is None or not actor.has_perm(perm, obj):
        raise PermissionDenied(message or _("Dazu sind Sie nicht berechtigt."))


def _require_conference_open(conference, field=None):
    """A cancelled conference refuses agenda, acknowledgement, attendance and outcomes (clear message)."""
    if conference.is_cancelled:
        message = _("Diese Fallkonferenz wurde abgesagt; dafür ist nichts mehr möglich.")
        raise ValidationError({field: message} if field else message)


def _notify(users, subject, path, reason):
    """Queue a mail with a link only. Staff mails are in the site's language (German) whatever language
    the person who caused them uses, so subject and reason come as lazy texts and the link without a
    language prefix."""
    ids = [user.pk for user in users]
    if ids:
        # Resolved in the caller's language, reversed in the site's: "/en/intern/…" → "/intern/…".
        link_path = translate_url(path, settings.LANGUAGE_CODE)
        with translation.override(settings.LANGUAGE_CODE):
            send_case_mail.enqueue(ids, str(subject), link_path, str(reason))


def _org_staff(organisation_id, role=Role.FACHKRAFT):
    return User.objects.filter(organisation_id=organisation_id, is_active=True, role_assignments__role=role)


def _case_path(case):
    return reverse("cases:detail", args=[case.pk])


def active_legal_basis(case, organisation):
    return (
        LegalBasis.objects.filter(case=case, organisation=organisation, withdrawn_at__isnull=True)
        .order_by("-recorded_at", "-id")
        .first()
    )


def _require_basis(case, organisation, field=None):
    """The organisation's active legal basis; refused with a clear message (on ``field`` if given)."""
    basis = active_legal_basis(case, organisation)
    if basis is None:
        message = _(
            "Für %(org)s ist keine gültige Rechtsgrundlage erfasst (Einwilligung, § 4 KKG, § 8a SGB VIII, "
            "§ 34a PolG NRW oder begründetes hohes Risiko). Ohne Rechtsgrundlage wird nichts geteilt."
        ) % {"org": organisation}
        raise ValidationError({field: message} if field else message)
    return basis


def _participate(case, organisation, reason):
    participation, created = Participation.objects.get_or_create(
        case=case, organisation=organisation, defaults={"reason": reason}
    )
    if not created and participation.ended_at is not None:
        participation.ended_at = None
        participation.save(update_fields=["ended_at"])
    return participation


def _share(actor, case, organisation, sections, basis):
    created = []
    for section in sections:
        _obj, new = SectionShare.objects.get_or_create(
            case=case,
            organisation=organisation,
            section=section,
            defaults={"legal_basis": basis, "shared_by": actor},
        )
        if new:
            created.append(section)
    return created


def _brings_or_leads(case, organisation):
    return organisation.pk in (case.bringing_organisation_id, case.lead_organisation_id)


# --- deadlines arithmetic ---------------------------------------------------------------------------


def twelve_months_after(day):
    """The same calendar day a year later (29 February → 28 February): "within 12 months" spans 366 days
    when a 29 February lies in between, not always 365."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def twelve_months_before(moment):
    """The same calendar moment a year earlier (29 February → 28 February); works on dates and datetimes."""
    try:
        return moment.replace(year=moment.year - 1)
    except ValueError:
        return moment.replace(year=moment.year - 1, day=28)


def return_ban_end(
    ordered_on: date, application_filed_on: date | None = None, court_decision_on: date | None = None
):
    """Last day of a return ban under § 34a PolG NRW.

    The ban ends with the tenth day after the order. If the person at risk files an
    application under the Gewaltschutzgesetz within that time, it lasts until the
    court's decision, but at most ten days more.
    """
    end = ordered_on + timedelta(days=RETURN_BAN_DAYS)
    if application_filed_on is None or not (ordered_on <= application_filed_on <= end):
        return end
    latest = end + timedelta(days=RETURN_BAN_EXTENSION_DAYS)
    if court_decision_on is not None:
        return max(end, min(court_decision_on, latest)) if court_decision_on >= ordered_on else end
    return latest


# --- cases ------------------------------------------------------------------------------------------


def _next_number(year):
    counter, _created = CaseCounter.objects.select_for_update().get_or_create(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"FK-{year}-{counter.last:04d}"


@dataclass
class RepeatNotice:
    """What the referring user learns of a repeat: that it exists, when last conferenced, who leads.

    ``earlier_case_id`` is set only when the user's organisation already takes part in the earlier case.
    """

    earlier_case_number: str
    last_conferenced_on: date | None
    lead_organisation: str
    earlier_case_id: int | None


@service
def create_case(actor, *, category, municipality="", persons=(), lead_organisation=None, now=None):
    """A new case brought by the actor's organisation; returns (case, repeat notices)."""
    _require(actor, "cases.create_case")
    errors = {}
    if category not in Category.values:
        errors["category"] = [_("Bitte wählen Sie eine Kategorie.")]
    try:
        municipality = clean_municipality(municipality)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    org = actor.organisation
    case = Case.objects.create(
        number=_next_number(timezone.localtime(now).year),
        category=category,
        municipality=municipality,
        bringing_organisation=org,
        lead_organisation=org,
        created_by=actor,
        created_at=now,
    )
    _participate(case, org, ParticipationReason.BROUGHT)
    record_audit(actor, "case.create", case, ["number", "category", "municipality", "bringing_organisation"])
    notices = []
    for data in persons:
        _person, found = add_person(actor, case, **data)
        notices.extend(found)
    if lead_organisation is not None and lead_organisation.pk != org.pk:
        transfer_lead(actor, case, lead_organisation)
    return case, _unique_notices(notices)


def _unique_notices(notices):
    seen, result = set(), []
    for notice in notices:
        if notice.earlier_case_number not in seen:
            seen.add(notice.earlier_case_number)
            result.append(notice)
    return result


PERSON_FIELDS = (
    "role", "first_name", "last_name", "aliases", "date_of_birth", "address", "phone",
    "phone_safe_to_call", "age", "school_or_kita", "notes",
)  # fmt: skip


def identity_index(first_name, last_name, date_of_birth):
    if not (first_name or last_name) or not date_of_birth:
        return ""
    return blind_index(first_name or "", last_name or "", date_of_birth.isoformat(), purpose=IDENTITY_PURPOSE)


@service
def add_person(actor, case, **data):
    """Add a person; compares the blind index with cases of the last 12 months (all organisations)."""
    _require(actor, "cases.manage_case", case)
    unknown = set(data) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationError(_("Unbekannte Angaben: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if data.get("role") not in PersonRole.values:
        raise ValidationError({"role": _("Bitte wählen Sie die Rolle der Person.")})
    if not (data.get("first_name") or data.get("last_name") or data.get("aliases")):
        raise ValidationError({"last_name": _("Bitte geben Sie einen Namen oder eine Bezeichnung an.")})
    person = Person(case=case, **data)
    person.identity_index = identity_index(person.first_name, person.last_name, person.date_of_birth)
    person.save()
    if person.role == PersonRole.CHILD:
        _update_children_count(case)
    record_audit(actor, "case.person.add", person, [k for k, v in data.items() if v not in ("", None)])
    return person, detect_repeats(actor, case, person)


# What a case manager may correct after creation (the role stays: remove and add the person instead).
EDITABLE_PERSON_FIELDS = (
    "first_name", "last_name", "aliases", "date_of_birth", "address", "phone", "phone_safe_to_call", "age",
    "school_or_kita", "notes",
)  # fmt: skip
IDENTITY_FIELDS = frozenset({"first_name", "last_name", "date_of_birth"})


def _update_children_count(case):
    case.children_count = case.persons.filter(role=PersonRole.CHILD).count()
    case.save(update_fields=["children_count"])


@service
def update_person(actor, person, **data):
    """Correct a person's details; returns (person, repeat notices).

    A changed name or date of birth recomputes the blind index, and repeat detection runs again exactly
    as on creation. The audit entry names the changed fields, never their values.
    """
    case = person.case
    _require(actor, "cases.manage_case", case)
    unknown = set(data) - set(EDITABLE_PERSON_FIELDS)
    if unknown:
        raise ValidationError(_("Unbekannte Angaben: %(f)s") % {"f": ", ".join(sorted(unknown))})
    names = {name: data.get(name, getattr(person, name)) for name in ("first_name", "last_name", "aliases")}
    if not any(names.values()):
        raise ValidationError({"last_name": _("Bitte geben Sie einen Namen oder eine Bezeichnung an.")})
    if data.get("date_of_birth") and data["date_of_birth"] > timezone.localdate():
        raise ValidationError({"date_of_birth": _("Das Geburtsdatum liegt in der Zukunft.")})
    fields = changed(person, data)
    if not fields:
        return person, []
    if IDENTITY_FIELDS & set(fields):
        index = identity_index(person.first_name, person.last_name, person.date_of_birth)
        if index != person.identity_index:
            person.identity_index = index
            fields.append("identity_index")
    person.save(update_fields=fields)
    record_audit(actor, "case.person.update", person, fields)
    notices = detect_repeats(actor, case, person) if "identity_index" in fields else []
    return person, notices


@service
def remove_person(actor, person, reason):
    """Remove a wrongly added person with its data; the reason goes into the audit entry's action."""
    case = person.case
    _require(actor, "cases.manage_case", case)
    if reason not in PersonRemovalReason.values:
        raise ValidationError({"reason": _("Bitte geben Sie an, warum die Person entfernt wird.")})
    removed = [name for name in PERSON_FIELDS if getattr(person, name) not in ("", None, False)]
    identity = (person._meta.label_lower, str(person.pk))
    was_child = person.role == PersonRole.CHILD
    person.delete()
    if was_child:
        _update_children_count(case)
    record_audit(actor, f"case.person.remove.{reason}", identity, removed)


def detect_repeats(actor, case, person, now=None):
    if not person.identity_index:
        return []
    now = now or timezone.now()
    since = twelve_months_before(timezone.localtime(now))
    earlier = (
        Case.objects.filter(persons__identity_index=person.identity_index)
        .exclude(pk=case.pk)
        .filter(Q(created_at__gte=since) | Q(last_conferenced_on__gte=since.date()))
        .select_related("lead_organisation")
        .distinct()
        .order_by("-created_at")
    )
    notices = []
    for other in earlier:
        participates = Participation.objects.filter(
            case=other, organisation_id=actor.organisation_id, ended_at__isnull=True
        ).exists()
        notices.append(
            RepeatNotice(
                other.number,
                other.last_conferenced_on,
                other.lead_organisation.name,
                other.pk if participates else None,
            )
        )
        _mark_repeat(actor, case, other, notify_chair=not participates)
    return notices


def _mark_repeat(actor, case, earlier, *, notify_chair, renew=False, reason=None):
    """Mark ``case`` as a repeat of ``earlier`` (the same case for a new incident); True if newly marked.

    The repeat comes to the next conference agenda (reason "Wiederholungsfall", see ``build_agenda``).
    ``renew``: a repeat already recorded before the case's last conference counts again (a new incident
    after that conference), so it goes back on the agenda and the chair is told again.
    """
    match, created = RepeatMatch.objects.get_or_create(case=case, earlier_case=earlier)
    renewed = (
        renew
        and not created
        and case.last_conferenced_on is not None
        and timezone.localdate(match.detected_at) <= case.last_conferenced_on
    )
    if renewed:
        match.detected_at = timezone.now()
        match.chair_notified = False
        match.save(update_fields=["detected_at", "chair_notified"])
    if not case.is_repeat:
        case.is_repeat = True
        case.save(update_fields=["is_repeat"])
    if created or renewed:
        record_audit(actor, "case.repeat.detected", case, ["is_repeat"])
        if notify_chair:
            _notify_chair_of_repeat(case, match, reason)
    return created or renewed


def incident_is_repeat(case, incident_date):
    """A repeat is any new incident within 12 months of the last conference (on or after its day).

    Decided on the stored date, not on a copy of the case loaded before a conference recorded its outcome.
    """
    last = Case.objects.filter(pk=case.pk).values_list("last_conferenced_on", flat=True).get()
    case.last_conferenced_on = last
    return last is not None and last <= incident_date <= twelve_months_after(last)


def _chair_organisation_ids():
    upcoming = Conference.objects.filter(status=ConferenceStatus.PLANNED, date__gte=timezone.localdate())
    ids = set(upcoming.values_list("chair_organisation_id", flat=True))
    if not ids:
        ids = set(Conference.objects.order_by("-date").values_list("chair_organisation_id", flat=True)[:1])
    return ids


def _chair_users():
    ids = _chair_organisation_ids()
    users = User.objects.filter(is_active=True, role_assignments__role=Role.MODERATION)
    return users.filter(organisation_id__in=ids) if ids else users


def _notify_chair_of_repeat(case, match, reason=None):
    match.chair_notified = True
    match.save(update_fields=["chair_notified"])
    _notify(
        _chair_users(),
        gettext_lazy("schutznetz: Wiederholungsfall erkannt"),
        reverse("cases:conference_list"),
        reason or gettext_lazy("Für einen neu eingebrachten Fall wurde ein Wiederholungsfall erkannt. Er wird für die "
                    "nächste Fallkonferenz vorgeschlagen."),
    )  # fmt: skip


@service
def record_legal_basis(actor, case, organisation, kind, *, consent_date=None, consent_scope="",
                       consent_given_by="", justification=""):  # fmt: skip
    _require(actor, "cases.manage_case", case)
    errors = {}
    if kind not in LegalBasisKind.values:
        errors["kind"] = _("Bitte wählen Sie eine Rechtsgrundlage.")
    if kind == LegalBasisKind.CONSENT:
        if not consent_date:
            errors["consent_date"] = _("Bei einer Einwilligung ist das Datum anzugeben.")
        elif consent_date > timezone.localdate():
            errors["consent_date"] = _("Das Datum der Einwilligung liegt in der Zukunft.")
        if not consent_scope.strip():
            errors["consent_scope"] = _("Bei einer Einwilligung ist ihr Umfang anzugeben.")
        if not consent_given_by.strip():
            errors["consent_given_by"] = _("Bitte geben Sie an, wer die Einwilligung erteilt hat.")
    if kind == LegalBasisKind.HIGH_RISK and len(justification.strip()) < 20:
        errors["justification"] = _(
            "Eine Weitergabe ohne Einwilligung wegen hohen Risikos braucht eine schriftliche Begründung "
            "(mindestens 20 Zeichen)."
        )
    if kind == LegalBasisKind.POLG_34A and case.bringing_organisation.kind != "polizei":
        errors["kind"] = _("§ 34a Abs. 4 PolG NRW ist eine Grundlage für Weitergaben der Polizei.")
    if errors:
        raise ValidationError(errors)
    basis = LegalBasis.objects.create(
        case=case,
        organisation=organisation,
        kind=kind,
        consent_date=consent_date if kind == LegalBasisKind.CONSENT else None,
        consent_scope=consent_scope if kind == LegalBasisKind.CONSENT else "",
        consent_given_by=consent_given_by if kind == LegalBasisKind.CONSENT else "",
        justification=justification,
        recorded_by=actor,
    )
    record_audit(actor, "case.legal_basis.record", basis, ["kind", "organisation"])
    return basis


@service
def withdraw_legal_basis(actor, basis, now=None):
    """Consent withdrawn: no further sharing; what was lawfully shared before stays, content after is hidden."""
    _require(actor, "cases.manage_case", basis.case)
    if basis.withdrawn_at is not None:
        raise ValidationError(_("Diese Rechtsgrundlage ist bereits widerrufen."))
    basis.withdrawn_at = now or timezone.now()
    basis.save(update_fields=["withdrawn_at"])
    record_audit(actor, "case.legal_basis.withdraw", basis, ["withdrawn_at"])
    return basis


@service
def share_case(actor, case, organisation, sections, reason=ParticipationReason.INVITED):
    """Invite an organisation and share sections with it; refused without an active legal basis."""
    _require(actor, "cases.manage_case", case)
    sections = list(dict.fromkeys(sections))
    if not sections or not set(sections) <= set(Section.values):
        raise ValidationError({"sections": _("Bitte wählen Sie mindestens einen Abschnitt.")})
    if _brings_or_leads(case, organisation):
        raise ValidationError({"organisation": _("Diese Organisation sieht den Fall bereits vollständig.")})
    basis = _require_basis(case, organisation)
    _participate(case, organisation, reason)
    created = _share(actor, case, organisation, sections, basis)
    record_audit(actor, "case.share", case, created)
    _notify(
        _org_staff(organisation.pk),
        gettext_lazy("schutznetz: Ein Fall wurde mit Ihrer Organisation geteilt"),
        _case_path(case),
        gettext_lazy("Ihre Organisation wurde an einem Fall beteiligt."),
    )
    return created


@service
def revoke_share(actor, case, organisation, section, reason):
    """Take one shared section back from an organisation, with a reason (whoever may share may revoke).

    The share is deleted, so the organisation no longer sees the section (pages and API read the shares);
    a ``ShareRevocation`` keeps who took it back, when and why. Its earlier reads stay in the access log
    and so in the Art. 15 report. The bringing and the lead organisation see the whole case: nothing can
    be taken back from them.
    """
    _require(actor, "cases.manage_case", case)
    if section not in Section.values:
        raise ValidationError({"section": _("Bitte wählen Sie einen Abschnitt.")})
    if _brings_or_leads(case, organisation):
        raise ValidationError(
            {"organisation": _("Die einbringende und die fallverantwortliche Organisation sehen den ganzen "
                               "Fall; ihnen kann kein Abschnitt entzogen werden.")}
        )  # fmt: skip
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Bitte geben Sie einen Grund für die Rücknahme der Freigabe an.")})
    if len(reason) > REVOKE_REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": _("Der Grund darf höchstens %(limit)d Zeichen lang sein.")
                % {"limit": REVOKE_REASON_MAX_LENGTH}
            }
        )
    share = SectionShare.objects.filter(case=case, organisation=organisation, section=section).first()
    if share is None:
        raise ValidationError(
            {"section": _("Der Abschnitt „%(section)s“ ist für %(org)s nicht freigegeben.")
             % {"section": Section(section).label, "org": organisation}}
        )  # fmt: skip
    if (
        section == Section.ACTIONS
        and Action.objects.filter(
            case=case, organisation=organisation, status__in=OPEN_ACTION_STATUSES
        ).exists()
    ):
        raise ValidationError(
            {"section": _("%(org)s hält eine offene Maßnahme in diesem Fall und braucht dafür den Abschnitt "
                          "„Maßnahmen“.") % {"org": organisation}}
        )  # fmt: skip
    revocation = ShareRevocation.objects.create(
        case=case, organisation=organisation, section=section, reason=reason, shared_at=share.shared_at,
        revoked_by=actor,
    )  # fmt: skip
    share.delete()
    record_audit(actor, "case.share.revoke", case, [section])
    return revocation


@service
def invite_organisation(actor, case, organisation):
    """Let an organisation take part (e.g. for the conference) without sharing any section with it.

    It sees the case's header (number, category, status, organisations, risk band) and no section until
    one is shared with it through ``share_case``, which needs a recorded legal basis for it.
    """
    _require(actor, "cases.manage_case", case)
    if _brings_or_leads(case, organisation):
        raise ValidationError({"organisation": _("Diese Organisation sieht den Fall bereits vollständig.")})
    if not organisation.is_active:
        raise ValidationError({"organisation": _("Diese Organisation ist nicht mehr aktiv.")})
    if Participation.objects.filter(case=case, organisation=organisation, ended_at__isnull=True).exists():
        raise ValidationError(
            {"organisation": _("%(org)s ist an diesem Fall bereits beteiligt.") % {"org": organisation}}
        )
    _participate(case, organisation, ParticipationReason.INVITED)
    record_audit(actor, "case.invite", case, ["participations"])
    _notify(
        _org_staff(organisation.pk),
        gettext_lazy("schutznetz: Ihre Organisation wurde zu einem Fall eingeladen"),
        _case_path(case),
        gettext_lazy(
            "Ihre Organisation wurde an einem Fall beteiligt. Abschnitte werden gesondert freigegeben."
        ),
    )
    return case


@service
def end_participation(actor, case, organisation):
    _require(actor, "cases.manage_case", case)
    if _brings_or_leads(case, organisation):
        raise ValidationError(
            _("Die einbringende und die fallverantwortliche Organisation bleiben beteiligt.")
        )
    updated = Participation.objects.filter(
        case=case, organisation=organisation, ended_at__isnull=True
    ).update(ended_at=timezone.now())
    SectionShare.objects.filter(case=case, organisation=organisation).delete()
    record_audit(actor, "case.participation.end", case, ["participations"])
    return updated


@service
def transfer_lead(actor, case, organisation):
    """Hand the lead (Fallverantwortung) to another organisation; it needs a legal basis unless it brought
    the case. The new lead sees the whole case; the former one keeps what is shared with it."""
    _require(actor, "cases.manage_case", case)
    if organisation is None:
        raise ValidationError({"organisation": _("Bitte wählen Sie eine Organisation.")})
    if organisation.pk == case.lead_organisation_id:
        raise ValidationError(
            {"organisation": _("%(org)s hat die Fallverantwortung bereits.") % {"org": organisation}}
        )
    if not organisation.is_active:
        raise ValidationError({"organisation": _("Diese Organisation ist nicht mehr aktiv.")})
    if organisation.pk != case.bringing_organisation_id:
        _require_basis(case, organisation, field="organisation")
    _participate(case, organisation, ParticipationReason.LEAD)
    case.lead_organisation = organisation
    case.save(update_fields=["lead_organisation"])
    record_audit(actor, "case.lead", case, ["lead_organisation"])
    if organisation.pk != actor.organisation_id:
        _notify(
            _org_staff(organisation.pk),
            gettext_lazy("schutznetz: Fallverantwortung übertragen"),
            _case_path(case),
            gettext_lazy("Ihrer Organisation wurde die Fallverantwortung für einen Fall übertragen."),
        )
    return case


@service
def assess_risk(actor, case, instrument_id, answers, *, judgement_band="", reason="", instrument_dirs=None):
    """Score an instrument; judgement may raise the band with a reason, never lower it. High proposes the case."""
    _require(actor, "cases.contribute", case)
    from schutznetz.cases.queries import section_visible

    if not section_visible(actor, case, Section.RISK):
        raise PermissionDenied(_("Der Abschnitt Risiko ist für Ihre Organisation nicht freigegeben."))
    instrument = instruments.get_instrument(instrument_id, instrument_dirs)
    if instrument is None:
        raise ValidationError({"instrument": _("Unbekanntes Instrument.")})
    known = {item.id for item in instrument.items}
    answers = {key: bool(value) for key, value in answers.items() if key in known}
    computed = instrument.band_for(answers)
    final = computed
    if judgement_band:
        if judgement_band not in RiskBand.values:
            raise ValidationError({"judgement_band": _("Unbekannte Stufe.")})
        if BAND_ORDER[judgement_band] < BAND_ORDER[computed]:
            raise ValidationError(
                {
                    "judgement_band": _(
                        "Die fachliche Einschätzung darf die Stufe des Instruments nicht senken."
                    )
                }
            )
        if BAND_ORDER[judgement_band] > BAND_ORDER[computed]:
            if len(reason.strip()) < 10:
                raise ValidationError(
                    {"reason": _("Wer die Stufe anhebt, muss das begründen (mindestens 10 Zeichen).")}
                )
            final = judgement_band
    assessment = RiskAssessment.objects.create(
        case=case,
        instrument=instrument.id,
        instrument_version=instrument.version,
        answers=answers,
        score=instrument.score(answers),
        computed_band=computed,
        final_band=final,
        judgement_reason=reason if final != computed else "",
        organisation=actor.organisation,
        assessed_by=actor,
    )
    case.risk_band = final
    case.save(update_fields=["risk_band"])
    record_audit(actor, "case.risk.assess", assessment, ["answers", "final_band"])
    if final == RiskBand.HIGH and case.proposed_at is None:
        propose_for_conference(actor, case)
    return assessment


@service
def add_chronology_entry(actor, case, *, date, text, kind=ChronologyKind.EVENT):
    """An entry of the chronology. A new incident within 12 months of the case's last conference makes
    the case a repeat: it comes back to the next conference and the chair is told (without content).
    ``entry.marks_repeat`` says whether this entry did that."""
    _require(actor, "cases.contribute", case)
    _require_section(actor, case, Section.CHRONOLOGY)
    errors = {}
    if kind not in ChronologyKind.values:
        errors["kind"] = _("Bitte wählen Sie die Art des Eintrags.")
    if not text.strip():
        errors["text"] = _("Bitte beschreiben Sie das Ereignis.")
    if kind == ChronologyKind.INCIDENT and date > timezone.localdate():
        errors["date"] = _("Ein neuer Vorfall kann nicht in der Zukunft liegen.")
    if errors:
        raise ValidationError(errors)
    entry = ChronologyEntry.objects.create(
        case=case, date=date, kind=kind, text=text, organisation=actor.organisation, created_by=actor
    )
    record_audit(actor, "case.chronology.add", entry, ["date", "kind", "text"])
    entry.marks_repeat = kind == ChronologyKind.INCIDENT and incident_is_repeat(case, date)
    if entry.marks_repeat:
        _mark_repeat(
            actor, case, case, notify_chair=True, renew=True,
            reason=gettext_lazy("Für einen Fall wurde innerhalb von 12 Monaten nach seiner letzten Fallkonferenz ein "
                     "neuer Vorfall erfasst. Er wird als Wiederholungsfall für die nächste Fallkonferenz "
                     "vorgeschlagen."),
        )  # fmt: skip
    return entry


@service
def add_note(actor, case, *, text):
    _require(actor, "cases.contribute", case)
    _require_section(actor, case, Section.NOTES)
    if not text.strip():
        raise ValidationError({"text": _("Bitte geben Sie eine Notiz ein.")})
    note = CaseNote.objects.create(case=case, text=text, organisation=actor.organisation, created_by=actor)
    record_audit(actor, "case.note.add", note, ["text"])
    return note


def _require_section(actor, case, section):
    from schutznetz.cases.queries import section_visible

    if not section_visible(actor, case, section):
        raise PermissionDenied(_("Dieser Abschnitt ist für Ihre Organisation nicht freigegeben."))


@service
def propose_for_conference(actor, case):
    """Refer the case to the next conference; the chair is told (without content)."""
    if not (actor.has_perm("cases.propose_case", case) or actor.has_perm("cases.manage_case", case)):
        raise PermissionDenied(_("Dazu sind Sie nicht berechtigt."))
    if case.proposed_at is not None:
        return None
    case.proposed_at = timezone.now()
    case.save(update_fields=["proposed_at"])
    referral = Referral.objects.create(
        case=case, from_organisation=actor.organisation, referred_at=case.proposed_at, created_by=actor
    )
    record_audit(actor, "case.propose", case, ["proposed_at"])
    _notify(
        _chair_users(),
        gettext_lazy("schutznetz: Neuer Fall für die Fallkonferenz"),
        reverse("cases:conference_list"),
        gettext_lazy("Ein Fall wurde für die nächste Fallkonferenz vorgeschlagen."),
    )
    return referral


def _proposals(case, *statuses):
    return Referral.objects.filter(case=case, to_organisation__isnull=True, status__in=statuses)


def _accept_proposals(case, now=None):
    """The case is on an agenda: its waiting proposal is accepted; the referring organisation is told."""
    now = now or timezone.now()
    count = 0
    for referral in _proposals(case, ReferralStatus.PENDING):
        referral.status = ReferralStatus.ACCEPTED
        referral.decided_at = now
        referral.save(update_fields=["status", "decided_at"])
        _notify_referrer(referral)
        count += 1
    return count


def _complete_proposals(case, now=None, withdraw_pending=False):
    """The conference recorded its outcome (or the case was closed): the open proposal is completed.

    A proposal still waiting is completed too when the conference discussed the case anyway (e.g. on the
    agenda for open actions); when the case is closed first it is withdrawn (``withdraw_pending``).
    """
    now = now or timezone.now()
    count = 0
    for referral in _proposals(case, ReferralStatus.PENDING, ReferralStatus.ACCEPTED):
        fields = ["status"]
        if referral.status == ReferralStatus.PENDING:
            referral.decided_at = now
            fields.append("decided_at")
        if withdraw_pending and referral.status == ReferralStatus.PENDING:
            referral.status = ReferralStatus.DECLINED
            referral.decline_reason = _("Zurückgezogen: Der Fall wurde abgeschlossen.")
            fields.append("decline_reason")
        else:
            referral.status = ReferralStatus.COMPLETED
            referral.completed_at = now
            fields.append("completed_at")
        referral.save(update_fields=fields)
        _notify_referrer(referral)
        count += 1
    return count


@service
def decline_proposal(actor, referral, reason, now=None):
    """The chair declines a waiting proposal to the conference, with a reason; the referrer is told.

    Only the Moderation of an organisation chairing a planned conference that could collect the case
    (one of the case's participating organisations chairs it or is invited) may decline it.
    """
    _require(actor, "cases.decide_proposal", referral)
    if referral.status != ReferralStatus.PENDING:
        raise ValidationError(
            {"decline_reason": _("Dieser Vorschlag ist nicht mehr offen (Stand: %(s)s).")
             % {"s": referral.get_status_display()}}
        )  # fmt: skip
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"decline_reason": _("Bitte geben Sie einen Grund für die Ablehnung an.")})
    if len(reason) > 300:
        raise ValidationError({"decline_reason": _("Der Grund darf höchstens 300 Zeichen lang sein.")})
    now = now or timezone.now()
    referral.status = ReferralStatus.DECLINED
    referral.decline_reason = reason
    referral.decided_at = now
    referral.save(update_fields=["status", "decline_reason", "decided_at"])
    case = referral.case
    if not _proposals(case, ReferralStatus.PENDING, ReferralStatus.ACCEPTED).exists():
        case.proposed_at = None
        case.save(update_fields=["proposed_at"])
    record_audit(actor, "referral.proposal.decline", referral, ["status", "decline_reason", "decided_at"])
    _notify_referrer(referral)
    return referral


# --- referrals ----------------------------------------------------------------------------------------


@service
def create_referral(actor, case, to_organisation, sections=(Section.PERSONS,), now=None):
    """Refer to a partner (e.g. police → Frauenberatung under § 34a Abs. 4 PolG NRW); needs a legal basis."""
    _require(actor, "cases.manage_case", case)
    if to_organisation.pk == actor.organisation_id:
        raise ValidationError({"to_organisation": _("Bitte wählen Sie eine andere Organisation.")})
    basis = _require_basis(case, to_organisation)
    _participate(case, to_organisation, ParticipationReason.REFERRAL)
    if not _brings_or_leads(case, to_organisation):
        _share(actor, case, to_organisation, sections, basis)
    referral = Referral.objects.create(
        case=case,
        from_organisation=actor.organisation,
        to_organisation=to_organisation,
        referred_at=now or timezone.now(),
        created_by=actor,
    )
    record_audit(actor, "referral.create", referral, ["to_organisation", "status"])
    _notify(
        _org_staff(to_organisation.pk),
        gettext_lazy("schutznetz: Neue Vermittlung"),
        reverse("cases:referral_list"),
        gettext_lazy("Ihrer Organisation wurde ein Fall vermittelt."),
    )
    return referral


def _notify_referrer(referral):
    _notify(
        _org_staff(referral.from_organisation_id),
        gettext_lazy("schutznetz: Stand einer Vermittlung hat sich geändert"),
        reverse("cases:referral_list"),
        gettext_lazy("Der Stand einer Vermittlung Ihrer Organisation hat sich geändert."),
    )


def _require_receiver(actor, referral):
    if (
        referral.to_organisation_id is None
        or actor.organisation_id != referral.to_organisation_id
        or not (actor.has_role(Role.FACHKRAFT))
    ):
        raise PermissionDenied(_("Nur die empfangende Organisation kann die Vermittlung bearbeiten."))


ALLOWED_REFERRAL_STEPS = {
    ReferralStatus.PENDING: {ReferralStatus.ACCEPTED, ReferralStatus.DECLINED},
    ReferralStatus.ACCEPTED: {ReferralStatus.COMPLETED, ReferralStatus.DECLINED},
    ReferralStatus.DECLINED: set(),
    ReferralStatus.COMPLETED: set(),
}


@service
def update_referral(actor, referral, status, reason="", now=None):
    _require_receiver(actor, referral)
    if status not in ALLOWED_REFERRAL_STEPS.get(referral.status, set()):
        raise ValidationError(
            {"status": _("Von „%(a)s“ kann nicht zu „%(b)s“ gewechselt werden.")
             % {"a": referral.get_status_display(), "b": ReferralStatus(status).label if status in
                ReferralStatus.values else status}}
        )  # fmt: skip
    if status == ReferralStatus.DECLINED and not reason.strip():
        raise ValidationError({"decline_reason": _("Bitte geben Sie einen Grund für die Ablehnung an.")})
    now = now or timezone.now()
    referral.status = status
    fields = ["status"]
    if status == ReferralStatus.DECLINED:
        referral.decline_reason = reason.strip()
        fields.append("decline_reason")
    if status in (ReferralStatus.ACCEPTED, ReferralStatus.DECLINED):
        referral.decided_at = now
        fields.append("decided_at")
    if status == ReferralStatus.COMPLETED:
        referral.completed_at = now
        fields.append("completed_at")
    referral.save(update_fields=fields)
    record_audit(actor, "referral.status", referral, fields)
    _notify_referrer(referral)
    return referral


@service
def record_first_contact(actor, referral, when=None):
    _require_receiver(actor, referral)
    when = when or timezone.now()
    # The form takes minutes, the referral keeps seconds: a call in the minute of the referral is after it.
    if when < referral.referred_at.replace(second=0, microsecond=0):
        raise ValidationError(
            {"first_contact_at": _("Der Erstkontakt kann nicht vor der Vermittlung liegen.")}
        )
    if when > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"first_contact_at": _("Der Erstkontakt liegt in der Zukunft.")})
    referral.first_contact_at = when
    referral.save(update_fields=["first_contact_at"])
    record_audit(actor, "referral.first_contact", referral, ["first_contact_at"])
    _notify_referrer(referral)
    return referral


# --- conferences --------------------------------------------------------------------------------------


@service
def create_conference(actor, *, date, kind=ConferenceKind.REGULAR, location="", invited_organisations=()):
    _require(actor, "cases.create_conference")
    if kind not in ConferenceKind.values:
        raise ValidationError({"kind": _("Bitte wählen Sie die Art der Konferenz.")})
    conference = Conference.objects.create(
        kind=kind, date=date, location=location, chair_organisation=actor.organisation, created_by=actor
    )
    conference.invited_organisations.set(invited_organisations)
    record_audit(
        actor, "conference.create", conference, ["kind", "date", "location", "invited_organisations"]
    )
    return conference


@service
def build_agenda(actor, conference):
    """Add proposed cases, repeats and cases with outstanding actions (each once).

    A proposed or repeat case only comes to a conference that one of its participating
    organisations chairs or is invited to: putting a case on an agenda gives the chair a view
    of it, so a chair must not be able to collect the proposals of partners who do not meet
    in that conference.
    """
    from schutznetz.cases.queries import meets_in

    _require(actor, "cases.chair_conference", conference)
    _require_agenda_open(conference)  # a held conference collects nothing: proposals wait for the next
    present = set(conference.agenda_items.values_list("case_id", flat=True))
    meets_here = meets_in(conference)
    open_cases = Case.objects.filter(status=CaseStatus.OPEN)
    candidates = []
    for case in open_cases.filter(meets_here, proposed_at__isnull=False).order_by("proposed_at"):
        candidates.append((case, AgendaReason.PROPOSED))
    # A repeat not discussed since it was detected: never conferenced, or a repeat (e.g. a new incident)
    # recorded after the last time a conference discussed the case.
    discussed_since = AgendaItem.objects.filter(
        case_id=OuterRef(OuterRef("pk")), discussed_at__gte=OuterRef("detected_at")
    )
    undiscussed_repeat = Q(last_conferenced_on__isnull=True) | Q(
        Exists(RepeatMatch.objects.filter(case_id=OuterRef("pk")).filter(~Exists(discussed_since)))
    )
    for case in open_cases.filter(meets_here, undiscussed_repeat, is_repeat=True).order_by("created_at"):
        candidates.append((case, AgendaReason.REPEAT))
    # Outstanding actions come back to the conference series that agreed them (same chair).
    with_actions = (
        open_cases.filter(actions__status__in=OPEN_ACTION_STATUSES)
        .filter(agenda_items__conference__chair_organisation_id=conference.chair_organisation_id)
        .distinct()
        .order_by("created_at")
    )
    for case in with_actions:
        candidates.append((case, AgendaReason.OPEN_ACTIONS))
    position = conference.agenda_items.count()
    added = []
    accepted = 0
    for case, reason in candidates:
        if case.pk in present:
            continue
        present.add(case.pk)
        position += 1
        added.append(
            AgendaItem.objects.create(conference=conference, case=case, reason=reason, position=position)
        )
        accepted += _accept_proposals(case)
    fields = (["agenda_items"] if added else []) + (["referrals"] if accepted else [])
    record_audit(actor, "conference.agenda", conference, fields)
    return added


def _require_agenda_open(conference):
    """A case is put on the agenda of a planned conference only (not a cancelled or held one)."""
    _require_conference_open(conference)
    if conference.status == ConferenceStatus.HELD:
        raise ValidationError(
            _("Diese Fallkonferenz wurde bereits durchgeführt; ihre Tagesordnung kann nicht mehr ergänzt "
              "werden.")
        )  # fmt: skip


def _unknown_case_error():
    """The same answer for an unknown number and a case the actor may not see: never reveal that it exists."""
    return ValidationError({"case": _("Kein Fall mit dieser Nummer, den Sie sehen dürfen.")})


@service
def add_to_agenda(actor, conference, case, reason=AgendaReason.PROPOSED):
    """Put one case on an agenda (ad-hoc conferences); the actor must see the case themselves.

    Only the chair's Moderation, only for a planned conference, only an open case the actor may open
    (``queries.cases_for``), each case once. Refusals are ``ValidationError`` on the field ``case``; a
    case outside the actor's scope gets the same message as an unknown number.
    """
    from schutznetz.cases.queries import cases_for

    _require(actor, "cases.chair_conference", conference)
    _require_agenda_open(conference)
    if reason not in AgendaReason.values:
        raise ValidationError({"reason": _("Unbekannter Grund für die Tagesordnung.")})
    if case is None or not cases_for(actor).filter(pk=case.pk).exists():
        raise _unknown_case_error()
    if not case.is_open:
        raise ValidationError(
            {"case": _("Der Fall %(number)s ist abgeschlossen und kommt nicht mehr auf eine Tagesordnung.")
             % {"number": case.number}}
        )  # fmt: skip
    if AgendaItem.objects.filter(conference=conference, case=case).exists():
        raise ValidationError(
            {"case": _("Der Fall %(number)s steht bereits auf der Tagesordnung dieser Fallkonferenz.")
             % {"number": case.number}}
        )  # fmt: skip
    item = AgendaItem.objects.create(
        conference=conference, case=case, reason=reason, position=conference.agenda_items.count() + 1
    )
    accepted = _accept_proposals(case)
    record_audit(actor, "conference.agenda.add", item, ["case"] + (["referrals"] if accepted else []))
    return item


def add_case_number_to_agenda(actor, conference, number, reason=AgendaReason.PROPOSED):
    """``add_to_agenda`` for a case given by its number (FK-2026-0042), looked up only among the cases
    the actor may open; an unknown number and a case outside the scope get the same message.

    Not a transaction of its own: the look-up is written to the access log even when ``add_to_agenda``
    then refuses (e.g. the case already stands on the agenda)."""
    from schutznetz.cases.queries import case_by_number

    _require(actor, "cases.chair_conference", conference)
    _require_agenda_open(conference)
    number = (number or "").strip().upper()
    if not number:
        raise ValidationError({"case": _("Bitte geben Sie eine Fallnummer an.")})
    case = case_by_number(actor, number)
    if case is None:
        raise _unknown_case_error()
    return add_to_agenda(actor, conference, case, reason)


@service
def acknowledge_confidentiality(actor, conference):
    from schutznetz.cases.queries import conferences_for

    if not conferences_for(actor).filter(pk=conference.pk).exists():
        raise PermissionDenied(_("Sie sind zu dieser Konferenz nicht eingeladen."))
    _require_conference_open(conference)
    ack, created = ConfidentialityAcknowledgement.objects.get_or_create(conference=conference, user=actor)
    if created:
        record_audit(actor, "conference.confidentiality", ack, ["acknowledged_at"])
    return ack


@service
def record_attendance(actor, conference, attendees):
    """``attendees``: users present; everyone who acknowledged but is not listed is recorded absent."""
    _require(actor, "cases.chair_conference", conference)
    _require_conference_open(conference)
    present_ids = {user.pk for user in attendees}
    acknowledged = User.objects.filter(
        pk__in=ConfidentialityAcknowledgement.objects.filter(conference=conference).values("user_id")
    )
    for user in set(acknowledged) | set(attendees):
        if (
            user.pk in present_ids
            and not ConfidentialityAcknowledgement.objects.filter(conference=conference, user=user).exists()
        ):
            raise ValidationError(
                _("%(user)s hat die Vertraulichkeit noch nicht bestätigt.") % {"user": user.get_username()}
            )
        Attendance.objects.update_or_create(
            conference=conference,
            user=user,
            defaults={"organisation_id": user.organisation_id, "present": user.pk in present_ids},
        )
    record_audit(actor, "conference.attendance", conference, ["attendances"])


def _require_chair_of_item(actor, item):
    _require(actor, "cases.chair_conference", item.conference)
    _require_conference_open(item.conference)


@service
def record_case_outcome(actor, item, *, decisions, next_review_date=None):
    _require_chair_of_item(actor, item)
    if not decisions.strip():
        raise ValidationError({"decisions": _("Bitte halten Sie die Beschlüsse fest.")})
    if next_review_date and next_review_date < item.conference.date:
        raise ValidationError({"next_review_date": _("Die nächste Überprüfung liegt vor der Konferenz.")})
    previous_review_date = item.next_review_date
    item.decisions = decisions
    item.next_review_date = next_review_date
    item.discussed_at = timezone.now()
    item.save(update_fields=["decisions", "next_review_date", "discussed_at"])
    case = item.case
    case.last_conferenced_on = item.conference.date
    case.proposed_at = None
    case.save(update_fields=["last_conferenced_on", "proposed_at"])
    completed = _complete_proposals(case, item.discussed_at)
    if next_review_date and case.category == Category.KINDESWOHL:
        _set_review_deadline(case, previous_review_date, next_review_date)
    record_audit(
        actor,
        "conference.outcome",
        item,
        ["decisions", "next_review_date"] + (["referrals"] if completed else []),
    )
    return item


def _set_review_deadline(case, previous_date, review_date):
    """The conference's § 8a review date as an open deadline of the lead organisation. Recording the
    outcome again moves the deadline it set before; review dates the organisations entered themselves
    stay as they are (there may be several, or one on the same day)."""
    reviews = Deadline.objects.filter(
        case=case, kind=DeadlineKind.REVIEW_8A, done_at__isnull=True, organisation=case.lead_organisation
    )
    if reviews.filter(due_date=review_date).exists():
        return
    earlier = reviews.filter(due_date=previous_date).first() if previous_date else None
    if earlier is not None:
        earlier.due_date = review_date
        earlier.save(update_fields=["due_date"])
    else:
        Deadline.objects.create(
            case=case, kind=DeadlineKind.REVIEW_8A, organisation=case.lead_organisation, due_date=review_date
        )


@service
def add_action(actor, item, *, description, organisation, responsible_person="", due_date=None):
    """An action of the plan; the holding organisation takes part and sees the actions section."""
    _require_chair_of_item(actor, item)
    case = item.case
    if not Case.objects.filter(pk=case.pk, status=CaseStatus.OPEN).exists():
        # An action in a closed case would never come back: no agenda, no deadline, no start page.
        raise ValidationError(_("Der Fall wurde abgeschlossen."))
    errors = {}
    if not description.strip():
        errors["description"] = _("Bitte beschreiben Sie die Maßnahme.")
    if due_date and due_date < item.conference.date:
        errors["due_date"] = _("Das Fälligkeitsdatum liegt vor der Konferenz.")
    if errors:
        raise ValidationError(errors)
    if not _brings_or_leads(case, organisation):
        basis = _require_basis(case, organisation)
        _participate(case, organisation, ParticipationReason.ACTION)
        _share(actor, case, organisation, [Section.ACTIONS], basis)
    action = Action.objects.create(
        case=case,
        agenda_item=item,
        description=description,
        organisation=organisation,
        responsible_person=responsible_person,
        due_date=due_date,
    )
    if due_date:
        Deadline.objects.create(
            case=case,
            kind=DeadlineKind.ACTION_DUE,
            organisation=organisation,
            due_date=due_date,
            action=action,
        )
    record_audit(
        actor, "action.create", action, ["description", "organisation", "responsible_person", "due_date"]
    )
    _notify(
        _org_staff(organisation.pk),
        gettext_lazy("schutznetz: Neue Maßnahme für Ihre Organisation"),
        reverse("cases:action_detail", args=[action.pk]),
        gettext_lazy("In einer Fallkonferenz wurde Ihrer Organisation eine Maßnahme übertragen."),
    )
    return action


@service
def review_action(actor, item, action, review):
    """Review of last time's action: done, circumstances changed, or not done."""
    _require_chair_of_item(actor, item)
    if action.case_id != item.case_id:
        raise ValidationError(_("Die Maßnahme gehört nicht zu diesem Fall."))
    if review not in ActionReview.values:
        raise ValidationError({"review": _("Bitte wählen Sie ein Ergebnis der Überprüfung.")})
    action.review = review
    action.reviewed_in = item
    fields = ["review", "reviewed_in"]
    if review == ActionReview.DONE and action.status != ActionStatus.DONE:
        action.status = ActionStatus.DONE
        action.completed_on = action.completed_on or item.conference.date
        fields += ["status", "completed_on"]
    elif review == ActionReview.CHANGED:
        action.status = ActionStatus.CANCELLED
        fields.append("status")
    action.save(update_fields=fields)
    if not action.is_open:
        Deadline.objects.filter(action=action, done_at__isnull=True).update(done_at=timezone.now())
    record_audit(actor, "action.review", action, fields)
    return action


@service
def update_action(actor, action, *, status, outcome=""):
    _require(actor, "cases.update_action", action)
    if status not in ActionStatus.values:
        raise ValidationError({"status": _("Unbekannter Status.")})
    fields = changed(action, {"status": status, "outcome": outcome})
    if status == ActionStatus.DONE and action.completed_on is None:
        action.completed_on = timezone.localdate()
        fields.append("completed_on")
    if fields:
        action.save(update_fields=fields)
        record_audit(actor, "action.update", action, fields)
    if not action.is_open:
        Deadline.objects.filter(action=action, done_at__isnull=True).update(done_at=timezone.now())
    return action


@service
def mark_conference_held(actor, conference):
    _require(actor, "cases.chair_conference", conference)
    _require_conference_open(conference)
    conference.status = ConferenceStatus.HELD
    conference.save(update_fields=["status"])
    record_audit(actor, "conference.held", conference, ["status"])
    return conference


def _require_conference_changeable(conference, cancelling=False):
    """Only a planned conference may be edited or cancelled; a clear message otherwise."""
    if conference.status == ConferenceStatus.HELD:
        raise ValidationError(
            _("Diese Fallkonferenz wurde bereits durchgeführt und kann nicht mehr abgesagt werden.")
            if cancelling
            else _("Diese Fallkonferenz wurde bereits durchgeführt und kann nicht mehr geändert werden.")
        )
    if conference.is_cancelled:
        raise ValidationError(
            _("Diese Fallkonferenz ist bereits abgesagt.")
            if cancelling
            else _("Diese Fallkonferenz wurde abgesagt und kann nicht mehr geändert werden.")
        )


def _put_back(conference, items, now=None):
    """Take undiscussed items off ``conference``'s agenda so that the next ``build_agenda`` collects their
    cases again. A proposal accepted by being put on this agenda goes back to pending (the referring
    organisation is told), unless the case still stands on another planned conference's agenda.
    Proposed cases keep ``proposed_at``; repeats count as undiscussed; cases with open actions come back
    through the earlier conference that agreed them. Returns the number of proposals put back."""
    case_ids = {item.case_id for item in items}
    AgendaItem.objects.filter(pk__in=[item.pk for item in items]).delete()
    still_planned = set(
        AgendaItem.objects.filter(case_id__in=case_ids, conference__status=ConferenceStatus.PLANNED)
        .exclude(conference=conference)
        .values_list("case_id", flat=True)
    )
    reverted = 0
    for referral in Referral.objects.filter(
        case_id__in=case_ids - still_planned, to_organisation__isnull=True, status=ReferralStatus.ACCEPTED
    ):
        referral.status = ReferralStatus.PENDING
        referral.decided_at = None
        referral.save(update_fields=["status", "decided_at"])
        _notify_referrer(referral)
        reverted += 1
    return reverted


def _conference_staff(organisation_ids, exclude=None):
    """Who sees a conference of these organisations: their Fachkraft and Moderation users."""
    users = User.objects.filter(
        organisation_id__in=organisation_ids,
        is_active=True,
        role_assignments__role__in=[Role.FACHKRAFT, Role.MODERATION],
    ).distinct()
    return users.exclude(pk=exclude.pk) if exclude is not None else users


@service
def update_conference(actor, conference, *, date, kind, location="", invited_organisations=()):
    """Change date, kind, place and invitations of a planned conference (the chair's Moderation only).

    An organisation no longer invited loses what the invitation gave it through this conference: it no
    longer sees the conference (list, agenda, minutes), and its users' confidentiality acknowledgements
    and attendance for it are removed. An invitation gives no participation in any case. Undiscussed
    proposed or repeat cases that came to the agenda only because a removed organisation meets here
    (``queries.meets_in``) go back for the next conference, as on a cancellation.
    """
    from schutznetz.cases.queries import meets_in

    _require(actor, "cases.chair_conference", conference)
    _require_conference_changeable(conference)
    errors = {}
    if kind not in ConferenceKind.values:
        errors["kind"] = _("Bitte wählen Sie die Art der Konferenz.")
    if date is None:
        errors["date"] = _("Bitte geben Sie das Datum der Konferenz an.")
    location = (location or "").strip()
    if len(location) > 200:
        errors["location"] = _("Der Ort darf höchstens 200 Zeichen lang sein.")
    invited = {organisation.pk: organisation for organisation in invited_organisations}
    before = set(conference.invited_organisations.values_list("pk", flat=True))
    inactive = [org.name for pk, org in invited.items() if pk not in before and not org.is_active]
    if inactive:
        errors["invited_organisations"] = _("Nicht mehr aktiv: %(orgs)s") % {"orgs": ", ".join(inactive)}
    if errors:
        raise ValidationError(errors)
    fields = changed(conference, {"date": date, "kind": kind, "location": location})
    if fields:
        conference.save(update_fields=fields)
    removed = before - set(invited)
    if set(invited) != before:
        conference.invited_organisations.set(list(invited.values()))
        fields.append("invited_organisations")
    if removed:
        ack = ConfidentialityAcknowledgement.objects.filter(
            conference=conference, user__organisation_id__in=removed
        )
        if ack.exists():
            ack.delete()
            fields.append("acknowledgements")
        attendance = Attendance.objects.filter(conference=conference, organisation_id__in=removed)
        if attendance.exists():
            attendance.delete()
            fields.append("attendances")
        stale = list(
            conference.agenda_items.filter(
                discussed_at__isnull=True, reason__in=[AgendaReason.PROPOSED, AgendaReason.REPEAT]
            ).exclude(case__in=Case.objects.filter(meets_in(conference)))
        )
        if stale:
            fields.append("agenda_items")
            if _put_back(conference, stale):
                fields.append("referrals")
    if fields:
        record_audit(actor, "conference.update", conference, fields)
    return conference


@service
def cancel_conference(actor, conference, reason, now=None):
    """Cancel a planned conference (the chair's Moderation only), with a reason.

    The cases on its agenda go back so that the next conference collects them again (see ``_put_back``);
    the invited organisations (and the chair organisation's other staff) are told by mail (a link, no
    content, no reason). A conference that already
    recorded decisions or actions took place: mark it held instead.
    """
    _require(actor, "cases.chair_conference", conference)
    _require_conference_changeable(conference, cancelling=True)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Bitte geben Sie einen Grund für die Absage an.")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("Der Grund darf höchstens 300 Zeichen lang sein.")})
    items = list(conference.agenda_items.all())
    if (
        any(item.discussed_at for item in items)
        or Action.objects.filter(
            Q(agenda_item__conference=conference) | Q(reviewed_in__conference=conference)
        ).exists()
    ):
        raise ValidationError(
            _("In dieser Fallkonferenz wurden bereits Beschlüsse oder Maßnahmen festgehalten; sie kann nicht "
              "mehr abgesagt werden. Bitte markieren Sie sie als durchgeführt.")
        )  # fmt: skip
    reverted = _put_back(conference, items)
    conference.status = ConferenceStatus.CANCELLED
    conference.cancelled_at = now or timezone.now()
    conference.cancelled_by = actor
    conference.cancel_reason = reason
    conference.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"])
    record_audit(
        actor, "conference.cancel", conference,
        ["status", "cancelled_at", "cancelled_by", "cancel_reason"] + (["agenda_items"] if items else [])
        + (["referrals"] if reverted else []),
    )  # fmt: skip
    invited = list(conference.invited_organisations.values_list("pk", flat=True))
    _notify(
        _conference_staff(invited + [conference.chair_organisation_id], exclude=actor),
        gettext_lazy("schutznetz: Fallkonferenz abgesagt"),
        reverse("cases:conference_detail", args=[conference.pk]),
        gettext_lazy("Eine Fallkonferenz, an der Ihre Organisation teilnehmen sollte, wurde abgesagt."),
    )
    return conference


# --- deadlines ---------------------------------------------------------------------------------------


def _check_return_ban_dates(ordered_on, application_filed_on, court_decision_on):
    """Dates that cannot be: an application before the order, a decision without or before an application
    (a late application is possible: it just does not extend the ban), an order or an application dated
    after today (a mistyped year would otherwise give a deadline years away, silently)."""
    today = timezone.localdate()
    if ordered_on > today:
        raise ValidationError(
            {"ordered_on": _("Das Rückkehrverbot kann nicht nach dem heutigen Tag angeordnet worden sein.")}
        )
    if application_filed_on is not None and application_filed_on > today:
        raise ValidationError(
            {"application_filed_on": _("Der Antrag kann nicht nach dem heutigen Tag gestellt worden sein.")}
        )
    if application_filed_on is not None and application_filed_on < ordered_on:
        raise ValidationError({"application_filed_on": _(
            "Der Antrag kann nicht vor der Anordnung des Rückkehrverbots (%(date)s) gestellt worden sein."
        ) % {"date": formats.date_format(ordered_on, "SHORT_DATE_FORMAT")}})  # fmt: skip
    if court_decision_on is not None and application_filed_on is None:
        raise ValidationError({"court_decision_on": _(
            "Eine gerichtliche Entscheidung setzt einen Antrag nach dem Gewaltschutzgesetz voraus; bitte "
            "geben Sie auch das Datum des Antrags an."
        )})  # fmt: skip
    if court_decision_on is not None and court_decision_on < application_filed_on:
        raise ValidationError(
            {"court_decision_on": _("Die gerichtliche Entscheidung kann nicht vor dem Antrag liegen.")}
        )


@service
def add_deadline(actor, case, *, kind, due_date=None, ordered_on=None, application_filed_on=None,
                 court_decision_on=None, organisation=None):  # fmt: skip
    _require(actor, "cases.contribute", case)
    _require_section(actor, case, Section.DEADLINES)
    if kind not in DeadlineKind.values or kind == DeadlineKind.ACTION_DUE:
        raise ValidationError({"kind": _("Bitte wählen Sie die Art der Frist.")})
    if kind == DeadlineKind.RETURN_BAN:
        if not ordered_on:
            raise ValidationError(
                {"ordered_on": _("Für ein Rückkehrverbot ist das Datum der Anordnung nötig.")}
            )
        _check_return_ban_dates(ordered_on, application_filed_on, court_decision_on)
        due_date = return_ban_end(ordered_on, application_filed_on, court_decision_on)
    elif not due_date:
        raise ValidationError({"due_date": _("Bitte geben Sie das Datum der Frist an.")})
    deadline = Deadline.objects.create(
        case=case,
        kind=kind,
        organisation=organisation or actor.organisation,
        due_date=due_date,
        ordered_on=ordered_on if kind == DeadlineKind.RETURN_BAN else None,
        application_filed_on=application_filed_on if kind == DeadlineKind.RETURN_BAN else None,
        court_decision_on=court_decision_on if kind == DeadlineKind.RETURN_BAN else None,
    )
    record_audit(actor, "deadline.create", deadline, ["kind", "due_date"])
    return deadline


@service
def update_return_ban(actor, deadline, *, application_filed_on=None, court_decision_on=None):
    _require(actor, "cases.contribute", deadline.case)
    if deadline.kind != DeadlineKind.RETURN_BAN:
        raise ValidationError(_("Nur ein Rückkehrverbot kann so verlängert werden."))
    _check_return_ban_dates(deadline.ordered_on, application_filed_on, court_decision_on)
    deadline.application_filed_on = application_filed_on
    deadline.court_decision_on = court_decision_on
    deadline.due_date = return_ban_end(deadline.ordered_on, application_filed_on, court_decision_on)
    deadline.save(update_fields=["application_filed_on", "court_decision_on", "due_date"])
    record_audit(
        actor, "deadline.return_ban", deadline, ["application_filed_on", "court_decision_on", "due_date"]
    )
    return deadline


@service
def complete_deadline(actor, deadline):
    _require(actor, "cases.contribute", deadline.case)
    deadline.done_at = timezone.now()
    deadline.save(update_fields=["done_at"])
    record_audit(actor, "deadline.done", deadline, ["done_at"])
    return deadline


# --- closing, legal hold, retention ------------------------------------------------------------------


@service
def close_case(actor, case, reason, now=None):
    _require(actor, "cases.manage_case", case)
    if reason not in CloseReason.values:
        raise ValidationError({"reason": _("Zum Abschluss eines Falls ist ein Grund anzugeben.")})
    case.status = CaseStatus.CLOSED
    case.close_reason = reason
    case.closed_at = now or timezone.now()
    case.proposed_at = None
    case.save(update_fields=["status", "close_reason", "closed_at", "proposed_at"])
    Deadline.objects.filter(case=case, done_at__isnull=True).update(done_at=case.closed_at)
    # An open proposal to the conference ends with the case: one on an agenda is completed, one still
    # waiting is withdrawn (recorded as declined with that reason).
    ended = _complete_proposals(case, case.closed_at, withdraw_pending=True)
    record_audit(
        actor, "case.close", case, ["status", "close_reason", "closed_at"] + (["referrals"] if ended else [])
    )
    return case


CORRECTABLE_CASE_FIELDS = ("category", "municipality")


@service
def correct_case(actor, case, *, category, municipality, reason, today=None):
    """Correct an open case's category and municipality (those who may manage it); returns the names of
    the changed fields.

    A reason is required. Only the fields that actually changed are saved and named in the one audit
    entry (names, never values); the reason is kept, encrypted, in a chronology entry "Korrektur: …"
    (kind "Ereignis"), which the retention run erases with the case's other free text. Nothing changed:
    nothing is saved or recorded. The statistics count the current values, so a correction moves the case
    to the corrected row; the case number, repeat detection and existing deadlines do not depend on them.
    """
    if not case.is_open:
        _require(actor, "cases.view_case", case)  # who may not see the case learns nothing about it
        raise ValidationError(
            _("Der Fall ist abgeschlossen; Kategorie und Stadt/Gemeinde können nicht mehr korrigiert werden.")
        )
    _require(actor, "cases.manage_case", case)
    errors = {}
    if category not in Category.values:
        errors["category"] = _("Bitte wählen Sie eine Kategorie.")
    try:
        municipality = clean_municipality(municipality, current=case.municipality)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Bitte geben Sie einen Grund für die Korrektur an.")
    elif len(reason) > 500:
        errors["reason"] = _("Der Grund darf höchstens 500 Zeichen lang sein.")
    if errors:
        raise ValidationError(errors)
    fields = changed(case, {"category": category, "municipality": municipality})
    if not fields:
        return []
    case.save(update_fields=fields)
    labels = ", ".join(str(Case._meta.get_field(name).verbose_name) for name in fields)
    ChronologyEntry.objects.create(
        case=case,
        date=today or timezone.localdate(),
        kind=ChronologyKind.EVENT,
        text=_("Korrektur: %(fields)s. Grund: %(reason)s") % {"fields": labels, "reason": reason},
        organisation=actor.organisation,
        created_by=actor,
    )
    record_audit(actor, "case.correct", case, fields)
    return fields


@service
def set_legal_hold(actor, case, hold, reason=""):
    if actor is None or not (actor.has_role(Role.DATENSCHUTZ) or actor.has_perm("cases.access_report", case)):
        raise PermissionDenied(_("Dazu sind Sie nicht berechtigt."))
    if hold and not reason.strip():
        raise ValidationError({"legal_hold_reason": _("Bitte begründen Sie die Löschsperre.")})
    case.legal_hold = hold
    case.legal_hold_reason = reason.strip() if hold else ""
    case.save(update_fields=["legal_hold", "legal_hold_reason"])
    record_audit(actor, "case.legal_hold", case, ["legal_hold", "legal_hold_reason"])
    return case


def erase_identity(case, now=None):
    """Erase identities and free text; keep what anonymous statistics need. Called by retention."""
    Person.objects.filter(case=case).update(
        first_name="", last_name="", aliases="", date_of_birth=None, address="", phone="", school_or_kita="",
        notes="", identity_index="",
    )  # fmt: skip
    ChronologyEntry.objects.filter(case=case).update(text="–")
    CaseNote.objects.filter(case=case).update(text="–")
    LegalBasis.objects.filter(case=case).update(consent_scope="", consent_given_by="", justification="")
    RiskAssessment.objects.filter(case=case).update(judgement_reason="")
    AgendaItem.objects.filter(case=case).update(decisions="")
    Action.objects.filter(case=case).update(description="–", outcome="", responsible_person="")
    ShareRevocation.objects.filter(case=case).update(reason="–")
    # Why a partner or the chair declined a referral is free text about the case, too.
    Referral.objects.filter(case=case).exclude(decline_reason="").update(decline_reason="–")
    case.identity_erased_at = now or timezone.now()
    case.save(update_fields=["identity_erased_at"])


def retention_cutoff(now=None):
    return (now or timezone.now()) - timedelta(days=settings.SCHUTZNETZ_CASE_RETENTION_DAYS)


def organisation_choices():
    return Organisation.objects.filter(is_active=True).order_by("name")
