"""Review before publishing (凡进必审), versions, take-down, ratings, designations."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tongke.audit.models import AuditEvent
from tongke.core.errors import Conflict, Invalid, PermissionDenied
from tongke.library import policies, services
from tongke.library.enums import (
    Decision,
    DesignationKind,
    ResourceKind,
    ResourceStatus,
    VersionStatus,
    Visibility,
)
from tongke.library.models import Resource, ResourceVersion, Review
from tongke.library.tests.factories import ALL_TICKED, draft, published, submitted
from tongke.notifications.models import Notification

pytestmark = pytest.mark.django_db


def visible(username_user, resource) -> bool:
    return Resource.objects.filter(
        policies.resource_visible_to(username_user), pk=resource.pk
    ).exists()


def test_a_submitted_micro_lesson_is_published_by_a_reviewer_of_its_region(user_named):
    # Given a Haidian teacher's micro-lesson waiting for review
    teacher, reviewer = user_named("t0001"), user_named("reviewer_bj")
    resource = submitted(teacher)
    version = resource.versions.get()
    assert version.status == VersionStatus.SUBMITTED
    assert not visible(user_named("s04000"), resource)
    # When the Beijing reviewer approves it with every checklist point ticked
    review = services.review_decide(
        actor=reviewer, version=version, decision=Decision.APPROVE, checklist=ALL_TICKED
    )
    # Then it is live, recorded, audited and the owner is told
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.PUBLISHED
    assert resource.live_version_id == version.pk
    assert review.checklist == ALL_TICKED
    assert AuditEvent.objects.filter(action="library.review_approve").exists()
    assert Notification.objects.filter(user=teacher, kind="library.review_approve").exists()
    # and a Hebei student (another region) sees it, because it is shared with all regions
    assert visible(user_named("s04000"), resource)


def test_approval_needs_every_checklist_point_and_a_return_needs_reasons(user_named):
    teacher, reviewer = user_named("t0001"), user_named("reviewer_bj")
    version = submitted(teacher).versions.get()
    with pytest.raises(Invalid) as partial:
        services.review_decide(
            actor=reviewer,
            version=version,
            decision=Decision.APPROVE,
            checklist={**ALL_TICKED, "copyright": False},
        )
    assert partial.value.code == "library.checklist_incomplete"
    with pytest.raises(Invalid) as silent:
        services.review_decide(
            actor=reviewer, version=version, decision=Decision.RETURN, checklist={}
        )
    assert silent.value.code == "library.reasons_required"
    with pytest.raises(Invalid) as unknown:
        services.review_decide(
            actor=reviewer, version=version, decision=Decision.APPROVE, checklist={"vibes": True}
        )
    assert unknown.value.code == "library.bad_checklist"
    version.refresh_from_db()
    assert version.status == VersionStatus.SUBMITTED
    assert not Review.objects.filter(version=version).exists()


def test_a_second_reviewer_acting_on_a_decided_item_gets_a_conflict(user_named):
    teacher = user_named("t0001")
    version = submitted(teacher).versions.get()
    first, stale = user_named("reviewer_bj"), user_named("reviewer_bj")
    services.review_decide(
        actor=first, version=version, decision=Decision.RETURN, checklist={}, reasons="画面模糊"
    )
    with pytest.raises(Conflict) as late:
        services.review_decide(
            actor=stale, version=version, decision=Decision.APPROVE, checklist=ALL_TICKED
        )
    assert late.value.code == "library.already_decided"
    assert Review.objects.filter(version=version).count() == 1


def test_reviewers_of_other_regions_owners_and_students_cannot_review(user_named):
    teacher = user_named("t0001")
    version = submitted(teacher).versions.get()
    for name in ("reviewer_he", "t0001", "s00001", "bj_admin"):
        with pytest.raises(PermissionDenied):
            services.review_decide(
                actor=user_named(name),
                version=version,
                decision=Decision.APPROVE,
                checklist=ALL_TICKED,
            )
    queue_he = policies.review_queue_filter(user_named("reviewer_he"))
    queue_bj = policies.review_queue_filter(user_named("reviewer_bj"))
    assert not ResourceVersion.objects.filter(queue_he, pk=version.pk).exists()
    assert ResourceVersion.objects.filter(queue_bj, pk=version.pk).exists()


def test_a_new_version_waits_for_review_while_the_old_one_stays_live(user_named):
    teacher, reviewer = user_named("t0001"), user_named("reviewer_bj")
    resource = published(teacher, reviewer, title="旧标题 一次函数")
    live = resource.live_version
    assert live is not None
    draft_v = services.version_start(actor=teacher, resource=resource)
    assert draft_v.number == 2 and draft_v.asset_id == live.asset_id
    services.version_update(actor=teacher, version=draft_v, title="新标题 二次函数")
    services.version_submit(actor=teacher, version=draft_v)
    resource.refresh_from_db()
    assert resource.title == "旧标题 一次函数" and resource.live_version_id == live.pk
    with pytest.raises(Conflict):
        services.version_start(actor=teacher, resource=resource)
    services.review_decide(
        actor=reviewer, version=draft_v, decision=Decision.APPROVE, checklist=ALL_TICKED
    )
    resource.refresh_from_db()
    live.refresh_from_db()
    assert resource.title == "新标题 二次函数"
    assert live.status == VersionStatus.SUPERSEDED


def test_micro_lessons_last_at_most_five_minutes_by_the_probed_duration(user_named):
    teacher = user_named("t0001")
    resource = draft(teacher, kind=ResourceKind.MICRO, duration_s=301.0)
    with pytest.raises(Invalid) as long:
        services.version_submit(actor=teacher, version=resource.versions.get())
    assert long.value.code == "library.micro_too_long"
    ok = draft(teacher, kind=ResourceKind.VIDEO, duration_s=2400.0)
    services.version_submit(actor=teacher, version=ok.versions.get())


def test_take_down_with_reasons_and_restore(user_named):
    teacher, reviewer = user_named("t0001"), user_named("reviewer_bj")
    resource = published(teacher, reviewer)
    with pytest.raises(PermissionDenied):
        services.resource_take_down(actor=user_named("he_admin"), resource=resource, reasons="x")
    with pytest.raises(Invalid):
        services.resource_take_down(actor=reviewer, resource=resource, reasons="  ")
    services.resource_take_down(actor=user_named("hd_admin"), resource=resource, reasons="版权")
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.TAKEN_DOWN
    assert not visible(user_named("s04000"), resource)
    assert visible(teacher, resource)  # the owner still sees it, with the reason
    with pytest.raises(Conflict):
        services.resource_take_down(actor=reviewer, resource=resource, reasons="again")
    services.resource_restore(actor=reviewer, resource=resource)
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.PUBLISHED


@pytest.mark.parametrize(
    ("visibility", "sees", "does_not_see"),
    [
        (Visibility.PUBLIC, ["s04000", "s00001", "learner01", None], []),
        (Visibility.ALL_REGIONS, ["s04000", "learner01", "p00001"], [None]),
        (Visibility.REGION, ["s00001", "p00001", "hd_admin"], ["s04000", "learner01", None]),
        (Visibility.SCHOOL, ["s00001", "school_admin_01"], ["s04000", "learner01", None]),
    ],
)
def test_visibility_by_scope(user_named, visibility, sees, does_not_see):
    from django.contrib.auth.models import AnonymousUser

    resource = published(user_named("t0001"), user_named("reviewer_bj"), visibility=visibility)

    def who(name):
        return AnonymousUser() if name is None else user_named(name)

    assert all(visible(who(n), resource) for n in sees), visibility
    assert not any(visible(who(n), resource) for n in does_not_see), visibility


def test_markup_in_titles_is_kept_as_text_and_control_characters_are_refused(user_named):
    teacher = user_named("t0001")
    resource = draft(teacher, title='<script>alert(1)</script><svg onload="x">')
    assert resource.title.startswith("<script>")  # stored as text; escaped where shown
    with pytest.raises(Invalid) as nul:
        draft(teacher, title="bad\x00title")
    assert nul.value.code == "library.bad_text"
    with pytest.raises(Invalid) as js:
        services.resource_create(
            actor=teacher,
            kind=ResourceKind.LAB_LINK,
            node=resource.node,
            title="lab",
            licence="cc-by",
            visibility="all",
            external_url="javascript:alert(1)",
        )
    assert js.value.code == "library.bad_link"


def test_students_and_admins_without_a_school_role_cannot_publish(user_named):
    for name in ("s00001", "p00001", "hd_admin", "learner01"):
        with pytest.raises(PermissionDenied):
            draft(user_named(name))


def test_ratings_are_one_per_person_and_never_by_the_owner(user_named):
    teacher = user_named("t0001")
    resource = published(teacher, user_named("reviewer_bj"))
    services.resource_rate(actor=user_named("s04000"), resource=resource, stars=5)
    services.resource_rate(actor=user_named("s04000"), resource=resource, stars=3)
    services.resource_rate(actor=user_named("s00001"), resource=resource, stars=4)
    resource.refresh_from_db()
    assert (resource.rating_count, resource.rating_sum, resource.rating) == (2, 7, 3.5)
    with pytest.raises(PermissionDenied):
        services.resource_rate(actor=teacher, resource=resource, stars=5)
    with pytest.raises(Invalid):
        services.resource_rate(actor=user_named("s00001"), resource=resource, stars=6)


def test_views_count_per_school(user_named):
    resource = published(user_named("t0001"), user_named("reviewer_bj"))
    for name in ("s00001", "s00001", "s04000"):
        services.resource_viewed(viewer=user_named(name), resource=resource)
    resource.refresh_from_db()
    assert resource.view_count == 3
    counts = {v.school.code: v.count for v in resource.school_views.select_related("school")}
    assert counts["BJ-HD-S01"] == 2 and len(counts) == 2


def test_designations_count_toward_the_regions_targets(user_named):
    from tongke.library import selectors
    from tongke.orgs.models import OrgUnit

    resource = published(user_named("t0001"), user_named("reviewer_bj"))
    bj = OrgUnit.objects.get(code="BJ")
    before = {r.kind: r.achieved for r in selectors.designation_panel(region=bj)}
    with pytest.raises(PermissionDenied):
        services.designation_add(
            actor=user_named("he_admin"), resource=resource, kind=DesignationKind.BOUTIQUE
        )
    services.designation_add(
        actor=user_named("bj_admin"), resource=resource, kind=DesignationKind.PROVINCIAL_QUALITY
    )
    with pytest.raises(Conflict):
        services.designation_add(
            actor=user_named("bj_admin"),
            resource=resource,
            kind=DesignationKind.PROVINCIAL_QUALITY,
        )
    services.designation_target_set(
        actor=user_named("bj_admin"),
        region=bj,
        kind=DesignationKind.PROVINCIAL_QUALITY,
        year=timezone.now().year,
        target=40,
    )
    rows = {r.kind: r for r in selectors.designation_panel(region=bj)}
    assert rows["provincial_quality"].achieved == before["provincial_quality"] + 1
    assert rows["provincial_quality"].target == 40
