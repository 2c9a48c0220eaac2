from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    ONEROSTER_ZIP = "oneroster_zip", _("OneRoster bundle (zip)")
    ONEROSTER_FOLDER = "oneroster_folder", _("OneRoster bundle (folder)")
    PLAIN_CSV = "plain_csv", _("Plain CSV")


class ImportStatus(models.TextChoices):
    OK = "ok", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class Severity(models.TextChoices):
    ERROR = "error", _("Error")
    WARNING = "warning", _("Warning")


# The entities an import counts, in the order reports show them.
ENTITIES: tuple[tuple[str, Any], ...] = (
    ("orgs", _("Regions and schools")),
    ("grades", _("Grades")),
    ("classes", _("Classes")),
    ("users", _("People")),
    ("roles", _("Roles at schools and regions")),
    ("enrollments", _("Class enrollments")),
    ("guardians", _("Guardians")),
)
ACTIONS = ("created", "updated", "unchanged", "removed")
