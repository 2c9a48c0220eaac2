"""Builders for library tests: a lesson node, a ready media file, a resource in any state.

A "ready" asset here is a real small file stored as an upload would be; its processing
results (duration, status) are set directly, because these tests are about the review and
visibility rules, not about ffmpeg (tests/test_media_*.py cover that)."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile

from tongke.library import services
from tongke.library.enums import (
    CHECKLIST,
    AssetStatus,
    Decision,
    Licence,
    NodeKind,
    ResourceKind,
    Visibility,
)
from tongke.library.models import CatalogueNode, MediaAsset, Resource

ALL_TICKED = {key: True for key, _label in CHECKLIST}


def lesson(code_hint: str = "") -> CatalogueNode:
    qs = CatalogueNode.objects.filter(kind=NodeKind.LESSON, is_active=True).order_by("path")
    if code_hint:
        qs = qs.filter(code__contains=code_hint) or qs
    node = qs.first()
    assert node is not None, "the demo catalogue has lessons"
    return node


def ready_asset(owner: Any, *, kind: str = "video", duration_s: float = 120.0) -> MediaAsset:
    asset = MediaAsset(
        owner=owner,
        original_name=f"test.{'mp4' if kind == 'video' else 'pdf'}",
        size_bytes=4,
        sha256="0" * 64,
        mime="video/mp4" if kind == "video" else "application/pdf",
        media_kind=kind,
        status=AssetStatus.READY,
        progress=1.0,
        duration_s=duration_s if kind == "video" else None,
    )
    asset.file.save("test.bin", ContentFile(b"test"), save=False)
    asset.save()
    return asset


def draft(
    owner: Any,
    *,
    kind: str = ResourceKind.MICRO,
    title: str = "一次函数的图像 微课",
    visibility: str = Visibility.ALL_REGIONS,
    duration_s: float = 120.0,
    node: CatalogueNode | None = None,
) -> Resource:
    asset = ready_asset(
        owner, kind="video" if kind in ("micro", "video") else "pdf", duration_s=duration_s
    )
    return services.resource_create(
        actor=owner,
        kind=kind,
        node=node or lesson(),
        title=title,
        description="测试用资源",
        licence=Licence.CC_BY,
        visibility=visibility,
        asset=asset,
    )


def submitted(owner: Any, **kw: Any) -> Resource:
    resource = draft(owner, **kw)
    services.version_submit(actor=owner, version=resource.versions.get())
    return resource


def published(owner: Any, reviewer: Any, **kw: Any) -> Resource:
    resource = submitted(owner, **kw)
    services.review_decide(
        actor=reviewer,
        version=resource.versions.get(),
        decision=Decision.APPROVE,
        checklist=ALL_TICKED,
    )
    resource.refresh_from_db()
    return resource
