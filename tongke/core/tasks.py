"""Enqueueing background tasks by name.

Task modules (``<app>/tasks.py``) import services and call them; a service that wants work
done later must not import its app's task module back (that is an import cycle). It names
the task instead: ``enqueue("tongke.library.tasks.process_asset", asset.pk)``, usually
inside ``transaction.on_commit`` so that the worker sees the committed rows."""

from __future__ import annotations

from typing import Any

from django.utils.module_loading import import_string


def enqueue(task_path: str, *args: Any, **kwargs: Any) -> Any:
    """Queue the django-tasks task at ``task_path`` with these arguments; returns its result
    handle (with ``TONGKE_TASKS_IMMEDIATE`` the task has run when this returns)."""
    task = import_string(task_path)
    return task.enqueue(*args, **kwargs)
