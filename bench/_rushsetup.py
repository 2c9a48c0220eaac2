"""Data set-up for bench/rush.py, run in a subprocess with Django configured.

    python bench/_rushsetup.py --students N --sections S --hot H --seats 30 --cold-seats 500
                               --out plan.json

It expects the demo region to be seeded already (``tongke demo --no-serve``) into the
database that TONGKE_HOME / TONGKE_DATABASE_URL point at, and:

- takes the demo's students of Beijing (the round's scope, "BJ"), lowest ids first, and, if
  there are fewer than N, adds students to the classes of Haidian and Chaoyang schools
  (usernames ``rush00001``...; bulk-created like the demo's own people, with the demo
  password hash). Students whose class has a fixed home timetable, or who already hold or
  queue for a section of the demo's own rounds, are left out (and get no new classmates), so
  that no pick can be refused for a timetable clash;
- opens a first-come round for Beijing through ``courses.services.round_create`` and offers S
  sections through ``courses.services.offering_create`` (H hot ones with ``--seats`` seats,
  the others with ``--cold-seats``), each with a weekly slot of its own, so no pick can clash
  with another; grades 1-16, open to every region, 1 credit;
- makes a second round, never opened, with the same sections (seats and all), for the
  database ceiling that rush.py measures with direct SQL after the HTTP rush;
- bulk-creates one API token per student, with the digest ``accounts.services`` uses, and
  writes the secrets, the ids and the sections to ``--out`` (JSON).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import secrets
import sys
import time
from datetime import time as clock
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCOPE = "BJ"
EXTRA_DISTRICTS = ("BJ-HD", "BJ-CY")
MAX_SECTIONS = 7 * 33  # one 25-minute slot every 30 minutes, 07:00-23:30, 7 days


def slot_of(i: int) -> tuple[int, clock, clock]:
    """A weekly slot of its own for section ``i``: weekday, start, end."""
    weekday = 1 + i % 7
    minutes = 7 * 60 + (i // 7) * 30
    return weekday, clock(minutes // 60, minutes % 60), clock(minutes // 60, minutes % 60 + 25)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, required=True)
    parser.add_argument("--sections", type=int, required=True)
    parser.add_argument("--hot", type=int, required=True)
    parser.add_argument("--seats", type=int, required=True)
    parser.add_argument("--cold-seats", type=int, required=True)
    parser.add_argument("--max-sections", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    if not 1 <= args.hot < args.sections <= MAX_SECTIONS:
        parser.error(f"need 1 <= hot < sections <= {MAX_SECTIONS}")

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.base")
    import django

    django.setup()

    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from tongke.accounts.enums import TOKEN_DEFAULT_DAYS, TokenScope
    from tongke.accounts.models import ApiToken
    from tongke.accounts.services import TOKEN_PREFIX, api_token_password_fingerprint
    from tongke.courses import services
    from tongke.courses.enums import ACTIVE, Mode, RoundMode, RoundStatus
    from tongke.courses.models import Offering, Selection, Slot
    from tongke.orgs.enums import Role, UnitKind
    from tongke.orgs.models import OrgUnit, RoleAssignment

    t0 = time.perf_counter()
    User = get_user_model()
    scope = OrgUnit.objects.get(code=SCOPE)
    admin = User.objects.get(username="bj_admin")
    schools = {
        u.path: u for u in OrgUnit.objects.filter(kind=UnitKind.SCHOOL, path__startswith=scope.path)
    }

    def school_of(class_path: str) -> OrgUnit:
        for n in range(len(class_path), 0, -OrgUnit.steplen):
            if class_path[:n] in schools:
                return schools[class_path[:n]]
        raise RuntimeError(f"no school above class {class_path}")

    with transaction.atomic():
        # Left out, so that no pick of the rush can be refused for a timetable clash: students
        # of classes with a fixed home timetable, and students who already hold or queue for
        # a section (of the demo's own rounds).
        timetabled = set(
            Slot.objects.filter(home_class__isnull=False).values_list("home_class_id", flat=True)
        )
        busy = set(Selection.objects.filter(status__in=ACTIVE).values_list("student_id", flat=True))
        candidates = (
            RoleAssignment.objects.filter(
                role=Role.STUDENT, unit__path__startswith=scope.path, unit__kind=UnitKind.CLASS
            )
            .order_by("user_id")
            .values_list("user_id", "unit_id", "unit__path")
        )
        rows: list[tuple[int, str]] = []
        skipped = 0
        for user_id, unit_id, path in candidates:
            if unit_id in timetabled or user_id in busy:
                skipped += 1
            elif len(rows) < args.students:
                rows.append((user_id, path))
        demo_students = len(rows)
        missing = args.students - demo_students
        if missing > 0:
            classes = [
                c
                for code in EXTRA_DISTRICTS
                for c in OrgUnit.objects.filter(
                    kind=UnitKind.CLASS,
                    path__startswith=OrgUnit.objects.get(code=code).path,
                ).order_by("path")
                if c.pk not in timetabled
            ]
            password = User.objects.get(username="s00001").password  # the demo password hash
            User.objects.bulk_create(
                [
                    User(username=f"rush{i:05d}", full_name=f"压测学生{i:05d}", password=password)
                    for i in range(1, missing + 1)
                ],
                batch_size=1000,
            )
            ids = dict(
                User.objects.filter(username__startswith="rush").values_list("username", "id")
            )
            extra = [
                RoleAssignment(
                    user_id=ids[f"rush{i:05d}"],
                    role=Role.STUDENT,
                    unit=classes[(i - 1) % len(classes)],
                )
                for i in range(1, missing + 1)
            ]
            RoleAssignment.objects.bulk_create(extra, batch_size=1000)
            rows += [
                (ra.user_id, classes[(i - 1) % len(classes)].path) for i, ra in enumerate(extra, 1)
            ]

        now = timezone.now()
        round_fields = {
            "mode": RoundMode.FIRST_COME,
            "opens_at": now - timedelta(hours=1),
            "closes_at": now + timedelta(days=7),
            "drop_until": now + timedelta(days=14),
            "max_sections": args.max_sections,
            "max_credits": Decimal(args.max_sections * 2),
        }
        rnd = services.round_create(
            actor=admin, scope=scope, name="rush bench", status=RoundStatus.OPEN, **round_fields
        )
        hosts = sorted(schools.values(), key=lambda u: u.path)
        sections = []
        for i in range(args.sections):
            hot = i < args.hot
            weekday, starts, ends = slot_of(i)
            offering = services.offering_create(
                actor=admin,
                rnd=rnd,
                host_school=hosts[i % len(hosts)],
                slots=[services.SlotIn(weekday, starts, ends)],
                code=f"RUSH-{'H' if hot else 'C'}{i + 1:03d}",
                title=f"{'热门' if hot else '选修'}课 {i + 1}",
                mode=Mode.LIVE_ONLINE,
                seats=args.seats if hot else args.cold_seats,
                grade_min=1,
                grade_max=16,
                credits=Decimal(1),
            )
            sections.append({"id": offering.pk, "hot": hot, "seats": offering.seats})

        # The ceiling's copy: a round that is never opened, with the same sections.
        ceiling_round = services.round_create(
            actor=admin,
            scope=scope,
            name="rush bench ceiling (direct SQL)",
            status=RoundStatus.DRAFT,
            **round_fields,
        )
        copies = Offering.objects.bulk_create(
            [
                Offering(
                    round=ceiling_round,
                    host_school=hosts[i % len(hosts)],
                    code=f"CEIL-{i + 1:03d}",
                    title=f"ceiling {i + 1}",
                    mode=Mode.LIVE_ONLINE,
                    seats=s["seats"],
                    grade_min=1,
                    grade_max=16,
                    credits=Decimal(1),
                )
                for i, s in enumerate(sections)
            ]
        )
        Slot.objects.bulk_create(
            [
                Slot(offering=o, weekday=w, starts=a, ends=b)
                for i, o in enumerate(copies)
                for w, a, b in [slot_of(i)]
            ]
        )
        for s, o in zip(sections, copies, strict=True):
            s["ceiling_id"] = o.pk

        students = []
        tokens = []
        # Tokens are bound to the holder's password and expire (tongke.accounts.services).
        hashes = dict(
            get_user_model()
            .objects.filter(pk__in=[r[0] for r in rows])
            .values_list("pk", "password")
        )
        expires = timezone.now() + timedelta(days=TOKEN_DEFAULT_DAYS)
        for user_id, class_path in rows:
            prefix = secrets.token_hex(4)
            secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
            tokens.append(
                ApiToken(
                    user_id=user_id,
                    name="rush bench",
                    prefix=prefix,
                    digest=hashlib.sha256(secret.encode()).hexdigest(),
                    scopes=[TokenScope.READ, TokenScope.WRITE],
                    expires_at=expires,
                    password_fingerprint=api_token_password_fingerprint(hashes[user_id]),
                )
            )
            students.append([user_id, school_of(class_path).pk, secret])
        ApiToken.objects.bulk_create(tokens, batch_size=1000)

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    Path(args.out).write_text(
        json.dumps(
            {
                "round_id": rnd.pk,
                "ceiling_round_id": ceiling_round.pk,
                "scope": SCOPE,
                "demo_students": demo_students,
                "skipped_students": skipped,
                "added_students": max(0, missing),
                "sections": sections,
                "students": students,
            }
        )
    )
    print(
        f"  {len(students)} students ({demo_students} from the demo, {max(0, missing)} added; "
        f"{skipped} demo students left out: home timetable or picks elsewhere), "
        f"{len(sections)} sections ({args.hot} hot), tokens and ceiling copy "
        f"in {time.perf_counter() - t0:.1f} s",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
