"""Background work of the network module (django-tasks)."""

from django_tasks import task


def _meeting(meeting_id):
    from schutznetz.network.models import Meeting

    return Meeting.objects.filter(pk=meeting_id).first()


@task()
def send_meeting_invitation(meeting_id):
    from schutznetz.network import notifications

    meeting = _meeting(meeting_id)
    # Cancelled before the worker got to it: no invitation to something that will not take place.
    if meeting is None or meeting.is_cancelled:
        return 0
    return notifications.mail_invitation(meeting)


@task()
def send_meeting_update(meeting_id, changes):
    from schutznetz.network import notifications

    meeting = _meeting(meeting_id)
    if meeting is None or meeting.is_cancelled:
        return 0
    return notifications.mail_update(meeting, changes)


@task()
def send_meeting_cancellation(meeting_id):
    from schutznetz.network import notifications

    meeting = _meeting(meeting_id)
    if meeting is None or not meeting.is_cancelled:
        return 0
    return notifications.mail_cancellation(meeting)
