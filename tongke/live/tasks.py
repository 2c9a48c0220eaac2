"""Background tasks of live classes (django-tasks; run by ``tongke worker``)."""

from __future__ import annotations

from django_tasks import task

from tongke.live import recording


@task()
def submit_recording(session_id: int) -> str:
    """Once the master's recording is transcoded, submit it to the library's review."""
    return recording.recording_submit(session_id)
