"""Background tasks of the lesson library (django-tasks; run by ``tongke worker``)."""

from __future__ import annotations

from django_tasks import task

from tongke.library import processing


@task()
def process_asset(asset_id: int) -> str:
    """Transcode / preview one uploaded file; progress is written on the asset row."""
    return processing.asset_process(asset_id).status
