"""The lesson-library pages: sharing a real video through the upload form, review by the
owning region, who sees what, and every bad input answered by a readable 4xx page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from tongke.library import services
from tongke.library.enums import (
    AssetStatus,
    DesignationKind,
    ResourceKind,
    ResourceStatus,
    VersionStatus,
    Visibility,
)
from tongke.library.media.ffmpeg import make_test_video
from tongke.library.models import MediaAsset, Package, Resource, ResourceVersion
from tongke.library.tests.factories import ALL_TICKED, lesson, published, submitted
from tongke.orgs.enums import Role
from tongke.orgs.models import OrgUnit, RoleAssignment

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
NASTY_TITLE = '<script>alert("t")</script><svg onload=alert(1)>一次函数'
NASTY_TEXT = '<a href="javascript:alert(1)">点我</a> <img src=x onerror=alert(2)>'


def text_of(response: Any) -> str:
    return response.content.decode()


def new_form(node_id: int, upload: Any = None, **extra: Any) -> dict[str, Any]:
    data = {
        "kind": ResourceKind.MICRO,
        "node": node_id,
        "title": "一次函数的图像微课",
        "description": "用描点法画一次函数的图像。",
        "licence": "cc-by",
        "visibility": Visibility.ALL_REGIONS,
        "external_url": "",
        "note": "",
    }
    if upload is not None:
        data["file"] = upload
    data.update(extra)
    return data


@pytest.fixture(scope="module")
def tiny_video(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = Path(tmp_path_factory.mktemp("video")) / "lesson.mp4"
    make_test_video(path, seconds=3, width=320, height=240)
    return path.read_bytes()


def assert_readable_refusal(response: Any, status: int, code: str) -> None:
    assert response.status_code == status
    html = text_of(response)
    assert code in html and "<main" in html  # a whole page naming the code, not a bare error


# --- The whole path, through the pages ------------------------------------------------------


@override_settings(TASKS=IMMEDIATE)
def test_a_teacher_shares_a_video_a_reviewer_publishes_it_and_another_region_plays_it(
    client_for: Any, tiny_video: bytes, django_capture_on_commit_callbacks: Any
) -> None:
    # Given a Haidian teacher on the share form
    teacher = client_for("t0001")
    node = lesson()
    form = teacher.get(f"/library/new/?node={node.pk}")
    assert form.status_code == 200
    assert f'<option value="{node.pk}" selected>' in text_of(form)

    # When they upload a micro-lesson (processing runs at once in this test)
    upload = SimpleUploadedFile("一次函数.mp4", tiny_video, content_type="video/mp4")
    with django_capture_on_commit_callbacks(execute=True):
        response = teacher.post("/library/new/", new_form(node.pk, upload))
    assert response.status_code == 302, text_of(response)[:2000]
    resource = Resource.objects.get(title="一次函数的图像微课")
    assert response["Location"] == f"/library/r/{resource.pk}/edit/"
    version = resource.versions.get()
    asset = version.asset
    assert asset is not None
    asset.refresh_from_db()
    assert asset.status == AssetStatus.READY, asset.error_message

    # Then the edit page shows the finished processing and offers to submit
    edit = text_of(teacher.get(f"/library/r/{resource.pk}/edit/"))
    assert 'data-testid="submit"' in edit and "<progress" in edit
    status = teacher.get(f"/library/assets/{asset.pk}/status").json()
    assert status["status"] == "ready" and status["progress"] == 1.0
    assert "240p" in status["renditions"] and status["duration_s"] > 2

    # and a student of another region sees nothing yet
    hebei = client_for("s04000")
    assert hebei.get(f"/library/r/{resource.pk}/").status_code == 404
    assert hebei.get(f"/library/assets/{asset.pk}/status").status_code == 404

    # When the teacher submits and the Beijing reviewer approves it against the checklist
    assert teacher.post(f"/library/r/{resource.pk}/submit/").status_code == 302
    reviewer = client_for("reviewer_bj")
    queue = text_of(reviewer.get("/library/review/"))
    assert f'data-version="{version.pk}"' in queue
    page = text_of(reviewer.get(f"/library/review/{version.pk}/"))
    assert 'data-testid="checklist"' in page and "<video" in page
    with django_capture_on_commit_callbacks(execute=True):
        decided = reviewer.post(
            f"/library/review/{version.pk}/",
            {"decision": "approve", "checklist": list(ALL_TICKED)},
        )
    assert decided.status_code == 302
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.PUBLISHED

    # Then the Hebei student finds it by a Chinese word and gets a player; low bandwidth
    # puts the 240p rendition first
    found = text_of(hebei.get("/library/", {"q": "函数"}))
    assert f'data-id="{resource.pk}"' in found
    hebei.cookies["tk_bw"] = "low"
    html = text_of(hebei.get(f"/library/r/{resource.pk}/"))
    sources = re.findall(r'<source src="([^"]+)"', html)
    assert sources and sources[0] == f"/library/media/{asset.pk}/240p"
    assert 'preload="metadata"' in html and 'data-testid="bw-low"' in html
    media = hebei.get(sources[0], HTTP_RANGE="bytes=0-99")
    assert media.status_code == 206 and media["Content-Type"] == "video/mp4"
    resource.refresh_from_db()
    assert resource.view_count == 1  # the student's view; the owner's visits do not count

    # When the teacher narrows it to their region, the Hebei student loses it, a Beijing
    # student keeps it, and anonymous visitors never had it
    moved = teacher.post(
        f"/library/r/{resource.pk}/settings/",
        {"licence": "cc-by", "visibility": Visibility.REGION, "node": node.pk},
    )
    assert moved.status_code == 302
    assert hebei.get(f"/library/r/{resource.pk}/").status_code == 404
    assert client_for("s00001").get(f"/library/r/{resource.pk}/").status_code == 200
    assert client_for(None).get(f"/library/r/{resource.pk}/").status_code == 404
    teacher.post(
        f"/library/r/{resource.pk}/settings/",
        {"licence": "cc-by", "visibility": Visibility.PUBLIC, "node": node.pk},
    )
    assert client_for(None).get(f"/library/r/{resource.pk}/").status_code == 200


def test_anonymous_visitors_browse_public_resources_only(client_for: Any) -> None:
    anonymous = client_for(None)
    response = anonymous.get("/library/")
    assert response.status_code == 200
    shown = list(response.context["page"].object_list)
    assert shown, "the demo library has public resources"
    assert {r.visibility for r in shown} == {Visibility.PUBLIC}
    assert {r.status for r in shown} == {ResourceStatus.PUBLISHED}
    # The catalogue is public too; a resource for all regions is not.
    assert anonymous.get("/library/catalogue/").status_code == 200
    hidden = Resource.objects.filter(
        status=ResourceStatus.PUBLISHED, visibility=Visibility.ALL_REGIONS
    ).first()
    assert hidden is not None
    assert anonymous.get(f"/library/r/{hidden.pk}/").status_code == 404
    # The nav offers the library to everyone.
    assert 'href="/library/"' in text_of(anonymous.get("/"))


def test_search_filters_and_bad_filter_values(client_for: Any) -> None:
    client = client_for("s04000")
    micro = client.get("/library/", {"kind": ResourceKind.MICRO})
    assert micro.status_code == 200
    assert {r.kind for r in micro.context["page"].object_list} == {ResourceKind.MICRO}
    # Nonsense filter values are ignored, never a 500.
    for query in ({"grade": "x"}, {"region": "-1"}, {"kind": "nope"}, {"page": "999"}):
        assert client.get("/library/", query).status_code == 200


def test_the_catalogue_tree_lists_children_and_a_lessons_resources(
    client_for: Any, user_named: Any
) -> None:
    resource = published(user_named("t0001"), user_named("reviewer_bj"), title="描点法画图")
    client = client_for("s04000")
    top = client.get("/library/catalogue/")
    assert top.status_code == 200 and top.context["children"]
    html = text_of(client.get(f"/library/catalogue/{resource.node_id}/"))
    assert "描点法画图" in html and 'data-testid="trail"' in html
    assert client.get("/library/catalogue/999999999/").status_code == 404


# --- Review ---------------------------------------------------------------------------------


def test_a_reviewer_of_another_region_and_students_cannot_review(
    client_for: Any, user_named: Any
) -> None:
    version = submitted(user_named("t0001")).versions.get()
    url = f"/library/review/{version.pk}/"
    approve = {"decision": "approve", "checklist": list(ALL_TICKED)}
    assert client_for("reviewer_he").get(url).status_code == 404
    assert client_for("reviewer_he").post(url, approve).status_code == 404
    for student in ("s04000", "s00001"):
        client = client_for(student)
        assert client.post(url, approve).status_code in (403, 404)
        assert client.get("/library/review/").status_code == 403
    # The owner sees their version but has no decision form; posting one is refused.
    owner = client_for("t0001")
    assert 'data-testid="review-form"' not in text_of(owner.get(url))
    assert owner.post(url, approve).status_code == 403
    version.refresh_from_db()
    assert version.status == VersionStatus.SUBMITTED


def test_a_second_decision_on_a_decided_item_is_a_readable_409(
    client_for: Any, user_named: Any
) -> None:
    version = submitted(user_named("t0001")).versions.get()
    url = f"/library/review/{version.pk}/"
    second = get_user_model().objects.create_user(username="reviewer_bj2", full_name="第二审核员")
    RoleAssignment.objects.create(
        user=second, role=Role.REVIEWER, unit=OrgUnit.objects.get(code="BJ")
    )
    first = client_for("reviewer_bj")
    assert (
        first.post(url, {"decision": "approve", "checklist": list(ALL_TICKED)}).status_code == 302
    )
    again = client_for("reviewer_bj2").post(url, {"decision": "return", "reasons": "画面太暗"})
    assert again.status_code == 409
    html = text_of(again)
    assert 'data-testid="refusal"' in html and 'data-code="library.already_decided"' in html
    version.refresh_from_db()
    assert version.status == VersionStatus.APPROVED


def test_an_incomplete_checklist_or_a_return_without_reasons_is_refused(
    client_for: Any, user_named: Any
) -> None:
    version = submitted(user_named("t0001")).versions.get()
    url = f"/library/review/{version.pk}/"
    reviewer = client_for("reviewer_bj")
    partial = reviewer.post(url, {"decision": "approve", "checklist": ["accuracy"]})
    assert partial.status_code == 400 and "library.checklist_incomplete" in text_of(partial)
    bare = reviewer.post(url, {"decision": "return"})
    assert bare.status_code == 400
    assert reviewer.post(url, {"decision": "maybe"}).status_code == 400
    returned = reviewer.post(url, {"decision": "return", "reasons": "字幕有错别字"})
    assert returned.status_code == 302
    mine = text_of(client_for("t0001").get("/library/mine/"))
    assert "字幕有错别字" in mine


# --- Bad input ------------------------------------------------------------------------------


def test_markup_in_titles_and_descriptions_is_shown_as_text_on_every_page(
    client_for: Any, user_named: Any, django_capture_on_commit_callbacks: Any
) -> None:
    teacher, reviewer = user_named("t0001"), user_named("reviewer_bj")
    with django_capture_on_commit_callbacks(execute=True):  # indexed for search
        live = published(teacher, reviewer, title=NASTY_TITLE, visibility=Visibility.PUBLIC)
    Resource.objects.filter(pk=live.pk).update(description=NASTY_TEXT)
    waiting = submitted(teacher, title=NASTY_TITLE + " 第二版")
    package = services.package_create(
        actor=teacher, node=live.node, title=NASTY_TITLE, resource_ids=[live.pk]
    )
    pages = [
        (client_for(None), "/library/?q=函数&kind=micro"),
        (client_for(None), f"/library/catalogue/{live.node_id}/"),
        (client_for(None), f"/library/r/{live.pk}/"),
        (client_for(None), f"/library/packages/{package.pk}/"),
        (client_for("t0001"), "/library/mine/"),
        (client_for("t0001"), f"/library/r/{waiting.pk}/edit/"),
        (client_for("reviewer_bj"), "/library/review/"),
        (client_for("reviewer_bj"), f"/library/review/{waiting.versions.get().pk}/"),
    ]
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = text_of(response)
        assert "&lt;script&gt;alert(" in html, url
        assert "<script>alert" not in html and "<svg onload" not in html, url
        assert 'href="javascript:' not in html and "<img src=x" not in html, url


def test_a_javascript_link_is_refused_for_a_lab(client_for: Any) -> None:
    node = lesson()
    response = client_for("t0001").post(
        "/library/new/",
        new_form(node.pk, kind=ResourceKind.LAB_LINK, external_url="javascript:alert(1)"),
    )
    assert_readable_refusal(response, 400, "library.bad_link")
    assert not Resource.objects.filter(title="一次函数的图像微课").exists()


def test_an_upload_over_the_limit_is_a_readable_413(client_for: Any) -> None:
    node = lesson()
    big = SimpleUploadedFile("big.mp4", b"\x00" * 4096, content_type="video/mp4")
    before = MediaAsset.objects.count()
    with override_settings(TONGKE_UPLOAD_LIMIT_BYTES=1024):
        response = client_for("t0001").post("/library/new/", new_form(node.pk, big))
    assert_readable_refusal(response, 413, "library.too_large")
    assert MediaAsset.objects.count() == before
    assert not Resource.objects.filter(title="一次函数的图像微课").exists()


@pytest.mark.parametrize(
    "content",
    [
        b"this is only text, not a video\n" * 20,
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b"<html><script>alert(1)</script></html>",
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_refused_with_a_readable_400(
    client_for: Any, content: bytes
) -> None:
    node = lesson()
    before = MediaAsset.objects.count()
    upload = SimpleUploadedFile("lesson.mp4", content, content_type="video/mp4")
    response = client_for("t0001").post("/library/new/", new_form(node.pk, upload))
    assert_readable_refusal(response, 400, "library.unsupported_type")
    assert MediaAsset.objects.count() == before
    assert not Resource.objects.filter(title="一次函数的图像微课").exists()


@pytest.mark.parametrize(
    ("name", "kept"),
    [("../../etc/passwd.mp4", "passwd.mp4"), ("a\x00b.mp4", "ab.mp4"), ("..\\..\\x.mp4", "x.mp4")],
)
def test_a_path_or_a_nul_in_the_file_name_never_reaches_storage(
    client_for: Any, tiny_video: bytes, name: str, kept: str
) -> None:
    node = lesson()
    upload = SimpleUploadedFile(name, tiny_video, content_type="video/mp4")
    response = client_for("t0001").post("/library/new/", new_form(node.pk, upload))
    if response.status_code == 400:  # refused by name
        assert_readable_refusal(response, 400, "library.bad_filename")
        return
    # Django's parser keeps the last part of the name and drops unprintable characters;
    # intake names the stored file itself.
    assert response.status_code == 302
    asset = Resource.objects.get(title="一次函数的图像微课").versions.get().asset
    assert asset is not None and asset.original_name == kept
    assert ".." not in asset.file.name and "\x00" not in asset.file.name


def test_a_form_without_csrf_token_is_refused(client_for: Any, user_named: Any) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user_named("t0001"))
    response = client.post("/library/new/", new_form(lesson().pk))
    assert response.status_code == 403
    assert not Resource.objects.filter(title="一次函数的图像微课").exists()


def test_students_and_parents_cannot_share(client_for: Any) -> None:
    for username in ("s04000", "p00001"):
        client = client_for(username)
        assert client.get("/library/new/").status_code == 403
        assert client.post("/library/new/", new_form(lesson().pk)).status_code == 403
    assert client_for(None).get("/library/new/").status_code == 302  # to sign in


def test_a_micro_lesson_over_five_minutes_cannot_be_submitted(
    client_for: Any, user_named: Any
) -> None:
    from tongke.library.tests.factories import draft

    resource = draft(user_named("t0001"), duration_s=400)
    client = client_for("t0001")
    edit = text_of(client.get(f"/library/r/{resource.pk}/edit/"))
    assert 'data-testid="too-long"' in edit
    response = client.post(f"/library/r/{resource.pk}/submit/")
    assert response.status_code == 400 and "library.micro_too_long" in text_of(response)


# --- Around a published resource ------------------------------------------------------------


def test_rating_take_down_restore_and_designation(client_for: Any, user_named: Any) -> None:
    resource = published(user_named("t0001"), user_named("reviewer_bj"))
    url = f"/library/r/{resource.pk}/"
    student = client_for("s04000")
    assert student.post(url + "rate/", {"stars": 5}).status_code == 302
    assert student.post(url + "rate/", {"stars": 9}).status_code == 400
    assert client_for("t0001").post(url + "rate/", {"stars": 5}).status_code == 403
    resource.refresh_from_db()
    assert (resource.rating_count, resource.rating_sum) == (1, 5)

    # A student cannot take it down; the reviewer can, with reasons, and restore it.
    assert student.post(url + "take-down/", {"reasons": "x"}).status_code == 403
    reviewer = client_for("reviewer_bj")
    assert 'data-testid="take-down"' in text_of(reviewer.get(url))
    assert reviewer.post(url + "take-down/", {"reasons": ""}).status_code == 400
    assert reviewer.post(url + "take-down/", {"reasons": "版权待核实"}).status_code == 302
    assert student.get(url).status_code == 404
    owner_view = text_of(client_for("t0001").get(url))
    assert 'data-testid="taken-down"' in owner_view and "版权待核实" in owner_view
    assert reviewer.post(url + "restore/", {"reasons": ""}).status_code == 302
    assert student.get(url).status_code == 200

    # The Beijing admin designates it; it counts on the panel.
    admin = client_for("bj_admin")
    assert 'data-testid="designate"' in text_of(admin.get(url))
    kind = DesignationKind.PROVINCIAL_QUALITY
    assert admin.post(url + "designate/", {"kind": kind}).status_code == 302
    assert admin.post(url + "designate/", {"kind": kind}).status_code == 409
    panel = admin.get("/library/designations/")
    assert panel.status_code == 200 and resource.title in text_of(panel)
    target = admin.post(
        "/library/designations/",
        {
            "region": panel.context["panels"][0]["region"].pk,
            "kind": kind,
            "year": 2026,
            "target": 12,
        },
    )
    assert target.status_code == 302
    assert client_for("s04000").get("/library/designations/").status_code == 403


def test_a_new_version_waits_for_review_while_the_old_one_stays_live(
    client_for: Any, user_named: Any
) -> None:
    resource = published(user_named("t0001"), user_named("reviewer_bj"), title="旧标题")
    teacher = client_for("t0001")
    url = f"/library/r/{resource.pk}/"
    assert 'data-testid="new-version"' in text_of(teacher.get(url + "edit/"))
    assert teacher.post(url + "new-version/").status_code == 302
    saved = teacher.post(
        url + "edit/",
        {"title": "新标题", "description": "", "external_url": "", "note": "改了标题"},
    )
    assert saved.status_code == 302
    assert teacher.post(url + "submit/").status_code == 302
    # Waiting: withdraw and submit again.
    assert teacher.post(url + "withdraw/").status_code == 302
    assert teacher.post(url + "withdraw/").status_code == 409
    assert teacher.post(url + "submit/").status_code == 302
    student = client_for("s04000")
    assert "旧标题" in text_of(student.get(url))
    version = ResourceVersion.objects.get(resource=resource, number=2)
    review = text_of(client_for("reviewer_bj").get(f"/library/review/{version.pk}/"))
    assert 'data-testid="live"' in review and "旧标题" in review


def test_a_package_for_a_lesson(client_for: Any, user_named: Any) -> None:
    teacher, reviewer = user_named("t0001"), user_named("reviewer_bj")
    a = published(teacher, reviewer, title="微课A")
    b = published(teacher, reviewer, title="课件B", kind=ResourceKind.COURSEWARE, node=a.node)
    client = client_for("t0001")
    form = client.get(f"/library/packages/new/?node={a.node_id}")
    assert form.status_code == 200
    response = client.post(
        "/library/packages/new/",
        {"node": a.node_id, "title": "一次函数 整课", "description": "", "resources": [a.pk, b.pk]},
    )
    assert response.status_code == 302
    package = Package.objects.get(title="一次函数 整课")
    html = text_of(client_for("s04000").get(f"/library/packages/{package.pk}/"))
    assert "微课A" in html and "课件B" in html
    lesson_page = text_of(client_for("s04000").get(f"/library/catalogue/{a.node_id}/"))
    assert "一次函数 整课" in lesson_page
    # Someone else's resource cannot be slipped in.
    stranger = client.post(
        "/library/packages/new/",
        {"node": a.node_id, "title": "x", "resources": [999999999]},
    )
    assert stranger.status_code == 400


def test_the_status_json_and_the_bandwidth_switch_without_javascript(
    client_for: Any, user_named: Any
) -> None:
    resource = published(user_named("t0001"), user_named("reviewer_bj"))
    assert resource.live_version is not None
    asset_id = resource.live_version.asset_id
    owner = client_for("t0001")
    data = owner.get(f"/library/assets/{asset_id}/status").json()
    assert set(data) >= {"status", "progress", "error_code", "error_message", "duration_s"}
    missing = owner.get("/library/assets/999999999/status")
    assert missing.status_code == 404 and missing.json()["code"] == "library.asset_not_found"
    client = client_for("s04000")
    switched = client.post(
        "/library/bandwidth/", {"bw": "low", "next": f"/library/r/{resource.pk}/"}
    )
    assert switched.status_code == 302 and switched["Location"] == f"/library/r/{resource.pk}/"
    assert client.cookies["tk_bw"].value == "low"
    outside = client.post("/library/bandwidth/", {"bw": "low", "next": "https://evil.example/"})
    assert outside["Location"] == "/library/"


def test_my_resources_and_the_nav_for_reviewers(client_for: Any, user_named: Any) -> None:
    submitted(user_named("t0001"), title="等待审核的微课")
    mine = client_for("t0001").get("/library/mine/")
    assert mine.status_code == 200 and "等待审核的微课" in text_of(mine)
    assert 'href="/library/review/"' in text_of(client_for("reviewer_bj").get("/library/"))
    assert 'href="/library/review/"' not in text_of(client_for("s04000").get("/library/"))


def test_lists_read_a_fixed_number_of_queries(
    client_for: Any, user_named: Any, django_assert_max_num_queries: Any
) -> None:
    student = client_for("s04000")
    student.get("/library/")  # warm the session
    with django_assert_max_num_queries(12):
        page = student.get("/library/")
    assert len(page.context["page"].object_list) == 20
    reviewer = client_for("reviewer_bj")
    reviewer.get("/library/review/")
    with CaptureQueriesContext(connection) as few:
        reviewer.get("/library/review/")
    for i in range(5):
        submitted(user_named("t0001"), title=f"排队的微课{i}")
    with django_assert_max_num_queries(len(few)):
        html = text_of(reviewer.get("/library/review/"))
    assert "排队的微课4" in html
