"""The upload form and the upload handler that keeps files on disk and under the limit."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler
from django.utils.translation import gettext_lazy as _

from tongke.orgs.enums import UnitKind
from tongke.orgs.models import OrgUnit


class LimitedUploadHandler(TemporaryFileUploadHandler):
    """Streams every upload to a temporary file and drops a file once it passes ``limit``
    bytes (the rest of the request is still read, so the form and its CSRF token work)."""

    def __init__(self, *args: Any, limit: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit = limit
        self.received = 0
        self.too_large = False

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        self.received = 0
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_large = True
            raise SkipFile
        return super().receive_data_chunk(raw_data, start)


def target_label(unit: OrgUnit) -> str:
    indent = "\u00a0\u00a0" * max(unit.depth - 1, 0)
    kind = _("school") if unit.kind == UnitKind.SCHOOL else _("region")
    return f"{indent}{unit.display_name} ({unit.code}, {kind})"


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file"),
        help_text=_("A OneRoster 1.1/1.2 CSV bundle as a .zip, or one plain CSV file."),
    )
    target = forms.TypedChoiceField(label=_("Import into"), coerce=int)
    dry_run = forms.BooleanField(
        label=_("Dry run: check and report, change nothing"), required=False
    )

    def __init__(self, *args: Any, targets: list[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {u.pk: u for u in targets}
        self.fields["target"].choices = [(u.pk, target_label(u)) for u in targets]  # type: ignore[attr-defined]

    def target_unit(self) -> OrgUnit:
        return self.units[self.cleaned_data["target"]]
