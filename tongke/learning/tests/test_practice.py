"""Homework, timed tests, adaptive practice, diagnosis and push, through the services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tongke.core.errors import Conflict, Invalid, PermissionDenied
from tongke.learning import bank, diagnosis, graph, practice, push
from tongke.learning.interchange import Choice, Item, NumericAnswer
from tongke.learning.models import Attempt, KnowledgePoint, Mastery
from tongke.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db

SUBJECT = "t-math"


@pytest.fixture
def small_graph(user_named):
    """一元一次方程 -> 二元一次方程组 -> 一次函数, each with numeric and choice items."""
    admin = user_named("admin")
    names = [
        ("t-linear", "一元一次方程"),
        ("t-system", "二元一次方程组"),
        ("t-function", "一次函数"),
    ]
    points = [
        graph.point_create(actor=admin, subject=SUBJECT, code=code, name=name, grade_level=7 + n)
        for n, (code, name) in enumerate(names)
    ]
    graph.prerequisite_add(actor=admin, before=points[0], after=points[1])
    graph.prerequisite_add(actor=admin, before=points[1], after=points[2])
    teacher = user_named("t0001")
    items: dict[str, list[Any]] = {p.code: [] for p in points}
    for p in points:
        for k in range(6):
            items[p.code].append(
                bank.item_create(
                    actor=teacher,
                    item=Item(
                        kind="numeric",
                        stem=f"{p.name} 第{k + 1}题：{k + 2}x = {2 * (k + 2)}，x = ?",
                        numeric_answers=[NumericAnswer(2.0)],
                        explanation="两边同除以系数。",
                        difficulty=-1.0 + 0.4 * k,
                    ),
                    subject=SUBJECT,
                    point_codes=[p.code],
                )
            )
    return points, items


def klass() -> OrgUnit:
    return OrgUnit.objects.get(code="BJ-HD-S01-G03-C1")


def test_the_homework_form_respects_the_classs_daily_minutes(small_graph, user_named):
    _points, items = small_graph
    teacher = user_named("t0001")
    practice.homework_limit_set(
        actor=user_named("school_admin_01"), klass=klass(), minutes_per_day=5
    )
    now = timezone.now()
    due = now + timedelta(days=1)
    first = practice.assignment_create(
        actor=teacher,
        klass=klass(),
        title="作业一",
        kind="homework",
        items=items["t-linear"][:2],
        opens_at=now,
        due_at=due,
    )
    assert first.minutes == 4.0
    with pytest.raises(Invalid) as over:
        practice.assignment_create(
            actor=teacher,
            klass=klass(),
            title="作业二",
            kind="homework",
            items=items["t-linear"][2:4],
            opens_at=now,
            due_at=due + timedelta(minutes=5),
        )
    assert over.value.code == "learning.homework_limit"
    assert over.value.detail == {"minutes": 4.0, "used": 4.0, "limit": 5}
    # Another day is fine; practice does not count against homework.
    practice.assignment_create(
        actor=teacher,
        klass=klass(),
        title="作业三",
        kind="homework",
        items=items["t-linear"][2:4],
        opens_at=now,
        due_at=due + timedelta(days=1),
    )
    with pytest.raises(PermissionDenied):
        practice.homework_limit_set(actor=teacher, klass=klass(), minutes_per_day=500)


def test_a_late_answer_to_a_timed_test_is_refused_whatever_the_client_sends(
    small_graph, user_named
):
    _points, items = small_graph
    student = user_named("s00001")
    now = timezone.now()
    test = practice.assignment_create(
        actor=user_named("t0001"),
        klass=klass(),
        title="小测",
        kind="test",
        items=items["t-system"][:3],
        opens_at=now - timedelta(minutes=1),
        due_at=now + timedelta(days=1),
        time_limit_minutes=10,
    )
    attempt = practice.attempt_start(actor=student, assignment=test)
    assert attempt.deadline_at is not None
    assert attempt.deadline_at <= now + timedelta(minutes=11)
    ok = practice.answer_submit(
        actor=student, attempt=attempt, item=items["t-system"][0], answer={"value": 2}
    )
    assert ok.graded.correct is True and ok.solution["accepted"][0]["value"] == 2.0
    with pytest.raises(Conflict) as twice:
        practice.answer_submit(
            actor=student, attempt=attempt, item=items["t-system"][0], answer={"value": 3}
        )
    assert twice.value.code == "learning.already_answered"
    with pytest.raises(Invalid):
        practice.answer_submit(
            actor=student, attempt=attempt, item=items["t-linear"][0], answer={"value": 2}
        )
    Attempt.objects.filter(pk=attempt.pk).update(deadline_at=timezone.now() - timedelta(seconds=1))
    attempt.refresh_from_db()
    with pytest.raises(Conflict) as late:
        practice.answer_submit(
            actor=student, attempt=attempt, item=items["t-system"][1], answer={"value": 2}
        )
    assert late.value.code == "learning.too_late"
    assert attempt.responses.count() == 1


def test_only_the_class_does_the_assignment(small_graph, user_named):
    _points, items = small_graph
    now = timezone.now()
    work = practice.assignment_create(
        actor=user_named("t0001"),
        klass=klass(),
        title="练习",
        kind="practice",
        items=items["t-linear"][:1],
        opens_at=now,
        due_at=now + timedelta(days=1),
    )
    with pytest.raises(PermissionDenied):
        practice.attempt_start(actor=user_named("s04000"), assignment=work)
    with pytest.raises(PermissionDenied):
        practice.assignment_create(
            actor=user_named("t0001"),
            klass=OrgUnit.objects.get(code="BJ-HD-S02-G03-C1")
            if OrgUnit.objects.filter(code="BJ-HD-S02-G03-C1").exists()
            else OrgUnit.objects.filter(kind="class")
            .exclude(path__startswith=klass().path[:12])
            .first(),
            title="x",
            kind="practice",
            items=items["t-linear"][:1],
            opens_at=now,
            due_at=now + timedelta(days=1),
        )


def test_practice_moves_mastery_and_pushes_the_prerequisite_first(small_graph, user_named):
    points, _items = small_graph
    student = user_named("s00001")
    linear, system, _function = points
    # The learner fails the system of equations and its prerequisite.
    for point, answers in ((system, [3, 3]), (linear, [3, 3])):
        for value in answers:
            item = diagnosis.next_item(student=student, subject=SUBJECT, point=point)
            assert item is not None
            result = practice.practice_answer(actor=student, item=item, answer={"value": value})
            assert result.graded.correct is False
    low = Mastery.objects.get(student=student, point=linear).p
    targets = push.learning_targets(student=student, subject=SUBJECT)
    assert targets[0].point == linear and targets[0].blocked == system
    assert "一元一次方程" in targets[0].reason and "二元一次方程组" in targets[0].reason
    # Then answers correctly: the mastery rises after each answer.
    seen = []
    for _ in range(4):
        item = practice.practice_next(actor=student, subject=SUBJECT, point=linear)
        assert item is not None
        result = practice.practice_answer(actor=student, item=item, answer={"value": 2})
        change = next(c for c in result.mastery if c.code == "t-linear")
        assert change.after > change.before
        seen.append(change.after)
    assert Mastery.objects.get(student=student, point=linear).p > low
    assert seen == sorted(seen)


def test_practice_answers_only_the_question_it_served(small_graph, user_named):
    _points, items = small_graph
    with pytest.raises(Conflict) as unserved:
        practice.practice_answer(
            actor=user_named("s00001"), item=items["t-function"][5], answer={"value": 2}
        )
    assert unserved.value.code == "learning.not_served"


def test_a_prerequisite_cycle_is_refused(small_graph, user_named):
    points, _items = small_graph
    with pytest.raises(Invalid) as cycle:
        graph.prerequisite_add(actor=user_named("admin"), before=points[2], after=points[0])
    assert cycle.value.code == "learning.graph_cycle"


def test_fitting_learns_from_the_answers_and_keeps_predictions_sane(small_graph, user_named):
    """With enough answers the subject's models are fitted and become current."""
    import random

    points, items = small_graph
    rng = random.Random(7)
    students = [user_named(f"s{n:05d}") for n in range(2, 60)]
    for s in students:
        skill = rng.random()
        attempt = Attempt.objects.create(student=s)
        for p in points:
            for item in items[p.code]:
                value = 2 if rng.random() < 0.05 + 0.9 * skill else 3
                practice._grade_and_record(
                    actor=s, attempt=attempt, item=item, answer={"value": value}
                )
    report = diagnosis.fit_subject(SUBJECT)
    assert report is not None and report.answers >= 200
    # Held-out learners: after a few answers the model has their measure.
    assert report.irt_auc is not None and report.irt_auc > 0.65
    bkt, _irt = diagnosis.models_for(SUBJECT)
    state = bkt.update(bkt.initial_state(), ["t-linear"], True)
    assert 0 < bkt.mastery(state)["t-linear"] < 1
    assert KnowledgePoint.objects.filter(subject=SUBJECT).count() == 3


def test_a_new_item_needs_a_correct_answer(user_named):
    with pytest.raises(Invalid) as missing:
        bank.item_create(
            actor=user_named("t0001"),
            item=Item(kind="single", stem="?", choices=[Choice("a", "1"), Choice("b", "2")]),
            subject=SUBJECT,
        )
    assert missing.value.code.startswith("items.")
