"""Mails to participants, sent by a django-tasks task.

The task is enqueued inside the transaction that changed the registration: with
the database backend the task row commits (or rolls back) together with it.
Task arguments carry ids only; the personal link is derived when the mail is
written, so it is never stored in the task table.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

PLEASE_CONFIRM = "please_confirm"
EXISTING = "existing"
CONFIRMED = "confirmed"
WAITLIST_CONFIRMED = "waitlist_confirmed"
PROMOTED = "promoted"
CANCELLED = "cancelled"
REMINDER = "reminder"
MESSAGE = "message"

KINDS = {PLEASE_CONFIRM, EXISTING, CONFIRMED, WAITLIST_CONFIRMED, PROMOTED, CANCELLED, REMINDER, MESSAGE}
# Mails that carry the event as an .ics attachment.
WITH_ICS = {CONFIRMED, PROMOTED, REMINDER}


def send(registration, kind, **extra):
    if kind not in KINDS:
        raise ValueError(kind)
    send_registration_mail.enqueue(registration.pk, kind, extra)


def manage_url(registration):
    return settings.SCHUTZNETZ_SITE_URL + reverse("events:manage", args=[registration.token])


def confirm_url(registration):
    return settings.SCHUTZNETZ_SITE_URL + reverse("events:confirm", args=[registration.token])


def _subject(kind, event, extra):
    subjects = {
        PLEASE_CONFIRM: _("Bitte bestätigen Sie Ihre Anmeldung: %(title)s"),
        EXISTING: _("Ihr Link zur Anmeldung: %(title)s"),
        CONFIRMED: _("Anmeldung bestätigt: %(title)s"),
        WAITLIST_CONFIRMED: _("Sie stehen auf der Warteliste: %(title)s"),
        PROMOTED: _("Ein Platz ist frei geworden – Sie sind angemeldet: %(title)s"),
        CANCELLED: _("Abmeldung bestätigt: %(title)s"),
        REMINDER: _("Erinnerung: %(title)s"),
    }
    if kind == MESSAGE:
        return f"{extra['subject']} – {event.title}"
    return subjects[kind] % {"title": event.title}


@task()
def send_registration_mail(registration_id, kind, extra):
    from schutznetz.events.ical import event_bytes
    from schutznetz.events.models import Registration

    registration = Registration.objects.select_related("event").filter(pk=registration_id).first()
    if registration is None:  # erased meanwhile
        return False
    event = registration.event
    # The language the person registered in: texts and links (/en/…) follow it.
    with translation.override(registration.language or settings.LANGUAGE_CODE):
        context = {
            "registration": registration,
            "event": event,
            "kind": kind,
            "extra": extra,
            "manage_url": manage_url(registration),
            "confirm_url": confirm_url(registration),
            "event_url": settings.SCHUTZNETZ_SITE_URL + event.get_absolute_url(),
            "network_name": settings.SCHUTZNETZ_NETWORK_NAME,
        }
        body = render_to_string("events/email/registration.txt", context)
        subject = _subject(kind, event, extra)
    message = EmailMultiAlternatives(subject, body, None, [registration.email])
    if event.contact_email:
        message.reply_to = [event.contact_email]
    if kind in WITH_ICS:
        message.attach(
            f"{event.slug}.ics", event_bytes(event), "text/calendar; charset=utf-8; method=PUBLISH"
        )
    message.send()
    return True
