"""Mail to partners: meeting invitations with agenda and calendar file."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from schutznetz.network import ics, queries


def mail_invitation(meeting):
    """Send the invitation to each invited organisation's functional contact address; returns the count."""
    recipients = []
    for attendance in meeting.attendances.select_related("organisation__partner_profile"):
        profile = getattr(attendance.organisation, "partner_profile", None)
        if profile is not None and profile.contact_email:
            recipients.append(profile.contact_email)
    if not recipients:
        return 0
    body = render_to_string(
        "network/mail/invitation.txt",
        {
            "meeting": meeting,
            "agenda": meeting.agenda_items.all(),
            "carried": queries.carried_over_tasks(meeting),
            "url": settings.SCHUTZNETZ_SITE_URL + meeting.get_absolute_url(),
            "network_name": settings.SCHUTZNETZ_NETWORK_NAME,
        },
    )
    sent = 0
    for address in sorted(set(recipients)):
        # One mail per partner: addresses of other partners are not disclosed.
        message = EmailMessage(f"Einladung: {meeting.title}", body, to=[address])
        message.attach("sitzung.ics", ics.meetings_ics([meeting]), "text/calendar")
        sent += message.send()
    return sent
