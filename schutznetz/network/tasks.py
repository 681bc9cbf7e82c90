"""Background work of the network module (django-tasks)."""

from django_tasks import task


def _meeting(meeting_id):
    from schutznetz.network.models import Meeting

    return Meeting.objects.filter(pk=meeting_id).first()


@task()
def send_meeting_invitation(meeting_id, organisation_ids=None):
    from schutznetz.network import notifications

    meeting = _meeting(meeting_id)
    # Cancelled before the worker got to it: no invitation to something that will not take place.
    if meeting is None or meeting.is_cancelled:
        return 0
    if organisation_ids is not None:
        # Invited later: only those still on the list when the worker gets to it.
        organisation_ids = list(
            meeting.attendances.filter(organisation_id__in=organisation_ids).values_list(
                "organisation_id", flat=True
            )
        )
    return notifications.mail_invitation(meeting, organisation_ids)


@task()
def send_invitation_withdrawn(meeting_id, organisation_ids):
    from schutznetz.network import notifications

    meeting = _meeting(meeting_id)
    if meeting is None or meeting.is_cancelled:
        return 0  # the cancellation removes everyone's entry
    # Invited again before the worker got to it: their entry stays.
    still_invited = set(meeting.attendances.values_list("organisation_id", flat=True))
    organisation_ids = [pk for pk in organisation_ids if pk not in still_invited]
    return notifications.mail_invitation_withdrawn(meeting, organisation_ids) if organisation_ids else 0


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
