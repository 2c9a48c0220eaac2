"""Who may see and do what on the learning platform (LRN-1..5).

- The knowledge graph is shared curriculum: everyone reads it; regional admins edit it.
- The question bank holds answer keys, so only staff read it: teachers, school and regional
  admins and reviewers. A bank item is shared with all regions (``scope_path`` "") or with
  the region it was written in. Learners reach items only through an assignment or adaptive
  practice, and only without the key until they have answered.
- An assignment is seen by its teacher, the admins over its class, its students (the whole
  class, or the named group) and their parents.
- A learner's answers and diagnosis are seen by the learner, their parents, the teachers of
  their class and the admins over it; never by another student.
- Results (right or wrong, scores, feedback, the key and the explanation) follow one rule,
  ``can_see_results``, in the pages and the API alike: a timed test holds them until it is
  over for everyone (its due time), so that a key cannot travel to a classmate who is still
  working; its teacher and the admins over its class see them at once. Practice, homework
  and adaptive practice show them as soon as the answer is in.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from tongke.core.errors import NotFound
from tongke.learning.enums import AssignmentKind
from tongke.learning.errors import LearningError
from tongke.learning.models import Assignment, Attempt, Item, Response
from tongke.orgs import policies as org
from tongke.orgs.enums import TEACHING_ROLES, Role, UnitKind
from tongke.orgs.models import OrgUnit, RoleAssignment

STEP = OrgUnit.steplen


def _prefixes(path: str) -> list[str]:
    return [path[:n] for n in range(STEP, len(path) + 1, STEP)]


def staff_paths(user: Any) -> list[str]:
    """Where the user works: teaching roles, admin roles and reviewer regions."""
    return org.role_paths(
        user, (*TEACHING_ROLES, Role.SCHOOL_ADMIN, Role.REGION_ADMIN, Role.REVIEWER)
    )


def is_staff(user: Any) -> bool:
    return bool(staff_paths(user))


def class_paths_taught(user: Any) -> list[str]:
    """Classes the user teaches directly, plus every class of schools where they hold a
    school-wide teaching role; admins get their whole scope."""
    paths = [g.path for g in org.grants_of(user) if g.role in TEACHING_ROLES and g.path]
    return sorted(set(paths + org.admin_paths(user)))


def student_class_paths(user: Any) -> list[str]:
    return org.role_paths(user, (Role.STUDENT,))


# --- Bank --------------------------------------------------------------------------------------


def item_visible_to(user: Any) -> Q:
    paths = staff_paths(user)
    if not paths:
        return Q(pk__in=[])
    if org.ROOT in org.admin_paths(user):
        return Q()
    ancestors = sorted({p for path in paths for p in _prefixes(path)})
    return Q(scope_path="") | Q(scope_path__in=ancestors) | Q(owner_id=user.pk)


def access_item(user: Any, item_id: int) -> Item:
    item = Item.objects.filter(item_visible_to(user), pk=item_id).first()
    if item is None:
        raise NotFound(code=LearningError.ITEM_NOT_FOUND)
    return item


def can_author_items(user: Any) -> bool:
    return bool(org.role_paths(user, (*TEACHING_ROLES, Role.SCHOOL_ADMIN, Role.REGION_ADMIN)))


def can_edit_item(user: Any, item: Item) -> bool:
    """The author, or a regional admin over the item's region (shared items: superusers)."""
    if item.owner_id == getattr(user, "pk", None):
        return True
    regions = org.region_admin_paths(user)
    if org.ROOT in regions:
        return True
    return bool(item.scope_path) and org.is_within(item.scope_path, regions)


# --- Assignments ---------------------------------------------------------------------------------


def assignment_visible_to(user: Any) -> Q:
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    q = Q(teacher_id=user.pk) | org.under_paths(class_paths_taught(user), "klass__path")
    mine = student_class_paths(user)
    if mine:
        q |= Q(klass__path__in=mine) & (Q(students__isnull=True) | Q(students=user.pk))
    children = org.child_ids(user)
    if children:
        child_classes = list(
            RoleAssignment.objects.filter(
                user_id__in=children, role=Role.STUDENT, unit__isnull=False
            ).values_list("unit__path", flat=True)
        )
        q |= Q(klass__path__in=child_classes) & (
            Q(students__isnull=True) | Q(students__in=children)
        )
    return q


def access_assignment(user: Any, assignment_id: int) -> Assignment:
    found = (
        Assignment.objects.filter(assignment_visible_to(user), pk=assignment_id)
        .select_related("klass", "teacher")
        .distinct()
        .first()
    )
    if found is None:
        raise NotFound(code=LearningError.ASSIGNMENT_NOT_FOUND)
    return found


def can_assign_to(user: Any, klass: OrgUnit) -> bool:
    return klass.kind == UnitKind.CLASS and org.is_within(klass.path, class_paths_taught(user))


def is_target(user: Any, assignment: Assignment) -> bool:
    """Is the user one of the students who do this assignment?"""
    if assignment.klass.path not in student_class_paths(user):
        return False
    group = list(assignment.students.values_list("pk", flat=True))
    return not group or user.pk in group


def can_manage_assignment(user: Any, assignment: Assignment) -> bool:
    return assignment.teacher_id == getattr(user, "pk", None) or org.is_within(
        assignment.klass.path, org.admin_paths(user)
    )


def results_held(assignment: Assignment | None, *, now: datetime | None = None) -> bool:
    """Does ``assignment`` hold its results back from learners now? A timed test does until
    it is over for everyone (no attempt's deadline passes its due time); practice, homework
    and adaptive practice (no assignment) never do."""
    if assignment is None or assignment.kind != AssignmentKind.TEST:
        return False
    return (now or timezone.now()) < assignment.due_at


def can_see_results(
    user: Any, assignment: Assignment | None, *, now: datetime | None = None
) -> bool:
    """May ``user`` see right or wrong, scores, feedback and solutions of the answers to
    ``assignment`` now? Everyone who may read the answers, once the results are no longer
    held (``results_held``); before that, only whoever manages the assignment."""
    if not results_held(assignment, now=now):
        return True
    assert assignment is not None
    return can_manage_assignment(user, assignment)


# --- Learners' records ------------------------------------------------------------------------


def learner_visible_to(user: Any) -> Q:
    """A filter on User: the learners whose answers and diagnosis ``user`` may read."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    q = Q(pk=user.pk)
    children = org.child_ids(user)
    if children:
        q |= Q(pk__in=children)
    scopes = class_paths_taught(user)
    if org.ROOT in scopes:
        return Q()
    if scopes:
        q |= Q(
            pk__in=RoleAssignment.objects.filter(
                org.under_paths(scopes, "unit__path"), role=Role.STUDENT
            ).values("user_id")
        )
    return q


def access_learner(user: Any, learner_id: int) -> Any:
    found = get_user_model().objects.filter(learner_visible_to(user), pk=learner_id).first()
    if found is None:
        raise NotFound(code=LearningError.LEARNER_NOT_FOUND)
    return found


def can_read_class(user: Any, klass: OrgUnit) -> bool:
    return klass.kind == UnitKind.CLASS and org.is_within(klass.path, class_paths_taught(user))


def access_attempt(user: Any, attempt_id: int) -> Attempt:
    attempt = Attempt.objects.filter(pk=attempt_id).select_related("assignment__klass").first()
    if (
        attempt is None
        or not get_user_model()
        .objects.filter(learner_visible_to(user), pk=attempt.student_id)
        .exists()
    ):
        raise NotFound(code=LearningError.ATTEMPT_NOT_FOUND)
    return attempt


def access_response(user: Any, response_id: int) -> Response:
    response = Response.objects.filter(pk=response_id).select_related("item", "attempt").first()
    if (
        response is None
        or not get_user_model()
        .objects.filter(learner_visible_to(user), pk=response.student_id)
        .exists()
    ):
        raise NotFound(code=LearningError.RESPONSE_NOT_FOUND)
    return response


def can_grade(user: Any, response: Response) -> bool:
    """Teachers of the learner's class and admins over it grade short answers."""
    if response.student_id == getattr(user, "pk", None):
        return False
    scopes = class_paths_taught(user)
    return RoleAssignment.objects.filter(
        org.under_paths(scopes, "unit__path"), role=Role.STUDENT, user_id=response.student_id
    ).exists()


def learner_queryset(user: Any) -> Any:
    """The learners (User rows) whose records ``user`` may read."""
    return get_user_model().objects.filter(learner_visible_to(user))


# --- Regional and school administration of the learning platform ---------------------------


def can_edit_graph(user: Any) -> bool:
    """Regional administrators (of any region; a superuser is one at the root) edit the
    knowledge graphs, which every region shares."""
    return bool(org.region_admin_paths(user))


def can_refit_models(user: Any) -> bool:
    """Regional administrators start a refit of a subject's knowledge-tracing models."""
    return bool(org.region_admin_paths(user))


def can_share_items_everywhere(user: Any) -> bool:
    """Only regional administrators put items in the bank shared with every region."""
    return bool(org.region_admin_paths(user))


def can_set_homework_limit(user: Any, klass: OrgUnit) -> bool:
    """The administrators over a class (its school's, its region's) set its daily minutes."""
    return org.is_within(klass.path, org.admin_paths(user))


def can_administer(user: Any) -> bool:
    """School and regional administrators (and superusers) see the platform's admin links."""
    return org.is_admin(user)
