"""A task a killed worker left "running" goes back into the queue and is not lost."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

pytestmark = pytest.mark.django_db


def _task(status, started_minutes_ago=None):
    now = timezone.now()
    return DBTaskResult.objects.create(
        status=status,
        started_at=None if started_minutes_ago is None else now - timedelta(minutes=started_minutes_ago),
        args_kwargs={"args": [], "kwargs": {}},
        task_path="schutznetz.events.tasks.send_mail_task",
        backend_name="default",
        run_after=now,
        exception_class_path="",
        traceback="",
    )


def test_older_than_requeues_only_long_running_tasks():
    stalled, fresh = _task(TaskResultStatus.RUNNING, 45), _task(TaskResultStatus.RUNNING, 2)
    done = _task(TaskResultStatus.SUCCESSFUL, 90)
    out = StringIO()
    call_command("requeue_stalled_tasks", "--older-than", "30", stdout=out)
    assert "1 abgebrochene Aufgabe(n)" in out.getvalue()
    stalled.refresh_from_db(), fresh.refresh_from_db(), done.refresh_from_db()
    assert stalled.status == TaskResultStatus.READY and stalled.started_at is None
    assert fresh.status == TaskResultStatus.RUNNING
    assert done.status == TaskResultStatus.SUCCESSFUL
    # A requeued task is what the worker claims next.
    assert DBTaskResult.objects.ready().filter(pk=stalled.pk).exists()


def test_all_requeues_every_running_task_and_needs_a_limit():
    tasks = [_task(TaskResultStatus.RUNNING, minutes) for minutes in (0, 5)]
    call_command("requeue_stalled_tasks", "--all", stdout=StringIO())
    assert {t.status for t in DBTaskResult.objects.filter(pk__in=[t.pk for t in tasks])} == {
        TaskResultStatus.READY
    }
    with pytest.raises(Exception, match="--all"):
        call_command("requeue_stalled_tasks", stdout=StringIO())
