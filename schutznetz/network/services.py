"""Every write of the network module: one transaction, one audit entry, acting user first."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from schutznetz.core.services import changed, record_audit, service
from schutznetz.network import imaging
from schutznetz.network.models import (
    Accession,
    AgendaItem,
    AgreementVersion,
    Attendance,
    Confirmation,
    Decision,
    Material,
    MaterialTopic,
    MaterialVersion,
    Meeting,
    NewsItem,
    PartnerProfile,
    Photo,
    PhotoRendition,
    Task,
    WorkingGroup,
    material_max_bytes,
    photo_max_bytes,
)


def _require(actor, perm, obj=None):
    # ``actor=None`` is the system (demo loader, commands); people need the permission.
    if actor is not None and not actor.has_perm(perm, obj):
        raise PermissionDenied(_("Dafür fehlt Ihnen die Berechtigung."))


def _unique_slug(model, text, exclude_pk=None):
    base = (
        slugify(text.replace("ß", "ss").replace("ä", "ae").replace("ö", "oe").replace("ü", "ue"))[:100]
        or "eintrag"
    )
    slug, number = base, 2
    while model.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug = f"{base}-{number}"
        number += 1
    return slug


# --- Partners -------------------------------------------------------------------------------

PROFILE_FIELDS = ("contribution", "contact_label", "contact_phone", "contact_email", "website", "is_public")


@service
def save_partner_profile(actor, organisation, **data):
    profile = PartnerProfile.objects.filter(organisation=organisation).first()
    _require(actor, "network.edit_partner_profile", profile or organisation)
    data = {k: v for k, v in data.items() if k in PROFILE_FIELDS}
    _validate_profile(data)
    if profile is None:
        profile = PartnerProfile.objects.create(organisation=organisation, **data)
        record_audit(actor, "partner_profile.create", profile, data.keys())
        return profile
    fields = changed(profile, data)
    if fields:
        profile.save()
        record_audit(actor, "partner_profile.update", profile, fields)
    return profile


def _validate_profile(data):
    errors = {}
    if data.get("website"):
        try:
            URLValidator(schemes=["http", "https"])(data["website"])
        except ValidationError:
            errors["website"] = _("Bitte geben Sie eine Web-Adresse mit http:// oder https:// an.")
    if data.get("contact_email"):
        try:
            validate_email(data["contact_email"])
        except ValidationError:
            errors["contact_email"] = _("Bitte geben Sie eine gültige E-Mail-Adresse an.")
    if errors:
        raise ValidationError(errors)


@service
def save_working_group(
    actor, *, name, description="", lead_organisation=None, organisations=(), is_active=True, group=None
):
    _require(actor, "network.manage")
    data = {
        "name": name,
        "description": description,
        "lead_organisation": lead_organisation,
        "is_active": is_active,
    }
    if group is None:
        group = WorkingGroup.objects.create(slug=_unique_slug(WorkingGroup, name), **data)
        fields = list(data)
        action = "working_group.create"
    else:
        fields = changed(group, data)
        group.save()
        action = "working_group.update"
    before = set(group.organisations.values_list("pk", flat=True))
    after = {o.pk for o in organisations}
    if before != after:
        group.organisations.set(list(organisations))
        fields.append("organisations")
    if fields:
        record_audit(actor, action, group, fields)
    return group


# --- Agreement ------------------------------------------------------------------------------


def current_version():
    return (
        AgreementVersion.objects.filter(status=AgreementVersion.Status.PUBLISHED).order_by("-number").first()
    )


@service
def create_version(actor, *, title, body, change_summary=""):
    _require(actor, "network.manage")
    if not body.strip():
        raise ValidationError({"body": _("Der Text der Vereinbarung darf nicht leer sein.")})
    if AgreementVersion.objects.filter(status=AgreementVersion.Status.DRAFT).exists():
        raise ValidationError(_("Es gibt bereits einen Entwurf. Bitte bearbeiten Sie diesen."))
    number = (AgreementVersion.objects.aggregate(m=Max("number"))["m"] or 0) + 1
    version = AgreementVersion.objects.create(
        number=number, title=title, body=body, change_summary=change_summary
    )
    record_audit(actor, "agreement_version.create", version, ["number", "title", "body", "change_summary"])
    return version


@service
def update_draft(actor, version, *, title, body, change_summary=""):
    _require(actor, "network.manage")
    version = AgreementVersion.objects.select_for_update().get(pk=version.pk)
    if not version.is_draft:
        raise ValidationError(
            _("Eine veröffentlichte Fassung kann nicht mehr geändert werden. Legen Sie eine neue an.")
        )
    if not body.strip():
        raise ValidationError({"body": _("Der Text der Vereinbarung darf nicht leer sein.")})
    fields = changed(version, {"title": title, "body": body, "change_summary": change_summary})
    if fields:
        version.save()
        record_audit(actor, "agreement_version.update", version, fields)
    return version


@service
def publish_version(actor, version, effective_on=None):
    """Put a draft in force; the previous version is superseded. Partners then confirm it."""
    _require(actor, "network.manage")
    version = AgreementVersion.objects.select_for_update().get(pk=version.pk)
    if not version.is_draft:
        raise ValidationError(_("Nur ein Entwurf kann veröffentlicht werden."))
    previous = current_version()
    if previous is not None:
        previous.status = AgreementVersion.Status.SUPERSEDED
        previous.save(update_fields=["status"])
    version.status = AgreementVersion.Status.PUBLISHED
    version.effective_on = effective_on or timezone.localdate()
    version.published_at = timezone.now()
    version.save(update_fields=["status", "effective_on", "published_at"])
    fields = ["status", "effective_on", "published_at"] + (
        ["previous_version_superseded"] if previous else []
    )
    record_audit(actor, "agreement_version.publish", version, fields)
    return version


def _check_signature(version, signatory_name, signatory_function, date, date_field):
    errors = {}
    if not signatory_name.strip():
        errors["signatory_name"] = _("Bitte geben Sie an, wer unterzeichnet hat.")
    if not signatory_function.strip():
        errors["signatory_function"] = _("Bitte geben Sie die Funktion an.")
    if date is None:
        errors[date_field] = _("Bitte geben Sie das Datum an.")
    elif date > timezone.localdate():
        errors[date_field] = _("Das Datum darf nicht in der Zukunft liegen.")
    if version.is_draft:
        errors["version"] = _("Ein Entwurf kann nicht unterzeichnet werden.")
    if errors:
        raise ValidationError(errors)


@service
def record_accession(actor, organisation, version, *, signatory_name, signatory_function, signed_on):
    _require(actor, "network.manage")
    _check_signature(version, signatory_name, signatory_function, signed_on, "signed_on")
    # Still a partner, also while a withdrawal announced for a later date has not yet taken effect.
    in_force = Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=timezone.localdate())
    if Accession.objects.filter(organisation=organisation).filter(in_force).exists():
        raise ValidationError({"organisation": _("%(org)s ist bereits beigetreten.") % {"org": organisation}})
    accession = Accession.objects.create(
        organisation=organisation,
        version=version,
        signatory_name=signatory_name.strip(),
        signatory_function=signatory_function.strip(),
        signed_on=signed_on,
    )
    record_audit(
        actor,
        "accession.create",
        accession,
        ["organisation", "version", "signatory_name", "signatory_function", "signed_on"],
    )
    return accession


@service
def record_withdrawal(actor, accession, *, withdrawn_on, reason=""):
    _require(actor, "network.manage")
    accession = Accession.objects.select_for_update().get(pk=accession.pk)
    if accession.withdrawn_on is not None:
        raise ValidationError(_("Der Austritt ist bereits erfasst."))
    if withdrawn_on is None or withdrawn_on < accession.signed_on:
        raise ValidationError({"withdrawn_on": _("Der Austritt kann nicht vor dem Beitritt liegen.")})
    accession.withdrawn_on = withdrawn_on
    accession.withdrawal_reason = reason
    accession.save(update_fields=["withdrawn_on", "withdrawal_reason"])
    record_audit(actor, "accession.withdraw", accession, ["withdrawn_on", "withdrawal_reason"])
    return accession


@service
def record_confirmation(actor, organisation, version, *, signatory_name, signatory_function, confirmed_on):
    _require(actor, "network.manage")
    _check_signature(version, signatory_name, signatory_function, confirmed_on, "confirmed_on")
    today = timezone.localdate()
    accession = (
        Accession.objects.filter(organisation=organisation)
        .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=today))
        .first()
    )
    if accession is None:
        raise ValidationError(
            {
                "organisation": _("%(org)s ist kein Partner; erfassen Sie zuerst den Beitritt.")
                % {"org": organisation}
            }
        )
    if (
        accession.version_id == version.pk
        or Confirmation.objects.filter(organisation=organisation, version=version).exists()
    ):
        raise ValidationError(
            {"organisation": _("%(org)s hat diese Fassung bereits unterzeichnet.") % {"org": organisation}}
        )
    confirmation = Confirmation.objects.create(
        organisation=organisation,
        version=version,
        signatory_name=signatory_name.strip(),
        signatory_function=signatory_function.strip(),
        confirmed_on=confirmed_on,
    )
    record_audit(
        actor,
        "confirmation.create",
        confirmation,
        ["organisation", "version", "signatory_name", "signatory_function", "confirmed_on"],
    )
    return confirmation


# --- Meetings -------------------------------------------------------------------------------

MEETING_FIELDS = ("title", "working_group", "starts_at", "ends_at", "location", "invitation_text")


def _check_times(starts_at, ends_at):
    if starts_at and ends_at and ends_at <= starts_at:
        raise ValidationError({"ends_at": _("Das Ende muss nach dem Beginn liegen.")})


# Start, end and place are what an invitee's calendar entry holds: once invited, a change is mailed.
NOTIFY_ALWAYS = ("starts_at", "ends_at", "location")


def _check_not_cancelled(meeting):
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("Die Sitzung ist abgesagt und kann nicht mehr geändert werden."))


def _mailed_value(field, value):
    if field in ("starts_at", "ends_at"):
        return value.isoformat()
    if field == "working_group":
        return str(value) if value is not None else ""  # the plenum: named in the mail's language
    return value


@service
def save_meeting(actor, meeting=None, *, invited_organisations=None, notify=False, **data):
    """Create or change a meeting. Once invited, a new start, end or place is mailed to the invitees
    with an updated calendar file; other changes only when ``notify`` is set."""
    from schutznetz.network.tasks import send_meeting_update

    _require(actor, "network.manage")
    data = {k: v for k, v in data.items() if k in MEETING_FIELDS}
    _check_times(data.get("starts_at"), data.get("ends_at"))
    mailed = {}
    if meeting is None:
        meeting = Meeting.objects.create(**data)
        fields = list(data)
        action = "meeting.create"
        if invited_organisations is None:
            invited_organisations = _default_invitees(meeting)
    else:
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        _check_not_cancelled(meeting)
        before = {field: getattr(meeting, field) for field in data}
        fields = changed(meeting, data)
        if fields:
            meeting.sequence += 1
            meeting.save()
        invited = meeting.status == Meeting.Status.INVITED and meeting.invited_at is not None
        if invited and fields and (notify or any(f in NOTIFY_ALWAYS for f in fields)):
            mailed = {f: [_mailed_value(f, before[f]), _mailed_value(f, getattr(meeting, f))] for f in fields}
        action = "meeting.update"
    if invited_organisations is not None:
        current = set(meeting.attendances.values_list("organisation_id", flat=True))
        wanted = {o.pk for o in invited_organisations}
        if current != wanted:
            added, removed = sorted(wanted - current), sorted(current - wanted)
            meeting.attendances.filter(organisation_id__in=removed).delete()
            Attendance.objects.bulk_create([Attendance(meeting=meeting, organisation_id=pk) for pk in added])
            fields.append("attendances")
            if meeting.status == Meeting.Status.INVITED and meeting.invited_at is not None:
                # After the invitation went out: those added get it now, those taken off get a
                # calendar file that removes the entry they already have.
                _mail_changed_invitees(meeting.pk, added, removed)
    if fields:
        record_audit(actor, action, meeting, fields + (["update_mailed"] if mailed else []))
    meeting.update_mailed = bool(mailed)
    if mailed:
        meeting_id = meeting.pk
        transaction.on_commit(lambda: send_meeting_update.enqueue(meeting_id, mailed))
    return meeting


def _mail_changed_invitees(meeting_id, added, removed):
    from schutznetz.network.tasks import send_invitation_withdrawn, send_meeting_invitation

    if added:
        transaction.on_commit(lambda: send_meeting_invitation.enqueue(meeting_id, added))
    if removed:
        transaction.on_commit(lambda: send_invitation_withdrawn.enqueue(meeting_id, removed))


@service
def cancel_meeting(actor, meeting, *, reason):
    """Call off a planned or invited meeting; if invitations went out, the invitees get a cancellation
    with a calendar file that removes the entry (METHOD:CANCEL, next SEQUENCE)."""
    from schutznetz.network.tasks import send_meeting_cancellation

    _require(actor, "network.manage")
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("Die Sitzung ist bereits abgesagt."))
    if not meeting.is_cancellable:
        raise ValidationError(_("Eine durchgeführte Sitzung kann nicht abgesagt werden."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Bitte geben Sie den Grund der Absage an; er wird den Eingeladenen mitgeteilt.")}
        )
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancelled_at = timezone.now()
    meeting.cancellation_reason = reason
    meeting.sequence += 1
    meeting.save(update_fields=["status", "cancelled_at", "cancellation_reason", "sequence"])
    record_audit(
        actor, "meeting.cancel", meeting, ["status", "cancelled_at", "cancellation_reason", "sequence"]
    )
    if meeting.invited_at is not None:
        meeting_id = meeting.pk
        transaction.on_commit(lambda: send_meeting_cancellation.enqueue(meeting_id))
    return meeting


def _default_invitees(meeting):
    from schutznetz.network import queries

    if meeting.working_group_id:
        return list(meeting.working_group.organisations.all())
    return queries.active_partners()


@service
def add_agenda_item(actor, meeting, *, title, description=""):
    _require(actor, "network.manage")
    _check_not_cancelled(meeting)
    _check_minutes_open(meeting)
    position = (meeting.agenda_items.aggregate(m=Max("position"))["m"] or 0) + 1
    item = AgendaItem.objects.create(meeting=meeting, position=position, title=title, description=description)
    record_audit(actor, "agenda_item.create", item, ["title", "description", "position"])
    return item


@service
def remove_agenda_item(actor, item):
    _require(actor, "network.manage")
    _check_not_cancelled(item.meeting)
    # Decisions and tasks of finalised minutes name their TOP by number: the agenda stays as it was.
    _check_minutes_open(item.meeting)
    record_audit(actor, "agenda_item.delete", item, ["title"])
    meeting = item.meeting
    item.delete()
    for position, remaining in enumerate(meeting.agenda_items.order_by("position"), start=1):
        if remaining.position != position:
            AgendaItem.objects.filter(pk=remaining.pk).update(position=position)


@service
def send_invitation(actor, meeting, request=None):
    """Mark the meeting as invited; after commit, mail the invited partners agenda and ICS (a task)."""
    from schutznetz.network.tasks import send_meeting_invitation

    _require(actor, "network.manage")
    if meeting.status in (Meeting.Status.HELD, Meeting.Status.CANCELLED):
        raise ValidationError(
            _("Zu einer durchgeführten oder abgesagten Sitzung kann nicht eingeladen werden.")
        )
    if not meeting.agenda_items.exists():
        raise ValidationError(_("Die Einladung braucht mindestens einen Tagesordnungspunkt."))
    meeting.status = Meeting.Status.INVITED
    meeting.invited_at = timezone.now()
    meeting.save(update_fields=["status", "invited_at"])
    record_audit(actor, "meeting.invite", meeting, ["status", "invited_at"])
    meeting_id = meeting.pk
    transaction.on_commit(lambda: send_meeting_invitation.enqueue(meeting_id))
    return meeting


@service
def set_attendance(actor, meeting, organisation, *, status, represented_by=""):
    _require(actor, "network.manage")
    _check_not_cancelled(meeting)
    if status not in Attendance.Status.values:
        raise ValidationError({"status": _("Unbekannter Teilnahmestatus.")})
    attendance, created = Attendance.objects.get_or_create(meeting=meeting, organisation=organisation)
    fields = changed(attendance, {"status": status, "represented_by": represented_by})
    if fields or created:
        attendance.save()
        record_audit(actor, "attendance.set", attendance, fields or ["status"])
    return attendance


@service
def set_attendances(actor, meeting, rows):
    """Record the attendance of several organisations at once: ``{organisation_id: (status, represented_by)}``."""
    _require(actor, "network.manage")
    _check_not_cancelled(meeting)
    errors = [org_id for org_id, (status, _rep) in rows.items() if status not in Attendance.Status.values]
    if errors:
        raise ValidationError(_("Teilnahme: Bitte wählen Sie für jede Organisation einen gültigen Status."))
    changed_orgs = []
    for attendance in meeting.attendances.filter(organisation_id__in=rows.keys()):
        status, represented_by = rows[attendance.organisation_id]
        if changed(attendance, {"status": status, "represented_by": represented_by.strip()[:200]}):
            attendance.save(update_fields=["status", "represented_by"])
            changed_orgs.append(attendance.organisation_id)
    if changed_orgs:
        record_audit(actor, "attendance.set", meeting, ["attendances"])
    return len(changed_orgs)


def _check_minutes_open(meeting):
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("Die Sitzung ist abgesagt; es gibt kein Protokoll."))
    if meeting.minutes_final_at is not None:
        raise ValidationError(_("Das Protokoll ist abgeschlossen und kann nicht mehr geändert werden."))


@service
def save_minutes(actor, meeting, *, minutes):
    _require(actor, "network.manage")
    _check_minutes_open(meeting)
    fields = changed(meeting, {"minutes": minutes})
    if meeting.status != Meeting.Status.HELD and meeting.starts_at <= timezone.now():
        meeting.status = Meeting.Status.HELD
        fields.append("status")
    if fields:
        meeting.save()
        record_audit(actor, "meeting.minutes", meeting, fields)
    return meeting


@service
def finalise_minutes(actor, meeting):
    _require(actor, "network.manage")
    _check_minutes_open(meeting)
    if not meeting.minutes.strip():
        raise ValidationError({"minutes": _("Das Protokoll ist noch leer.")})
    meeting.minutes_final_at = timezone.now()
    meeting.status = Meeting.Status.HELD
    meeting.save(update_fields=["minutes_final_at", "status"])
    record_audit(actor, "meeting.minutes_final", meeting, ["minutes_final_at", "status"])
    return meeting


def _check_agenda_item(meeting, agenda_item):
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ValidationError({"agenda_item": _("Der Tagesordnungspunkt gehört zu einer anderen Sitzung.")})


@service
def add_decision(actor, meeting, *, text, agenda_item=None):
    _require(actor, "network.manage")
    _check_minutes_open(meeting)
    _check_agenda_item(meeting, agenda_item)
    if not text.strip():
        raise ValidationError({"text": _("Bitte geben Sie den Beschluss ein.")})
    decision = Decision.objects.create(meeting=meeting, text=text.strip(), agenda_item=agenda_item)
    record_audit(actor, "decision.create", decision, ["text", "agenda_item"])
    return decision


@service
def add_task(actor, meeting, *, title, owner, due_on=None, agenda_item=None):
    _require(actor, "network.manage")
    _check_minutes_open(meeting)
    _check_agenda_item(meeting, agenda_item)
    if not title.strip():
        raise ValidationError({"title": _("Bitte beschreiben Sie die Aufgabe.")})
    if due_on is not None and due_on < meeting.starts_at.date():
        raise ValidationError({"due_on": _("Die Frist darf nicht vor der Sitzung liegen.")})
    task = Task.objects.create(
        meeting=meeting, title=title.strip(), owner=owner, due_on=due_on, agenda_item=agenda_item
    )
    record_audit(actor, "task.create", task, ["title", "owner", "due_on", "agenda_item"])
    return task


@service
def set_task_status(actor, task, status):
    # Koordination, or a member of the organisation that owns the task.
    _require(actor, "network.update_task", task)
    if status not in Task.Status.values:
        raise ValidationError({"status": _("Unbekannter Status.")})
    fields = changed(task, {"status": status})
    if not fields:
        return task
    task.done_at = timezone.now() if status == Task.Status.DONE else None
    task.save(update_fields=["status", "done_at"])
    record_audit(actor, "task.status", task, ["status", "done_at"])
    return task


# --- News and photos ------------------------------------------------------------------------

NEWS_FIELDS = ("title", "lead", "body", "press_contact", "published_on")


@service
def save_news(actor, news=None, **data):
    _require(actor, "network.manage")
    data = {k: v for k, v in data.items() if k in NEWS_FIELDS}
    if news is None:
        news = NewsItem.objects.create(slug=_unique_slug(NewsItem, data["title"]), **data)
        record_audit(actor, "news.create", news, data.keys())
        return news
    fields = changed(news, data)
    if fields:
        news.updated_at = timezone.now()
        news.save()
        record_audit(actor, "news.update", news, fields)
    return news


def check_publishable(news):
    errors = []
    for photo in news.photos.all():
        if not photo.credit.strip():
            errors.append(_("Foto „%(alt)s“: Der Fotonachweis fehlt.") % {"alt": photo.alt_text})
        if not photo.usage_terms.strip():
            errors.append(_("Foto „%(alt)s“: Die Nutzungsbedingungen fehlen.") % {"alt": photo.alt_text})
    if errors:
        raise ValidationError(errors)


@service
def publish_news(actor, news):
    _require(actor, "network.manage")
    news = NewsItem.objects.select_for_update().get(pk=news.pk)
    check_publishable(news)
    news.status = NewsItem.Status.PUBLISHED
    news.published_at = news.published_at or timezone.now()
    news.updated_at = timezone.now()
    news.save(update_fields=["status", "published_at", "updated_at"])
    record_audit(actor, "news.publish", news, ["status", "published_at"])
    return news


@service
def unpublish_news(actor, news):
    _require(actor, "network.manage")
    news.status = NewsItem.Status.DRAFT
    news.updated_at = timezone.now()
    news.save(update_fields=["status", "updated_at"])
    record_audit(actor, "news.unpublish", news, ["status"])
    return news


@service
def add_photo(actor, news, upload, *, alt_text, credit="", usage_terms="", caption=""):
    """Check the upload by content, strip everything but pixels, store renditions."""
    _require(actor, "network.manage")
    if not alt_text.strip():
        raise ValidationError(
            {"alt_text": _("Bitte beschreiben Sie das Bild für Menschen, die es nicht sehen.")}
        )
    news = NewsItem.objects.select_for_update().get(pk=news.pk)
    if news.is_published and not (credit.strip() and usage_terms.strip()):
        raise ValidationError(
            {
                "credit": _(
                    "Eine veröffentlichte Meldung braucht für jedes Foto Fotonachweis und Nutzungsbedingungen."
                )
            }
        )
    data = imaging.read_limited(upload, photo_max_bytes(), _("Foto"))
    image = imaging.open_photo(data)
    renditions = imaging.make_renditions(image)
    largest_w, largest_h, _bytes = renditions[-1]
    position = (news.photos.aggregate(m=Max("position"))["m"] or 0) + 1
    photo = Photo.objects.create(
        news=news,
        position=position,
        alt_text=alt_text.strip(),
        caption=caption.strip(),
        credit=credit.strip(),
        usage_terms=usage_terms.strip(),
        width=largest_w,
        height=largest_h,
    )
    for width, height, jpeg in renditions:
        rendition = PhotoRendition(photo=photo, width=width, height=height, size=len(jpeg))
        rendition.file.save("photo.jpg", ContentFile(jpeg), save=False)
        rendition.save()
    record_audit(actor, "photo.create", photo, ["alt_text", "caption", "credit", "usage_terms"])
    return photo


@service
def update_photo(actor, photo, *, alt_text, credit, usage_terms, caption=""):
    _require(actor, "network.manage")
    published = NewsItem.objects.filter(pk=photo.news_id, status=NewsItem.Status.PUBLISHED).exists()
    if published and not (credit.strip() and usage_terms.strip()):
        raise ValidationError(
            {
                "credit": _(
                    "Eine veröffentlichte Meldung braucht für jedes Foto Fotonachweis und Nutzungsbedingungen."
                )
            }
        )
    if not alt_text.strip():
        raise ValidationError(
            {"alt_text": _("Bitte beschreiben Sie das Bild für Menschen, die es nicht sehen.")}
        )
    fields = changed(
        photo,
        {
            "alt_text": alt_text.strip(),
            "credit": credit.strip(),
            "usage_terms": usage_terms.strip(),
            "caption": caption.strip(),
        },
    )
    if fields:
        photo.save()
        record_audit(actor, "photo.update", photo, fields)
    return photo


@service
def delete_photo(actor, photo):
    _require(actor, "network.manage")
    names = [r.file.name for r in photo.renditions.all()]
    record_audit(actor, "photo.delete", photo, ["alt_text"])
    photo.delete()
    _delete_files_on_commit(names)


def _delete_files_on_commit(names):
    def remove():
        for name in names:
            default_storage.delete(name)

    transaction.on_commit(remove)


# --- Materials ------------------------------------------------------------------------------


@service
def save_material(actor, material=None, *, title, description="", kind="", audience, visibility, topics):
    _require(actor, "network.manage")
    if not topics:
        raise ValidationError({"topics": _("Bitte wählen Sie mindestens ein Thema.")})
    data = {
        "title": title,
        "description": description,
        "kind": kind,
        "audience": audience,
        "visibility": visibility,
    }
    if material is None:
        material = Material.objects.create(slug=_unique_slug(Material, title), **data)
        fields, action = list(data), "material.create"
    else:
        fields, action = changed(material, data), "material.update"
        if fields:
            material.save()
    current = set(material.topics.values_list("topic", flat=True))
    if current != set(topics):
        material.topics.exclude(topic__in=topics).delete()
        MaterialTopic.objects.bulk_create(
            [MaterialTopic(material=material, topic=t) for t in set(topics) - current]
        )
        fields.append("topics")
    if fields:
        record_audit(actor, action, material, fields)
    return material


@service
def add_material_version(actor, material, upload, *, change_note=""):
    _require(actor, "network.manage")
    data = imaging.read_limited(upload, material_max_bytes(), _("Datei"))
    content_type, extension = imaging.check_material(data, upload.name)
    if extension in (".png", ".jpg"):
        data = imaging.clean_image_material(data, extension)
    number = (material.versions.aggregate(m=Max("number"))["m"] or 0) + 1
    stem = slugify(material.title)[:60] or "material"
    version = MaterialVersion(
        material=material,
        number=number,
        filename=f"{stem}-v{number}{extension}",
        content_type=content_type,
        size=len(data),
        sha256=imaging.sha256(data),
        change_note=change_note,
    )
    version.file.save(f"x{extension}", ContentFile(data), save=False)
    try:
        version.save()
    except IntegrityError as exc:
        default_storage.delete(version.file.name)
        raise ValidationError(
            _("Diese Version wurde gleichzeitig schon angelegt. Bitte erneut versuchen.")
        ) from exc
    record_audit(actor, "material_version.create", version, ["file", "change_note"])
    return version
