"""Data set-up for bench/live.py, run in a subprocess with Django configured.

    python bench/_livesetup.py --classrooms 50 --out plan.json

It expects a freshly migrated, empty database (``tongke migrate`` into the TONGKE_HOME that
the environment points at) and makes only what one live lesson needs, through the services
people use (each checks its policy and leaves an audit event):

- a superuser ``lvroot`` (the installation's administrator) who creates, with
  ``orgs.services``, a city region ``LV``, its region admin ``lvadmin``, an urban lead school
  ``LV-S01`` with a master teacher ``lvmaster`` (TEACHER and MASTER_TEACHER at the school),
  and ``ceil(N / 5)`` rural partner schools, each with a grade 4 and five classes; every
  receiving class gets a tutor of its own (``lvtutor01``..., TUTOR scoped to the class);
- a catalogue path (stage > subject > volume > lesson) for the lesson, through
  ``library.catalogue.node_create``;
- a community partnership of the lead school and the partner schools
  (``live.partnerships.partnership_create``, by the region admin) and ONE session by the master
  teacher for N receiving classrooms (``live.services.session_schedule``), starting a minute
  from now and lasting 240 minutes, so the room is open now;
- one signed-in Django session per person (master and each tutor), made the way
  ``django.contrib.auth.login`` makes one (``_auth_user_id``, ``_auth_user_backend``,
  ``_auth_user_hash``), saved with the configured session engine.

It writes the session id, the cookie name, the master's cookie and each classroom's id, peer
and tutor cookie to ``--out`` (JSON). People get no usable password: nobody signs in through
the form, and hashing 50 passwords would only slow the set-up down.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from datetime import timedelta
from importlib import import_module
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CLASSES_PER_SCHOOL = 5
GRADE = 4


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--classrooms", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.base")
    import django

    django.setup()

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from tongke.library import catalogue
    from tongke.library.enums import NodeKind
    from tongke.live import services
    from tongke.live.enums import PartnershipKind
    from tongke.live.models import LiveSession
    from tongke.orgs import services as orgs
    from tongke.orgs.enums import LocationClass, RegionLevel, Role, SchoolType, UnitKind

    try:  # live.partnerships was split out of live.services
        partnership_create = import_module("tongke.live.partnerships").partnership_create
    except ImportError:
        partnership_create = import_module("tongke.live.services").partnership_create
    if not 1 <= args.classrooms <= services.MAX_CLASSROOMS:
        parser.error(f"--classrooms is 1 to {services.MAX_CLASSROOMS}")
    t0 = time.perf_counter()
    User = get_user_model()
    if User.objects.exists():
        parser.error("the database is not empty (bench/_livesetup.py wants a fresh one)")

    with transaction.atomic():
        root = User.objects.create_superuser(username="lvroot", email="", password=None)
        region = orgs.unit_create(
            actor=root,
            parent=None,
            kind=UnitKind.REGION,
            code="LV",
            name="直播压测市",
            name_en="Live bench city",
            region_level=RegionLevel.CITY,
        )
        admin = orgs.person_create(
            actor=root,
            username="lvadmin",
            full_name="压测区管理员",
            role=Role.REGION_ADMIN,
            unit=region,
        )

        def school(n: int, name: str, loc: str) -> Any:
            return orgs.unit_create(
                actor=admin,
                parent=region,
                kind=UnitKind.SCHOOL,
                code=f"LV-S{n:02d}",
                name=name,
                school_type=SchoolType.PRIMARY,
                location_class=loc,
                bandwidth_mbps=100 if loc == LocationClass.URBAN else 20,
            )

        lead = school(1, "压测中心小学", LocationClass.URBAN)
        master = orgs.person_create(
            actor=admin,
            username="lvmaster",
            full_name="主讲教师",
            role=Role.TEACHER,
            unit=lead,
        )
        orgs.role_grant(actor=admin, person=master, role=Role.MASTER_TEACHER, unit=lead)

        partners: list[Any] = []
        rooms: list[Any] = []
        for s in range(math.ceil(args.classrooms / CLASSES_PER_SCHOOL)):
            partner = school(s + 2, f"压测山区小学{s + 1:02d}", LocationClass.RURAL)
            partners.append(partner)
            grade = orgs.grade_for(actor=admin, school=partner, grade_level=GRADE)
            for k in range(1, CLASSES_PER_SCHOOL + 1):
                if len(rooms) == args.classrooms:
                    break
                klass = orgs.unit_create(
                    actor=admin,
                    parent=grade,
                    kind=UnitKind.CLASS,
                    code=f"{grade.code}-C{k}",
                    name=f"四年级（{k}）班",
                    grade_level=GRADE,
                )
                tutor = orgs.person_create(
                    actor=admin,
                    username=f"lvtutor{len(rooms) + 1:02d}",
                    full_name=f"辅导教师{len(rooms) + 1:02d}",
                    role=Role.TUTOR,
                    unit=klass,
                )
                rooms.append(services.ClassroomIn(klass, tutor))

        stage = catalogue.node_create(
            actor=root, parent=None, kind=NodeKind.STAGE, code="LV-P", name="小学", stage="primary"
        )
        subject = catalogue.node_create(
            actor=root,
            parent=stage,
            kind=NodeKind.SUBJECT,
            code="LV-P-SCI",
            name="科学",
            subject="science",
        )
        volume = catalogue.node_create(
            actor=root,
            parent=subject,
            kind=NodeKind.VOLUME,
            code="LV-P-SCI-4A",
            name="四年级上册",
            grade_level=GRADE,
        )
        lesson = catalogue.node_create(
            actor=root, parent=volume, kind=NodeKind.LESSON, code="LV-P-SCI-4A-L1", name="观察叶"
        )

        partnership = partnership_create(
            actor=admin,
            region=region,
            kind=PartnershipKind.COMMUNITY,
            name="压测联校网教共同体",
            lead_school=lead,
            members=partners,
        )
        session = services.session_schedule(
            actor=master,
            partnership=partnership,
            host_school=lead,
            lesson=lesson,
            title="直播压测课",
            starts_at=timezone.now() + timedelta(minutes=1),
            minutes=services.MAX_MINUTES,
            classrooms=rooms,
        )[0]
        services.check_joinable(session)  # open now: the room lets people in 30 min early

    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    backend = settings.AUTHENTICATION_BACKENDS[0]

    def signed_in(user: Any) -> str:
        store = store_class()
        store["_auth_user_id"] = str(user.pk)
        store["_auth_user_backend"] = backend
        store["_auth_user_hash"] = user.get_session_auth_hash()
        store.create()
        assert store.session_key is not None
        return str(store.session_key)

    classrooms = [
        {"id": c.pk, "peer": c.peer, "tutor": c.tutor.username, "cookie": signed_in(c.tutor)}
        for c in LiveSession.objects.get(pk=session.pk)
        .classrooms.select_related("tutor")
        .order_by("pk")
    ]
    Path(args.out).write_text(
        json.dumps(
            {
                "session_id": session.pk,
                "cookie_name": settings.SESSION_COOKIE_NAME,
                "session_engine": settings.SESSION_ENGINE,
                "master": {"username": master.username, "cookie": signed_in(master)},
                "classrooms": classrooms,
                "partner_schools": len(partners),
            }
        )
    )
    print(
        f"  region, lead school, {len(partners)} partner schools, {len(classrooms)} classes with "
        f"a tutor each, session {session.pk} for {len(classrooms)} classrooms and "
        f"{len(classrooms) + 1} signed-in sessions in {time.perf_counter() - t0:.1f} s",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
