"""Background tasks of the learning platform (django-tasks; run by ``tongke worker``)."""

from __future__ import annotations

from django_tasks import task

from tongke.learning import diagnosis


@task()
def fit_models(subject: str) -> dict[str, object]:
    """Refit the subject's knowledge-tracing models on every graded answer."""
    report = diagnosis.fit_subject(subject)
    if report is None:
        return {"subject": subject, "fitted": False}
    return {
        "subject": subject,
        "fitted": True,
        "answers": report.answers,
        "bkt_auc": report.bkt_auc,
        "irt_auc": report.irt_auc,
    }
