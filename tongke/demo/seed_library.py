"""Demo data for the shared lesson library (LIB-1..6).

The curriculum catalogue (junior-secondary mathematics and Chinese in two editions each,
primary science, seven thematic collections) is imported from
``tongke/library/data/catalogue_demo.json`` through the catalogue import. Then more than 300
resources are filed under its lessons by teachers across the three provinces, most
published after review, a few waiting in the reviewers' queues, one returned with reasons
and one taken down, with ratings, views, packages and quality-lesson designations.

The media are real and made here: ``variety`` short test-pattern videos with a tone
(ffmpeg's lavfi sources), transcoded into the 240p/360p/audio renditions with posters by the
same processing code uploads go through, and short PDFs with a first-page preview. Several
resources share one processed file, which keeps the demo's setup to seconds; every resource
still plays or previews.
"""

from __future__ import annotations

import random
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from tongke.library import catalogue, processing, search
from tongke.library.enums import (
    CHECKLIST,
    Decision,
    DesignationKind,
    Licence,
    NodeKind,
    ResourceKind,
    ResourceStatus,
    VersionStatus,
    Visibility,
)
from tongke.library.media import ffmpeg, pdf
from tongke.library.models import (
    CatalogueNode,
    Designation,
    DesignationTarget,
    MediaAsset,
    Package,
    PackageItem,
    Rating,
    Resource,
    ResourceVersion,
    Review,
    SchoolViews,
)
from tongke.orgs.enums import Role, UnitKind
from tongke.orgs.models import OrgUnit, RoleAssignment

SEED = 20261124
CATALOGUE_FILE = Path(__file__).resolve().parents[1] / "library" / "data" / "catalogue_demo.json"
TARGET_RESOURCES = 320

# (kind, title suffix, share of resources)
KIND_MIX = [
    (ResourceKind.MICRO, "微课", 30),
    (ResourceKind.VIDEO, "课堂实录", 20),
    (ResourceKind.COURSEWARE, "课件", 18),
    (ResourceKind.PLAN, "教学设计", 12),
    (ResourceKind.TASK_SHEET, "学习任务单", 8),
    (ResourceKind.EXERCISE, "分层练习", 8),
    (ResourceKind.LAB_LINK, "虚拟实验", 4),
]
VISIBILITY_MIX = [
    (Visibility.ALL_REGIONS, 55),
    (Visibility.PUBLIC, 25),
    (Visibility.REGION, 15),
    (Visibility.SCHOOL, 5),
]
LICENCES = [Licence.CC_BY, Licence.CC_BY_NC_SA, Licence.CC_BY_SA, Licence.ALL_RIGHTS]
STYLES = [
    "以生活情境导入，小组合作探究，注重概念形成过程。",
    "从一道典型例题出发，层层追问，适合课前预习与课后复习。",
    "结合动态演示，帮助学生直观理解，配有分层练习。",
    "面向乡村教学点设计，步骤细致，可在弱网下观看音频版。",
    "名师示范课，突出思维方法与易错点辨析。",
]
LAB_LINKS = [
    "https://phet.colorado.edu/zh_CN/",
    "https://www.geogebra.org/classic",
]


def _weighted(rng: random.Random, pairs: list[tuple[Any, ...]]) -> Any:
    total = sum(p[-1] for p in pairs)
    pick = rng.uniform(0, total)
    for p in pairs:
        pick -= p[-1]
        if pick <= 0:
            return p
    return pairs[-1]


def _make_assets(owner: Any, variety: int, work: Path) -> tuple[list[MediaAsset], list[MediaAsset]]:
    """``variety`` processed videos and ``max(2, variety // 2)`` processed PDFs."""
    videos: list[MediaAsset] = []
    pdfs: list[MediaAsset] = []
    for i in range(variety):
        path = work / f"demo-{i:02d}.mp4"
        seconds = 12 + 4 * (i % 5)
        ffmpeg.make_test_video(
            path, seconds=seconds, width=640, height=360, tone_hz=330 + 55 * i, label=f"Tongke {i}"
        )
        videos.append(_stored(owner, path, "video", "video/mp4", f"同课示例视频{i + 1}.mp4"))
    for i in range(max(2, variety // 2)):
        path = work / f"demo-{i:02d}.pdf"
        pdf.make_test_pdf(
            path,
            title=f"同课示例讲义 {i + 1}",
            lines=["学习目标", "知识要点", "例题与练习", "课后反思"],
            pages=2,
        )
        pdfs.append(_stored(owner, path, "pdf", "application/pdf", f"同课示例讲义{i + 1}.pdf"))
    for asset in videos + pdfs:
        processing.asset_process(asset.pk)
    return videos, pdfs


def _stored(owner: Any, path: Path, kind: str, mime: str, name: str) -> MediaAsset:
    asset = MediaAsset(
        owner=owner,
        original_name=name,
        size_bytes=path.stat().st_size,
        sha256=processing.intake.sha256_of(path),
        mime=mime,
        media_kind=kind,
    )
    with path.open("rb") as fh:
        asset.file.save(path.name, File(fh), save=False)
    asset.save()
    return asset


def _teachers_by_region() -> dict[str, list[tuple[Any, OrgUnit]]]:
    """Teachers with their school, grouped by province code (BJ, TJ, HE)."""
    rows = (
        RoleAssignment.objects.filter(role=Role.TEACHER, unit__kind=UnitKind.CLASS)
        .select_related("user", "unit")
        .order_by("user__username")
    )
    schools = {s.path: s for s in OrgUnit.objects.filter(kind=UnitKind.SCHOOL).order_by("path")}
    seen: set[int] = set()
    out: dict[str, list[tuple[Any, OrgUnit]]] = {}
    for ra in rows:
        if ra.user_id in seen or ra.unit is None:
            continue
        school = schools.get(ra.unit.path[: -2 * OrgUnit.steplen])  # class > grade > school
        if school is None:
            continue
        seen.add(ra.user_id)
        province = school.code.split("-")[0]
        out.setdefault(province, []).append((ra.user, school))
    return out


def _regions_of(schools: list[OrgUnit]) -> dict[int, OrgUnit]:
    from tongke.library.services import region_of

    return {s.pk: region_of(s) for s in schools}


def seed_library(*, variety: int = 12) -> int:
    """Seed the catalogue and the demo resources; returns the number of resources."""
    if Resource.objects.exists():
        return 0
    rng = random.Random(SEED)
    User = get_user_model()
    admin = User.objects.get(username="admin")
    catalogue.catalogue_import(
        actor=admin, name=CATALOGUE_FILE.name, data=CATALOGUE_FILE.read_bytes()
    )
    reviewers = {
        code: User.objects.get(username=f"reviewer_{code.lower()}") for code in ("BJ", "TJ", "HE")
    }
    teachers = _teachers_by_region()
    t0001 = User.objects.get(username="t0001")
    with tempfile.TemporaryDirectory(prefix="tongke-demo-media-") as tmp:
        videos, pdfs = _make_assets(t0001, variety, Path(tmp))
    lessons = list(
        CatalogueNode.objects.filter(kind__in=[NodeKind.LESSON, NodeKind.TOPIC]).order_by("path")
    )
    all_schools = [s for group in teachers.values() for _t, s in group]
    regions = _regions_of(list({s.pk: s for s in all_schools}.values()))
    now = timezone.now()
    provinces = sorted(teachers)
    created: list[Resource] = []
    with transaction.atomic():
        for i in range(TARGET_RESOURCES):
            # Lessons in catalogue order, so every chapter gets something; a few lessons get
            # several teachers' versions of the same lesson.
            node = lessons[(i * 7) % len(lessons)] if i % 5 else lessons[i % len(lessons)]
            province = provinces[i % len(provinces)] if i % 3 else "BJ"
            teacher, school = teachers[province][rng.randrange(len(teachers[province]))]
            kind, suffix, _w = _weighted(rng, KIND_MIX)
            visibility = _weighted(rng, VISIBILITY_MIX)[0]
            region = regions[school.pk]
            title = f"{node.name} · {suffix}"
            asset = None
            if kind in (ResourceKind.MICRO, ResourceKind.VIDEO):
                asset = videos[i % len(videos)]
            elif kind != ResourceKind.LAB_LINK:
                asset = pdfs[i % len(pdfs)]
            resource = Resource.objects.create(
                kind=kind,
                node=node,
                owner=teacher,
                school=school,
                region=region,
                school_path=school.path,
                region_path=region.path,
                licence=LICENCES[i % len(LICENCES)],
                visibility=visibility,
                status=ResourceStatus.DRAFT,
                title=title,
                description=f"{teacher.full_name}（{school.name}）执教。{STYLES[i % len(STYLES)]}",
                stage=node.stage,
                subject=node.subject,
                edition=node.edition,
                grade_level=node.grade_level,
            )
            version = ResourceVersion.objects.create(
                resource=resource,
                number=1,
                title=title,
                description=resource.description,
                asset=asset,
                external_url=LAB_LINKS[i % 2] if kind == ResourceKind.LAB_LINK else "",
                created_by=teacher,
                status=VersionStatus.SUBMITTED,
                submitted_at=now - timedelta(days=60 - i % 60, hours=2),
            )
            created.append(resource)
            reviewer = reviewers[province]
            if i % 40 == 39:
                continue  # waits in the reviewer's queue
            if i % 97 == 50:
                _decide(
                    resource, version, reviewer, Decision.RETURN, "画面模糊，请重新录制后提交。"
                )
                continue
            _decide(resource, version, reviewer, Decision.APPROVE, "")
            if i == 123:
                resource.status = ResourceStatus.TAKEN_DOWN
                resource.takedown_reason = "引用图片版权不明，暂时下架。"
                resource.save(update_fields=["status", "takedown_reason"])
                Review.objects.create(
                    resource=resource,
                    reviewer=reviewer,
                    decision=Decision.TAKE_DOWN,
                    reasons=resource.takedown_reason,
                )
        _ratings_and_views(rng, created)
        _packages(created)
        _designations(created)
    search.reindex_all()
    return len(created)


def _decide(
    resource: Resource, version: ResourceVersion, reviewer: Any, decision: str, reasons: str
) -> None:
    decided_at = (version.submitted_at or timezone.now()) + timedelta(hours=20)
    ticks = {key: decision == Decision.APPROVE for key, _label in CHECKLIST}
    version.status = (
        VersionStatus.APPROVED if decision == Decision.APPROVE else VersionStatus.RETURNED
    )
    version.decided_at, version.decided_by, version.return_reasons = decided_at, reviewer, reasons
    version.save()
    Review.objects.create(
        resource=resource,
        version=version,
        reviewer=reviewer,
        decision=decision,
        checklist=ticks,
        reasons=reasons,
    )
    if decision == Decision.APPROVE:
        resource.status = ResourceStatus.PUBLISHED
        resource.live_version = version
        resource.published_at = decided_at
        resource.duration_s = version.asset.duration_s if version.asset else None
        resource.save()


def _ratings_and_views(rng: random.Random, resources: list[Resource]) -> None:
    User = get_user_model()
    raters = list(User.objects.filter(username__startswith="s0").order_by("username")[:400])
    schools = list(OrgUnit.objects.filter(kind=UnitKind.SCHOOL).order_by("path"))
    ratings: list[Rating] = []
    views: list[SchoolViews] = []
    for resource in resources:
        if resource.status != ResourceStatus.PUBLISHED:
            continue
        stars = [rng.choice((3, 4, 4, 5, 5, 5)) for _ in range(rng.randrange(0, 9))]
        people = rng.sample(raters, len(stars))
        ratings += [
            Rating(resource=resource, user=p, stars=s) for p, s in zip(people, stars, strict=True)
        ]
        by_school = {s.pk: rng.randrange(1, 40) for s in rng.sample(schools, rng.randrange(1, 6))}
        views += [
            SchoolViews(resource=resource, school_id=k, count=v) for k, v in by_school.items()
        ]
        resource.rating_count, resource.rating_sum = len(stars), sum(stars)
        resource.view_count = sum(by_school.values()) + rng.randrange(0, 60)
    Rating.objects.bulk_create(ratings)
    SchoolViews.objects.bulk_create(views)
    Resource.objects.bulk_update(resources, ["rating_count", "rating_sum", "view_count"])


def _packages(resources: list[Resource]) -> None:
    """One package per teacher and lesson where a teacher filed two or more resources."""
    grouped: dict[tuple[int, int], list[Resource]] = {}
    for r in resources:
        if r.status == ResourceStatus.PUBLISHED:
            grouped.setdefault((r.owner_id, r.node_id), []).append(r)
    for (_owner, _node), items in sorted(grouped.items()):
        if len(items) < 2:
            continue
        first = items[0]
        package = Package.objects.create(
            node=first.node,
            owner=first.owner,
            school=first.school,
            title=f"{first.node.name} · 课时资源包",
            description=f"{first.owner.full_name}的一课一包：微课、课件与练习。",
        )
        PackageItem.objects.bulk_create(
            [PackageItem(package=package, resource=r, position=i) for i, r in enumerate(items)]
        )


def _designations(resources: list[Resource]) -> None:
    User = get_user_model()
    bj_admin = User.objects.get(username="bj_admin")
    bj = OrgUnit.objects.get(code="BJ")
    year = timezone.now().year
    published = [
        r
        for r in resources
        if r.status == ResourceStatus.PUBLISHED and r.region_path.startswith(bj.path)
    ]
    best = sorted(published, key=lambda r: (-r.rating_sum, r.pk))[:8]
    for i, r in enumerate(best):
        kind = DesignationKind.PROVINCIAL_QUALITY if i < 5 else DesignationKind.BOUTIQUE
        Designation.objects.create(
            resource=r, kind=kind, region=bj, year=year, designated_by=bj_admin
        )
    DesignationTarget.objects.bulk_create(
        [
            DesignationTarget(
                region=bj, kind=DesignationKind.PROVINCIAL_QUALITY, year=year, target=20
            ),
            DesignationTarget(region=bj, kind=DesignationKind.BOUTIQUE, year=year, target=6),
        ]
    )
