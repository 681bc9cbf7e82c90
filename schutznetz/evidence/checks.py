"""Deployment checks (``manage.py check --deploy``) for what reaches an affected person's mailbox."""

from email.utils import parseaddr

from django.conf import settings
from django.core import checks

# Words that tell a reader of the mailbox what the mail is about. Lower case, matched anywhere in
# the sender's name and address ("schutznetz", "frauenberatung-soest.de", "spurensicherung@...").
TELLING_WORDS = ("schutz", "gewalt", "frauen", "spur", "opfer", "hilfe", "beratung", "missbrauch", "notruf")


@checks.register(checks.Tags.security, deploy=True)
def neutral_sender(app_configs=None, **kwargs):
    sender = settings.SCHUTZNETZ_NEUTRAL_EMAIL_FROM
    _name, address = parseaddr(sender)
    if not address or address.endswith(".invalid"):
        return [
            checks.Warning(
                "SCHUTZNETZ_NEUTRAL_EMAIL_FROM is not set to a real address.",
                hint="Set a sender for reminders to affected persons, e.g. "
                "'Terminerinnerung <noreply@kreis-soest.de>'.",
                id="schutznetz.W001",
            )
        ]
    telling = [word for word in TELLING_WORDS if word in sender.lower()]
    if telling:
        return [
            checks.Warning(
                f"SCHUTZNETZ_NEUTRAL_EMAIL_FROM ({sender!r}) names the service or its topic ({', '.join(telling)}).",
                hint="Reminders go to mailboxes someone else may read; use a sender that says nothing "
                "about violence, protection or evidence.",
                id="schutznetz.W002",
            )
        ]
    return []
