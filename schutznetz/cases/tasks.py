"""Mails of the case module go through the task queue and never carry case content, only a link."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from schutznetz.accounts.models import User


@task()
def send_case_mail(user_ids: list[int], subject: str, path: str, reason: str = ""):
    """One mail per recipient: a neutral subject, a reason without content, and a link to sign in."""
    link = settings.SCHUTZNETZ_SITE_URL + path
    sent = 0
    for user in User.objects.filter(pk__in=user_ids, is_active=True).exclude(email=""):
        # In the site's language, like subject and reason (see services._notify), also when the task
        # runs inside a request in another language.
        with translation.override(settings.LANGUAGE_CODE):
            body = render_to_string(
                "cases/email/notification.txt",
                {"user": user, "link": link, "reason": reason, "settings": settings},
            )
        send_mail(subject, body, None, [user.email])
        sent += 1
    return sent
