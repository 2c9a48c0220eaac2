"""Background tasks of live classes (django-tasks; run by ``tongke worker``). Tasks call
services; services enqueue tasks by name (``services.recording.SUBMIT_TASK``)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from tongke.live import services

RETRY_S = 20


@task()
def submit_recording(session_id: int) -> str:
    """Once the master's recording is transcoded, submit it to the library's review; while
    another worker is still transcoding it, try again in ``RETRY_S`` seconds."""
    outcome = services.recording_submit(session_id=session_id)
    if outcome == "waiting":
        later = submit_recording.using(run_after=timezone.now() + timedelta(seconds=RETRY_S))
        later.enqueue(session_id)
    return outcome
