"""Background work of the network module (django-tasks)."""

from django_tasks import task


@task()
def send_meeting_invitation(meeting_id):
    from schutznetz.network import notifications
    from schutznetz.network.models import Meeting

    meeting = Meeting.objects.filter(pk=meeting_id).first()
    if meeting is None:
        return 0
    return notifications.mail_invitation(meeting)
