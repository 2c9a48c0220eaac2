"""Parsing a OneRoster 1.1 / 1.2 CSV bundle into a Plan (see plan.py and docs/roster.md).

Files used: orgs.csv, users.csv, classes.csv and enrollments.csv (required), roles.csv (1.2)
and manifest.csv (optional). People's roles come from roles.csv when it is there, otherwise
from the ``role`` and ``orgSourcedIds`` columns of users.csv (1.1). Guardians are linked to
students through ``agentSourcedIds``. Other files of the standard are ignored.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from tongke.orgs.enums import LocationClass, RegionLevel, Role, SchoolType, UnitKind
from tongke.roster import errors, values
from tongke.roster.plan import TARGET, Plan, RoleSpec, UnitSpec, UserSpec, derived_id, spec_ref
from tongke.roster.report import Report, Where
from tongke.roster.source import Source
from tongke.roster.table import Row, Table, read_table

REQUIRED_FILES = ("orgs.csv", "users.csv", "classes.csv", "enrollments.csv")
COMMON = ("sourcedId", "status", "dateLastModified")
ORGS = (*COMMON, "name", "type", "identifier", "parentSourcedId")
ORG_EXTENSIONS = (
    "tongke_school_type",
    "tongke_location_class",
    "tongke_region_level",
    "tongke_name_en",
)
USERS = (
    *COMMON,
    "enabledUser",
    "orgSourcedIds",
    "role",
    "username",
    "userIds",
    "givenName",
    "familyName",
    "middleName",
    "identifier",
    "email",
    "sms",
    "phone",
    "agentSourcedIds",
    "grades",
    "password",
    "userMasterIdentifier",
    "resourceSourcedIds",
    "preferredGivenName",
    "preferredMiddleName",
    "preferredFamilyName",
    "primaryOrgSourcedId",
    "pronouns",
)
CLASSES = (
    *COMMON,
    "title",
    "grades",
    "courseSourcedId",
    "classCode",
    "classType",
    "location",
    "schoolSourcedId",
    "termSourcedIds",
    "subjects",
    "subjectCodes",
    "periods",
)
ENROLLMENTS = (
    *COMMON,
    "classSourcedId",
    "schoolSourcedId",
    "userSourcedId",
    "role",
    "primary",
    "beginDate",
    "endDate",
)
ROLES = (
    *COMMON,
    "userSourcedId",
    "roleType",
    "role",
    "beginDate",
    "endDate",
    "orgSourcedId",
    "userProfileSourcedId",
)

STATUS = {"": False, "active": False, "tobedeleted": True}
ORG_TYPES = {
    "school": UnitKind.SCHOOL,
    "district": RegionLevel.DISTRICT,
    "local": RegionLevel.CITY,
    "state": RegionLevel.PROVINCE,
    "national": RegionLevel.NATION,
    "department": "",
}
ENABLED = {"": None, "true": True, "false": False, "1": True, "0": False}

# What a person's role in users.csv (1.1) or roles.csv (1.2) means in Tongke. "admin" becomes
# school_admin at a school and region_admin at a region; "student" and "guardian" give no
# role by themselves (enrollments and guardian links do); "ignore" is reported and skipped.
ADMIN = "@admin"
STUDENT, GUARDIAN, IGNORE = "student", "guardian", "ignore"
PERSON_ROLES: dict[str, str] = {
    "student": STUDENT,
    "teacher": Role.TEACHER,
    "aide": Role.TUTOR,
    "proctor": Role.TUTOR,
    "administrator": ADMIN,
    "siteadministrator": ADMIN,
    "districtadministrator": ADMIN,
    "principal": ADMIN,
    "guardian": GUARDIAN,
    "parent": GUARDIAN,
    "relative": GUARDIAN,
    "counselor": IGNORE,
    "systemadministrator": IGNORE,
}
ENROLLMENT_ROLES: dict[str, str] = {
    "student": Role.STUDENT,
    "teacher": Role.TEACHER,
    "aide": Role.TUTOR,
    "proctor": Role.TUTOR,
    "administrator": IGNORE,
}
MANIFEST_VERSIONS = ("1.0", "1.1", "1.2")
MANIFEST_MODES = {"bulk", "delta", "absent"}


def short_code(value: str, limit: int = 64) -> str:
    if len(value) <= limit:
        return value
    return f"OR-{hashlib.sha256(value.encode()).hexdigest()[:16]}"


@dataclass
class _Org:
    row: Row
    kind: str  # region | school | "" (ignored)
    spec: UnitSpec | None = None
    parent_sid: str = ""


@dataclass
class _User:
    row: Row
    remove: bool
    kinds: set[str] = field(default_factory=set)
    agents: list[str] = field(default_factory=list)


class OneRosterParser:
    def __init__(self, source: Source, report: Report) -> None:
        self.source = source
        self.report = report
        self.plan = Plan(kind=source.kind)
        self.broken: set[str] = set()
        self.orgs: dict[str, _Org] = {}
        self.classes: dict[str, tuple[Row, UnitSpec | None, str]] = {}  # sid -> row, spec, school
        self.users: dict[str, _User] = {}

    # --- Reading -------------------------------------------------------------------------------

    def _table(
        self, name: str, columns: tuple[str, ...], required: tuple[str, ...]
    ) -> Table | None:
        data = self.source.files.get(name)
        if data is None:
            return None
        known = (*columns, *ORG_EXTENSIONS) if name == "orgs.csv" else columns
        return read_table(
            data,
            file=name,
            report=self.report,
            required=required,
            known=known,
            strict=False,
            phone_columns=("phone", "sms"),
        )

    def parse(self) -> Plan | None:
        missing = [f for f in REQUIRED_FILES if f not in self.source.files]
        for name in missing:
            self.report.error(errors.MISSING_FILE, file=self.source.name, value=name)
        self._manifest()
        orgs = self._table("orgs.csv", ORGS, ("sourcedId", "name", "type"))
        users = self._table(
            "users.csv", USERS, ("sourcedId", "username", "givenName", "familyName")
        )
        classes = self._table(
            "classes.csv", CLASSES, ("sourcedId", "title", "schoolSourcedId", "grades")
        )
        enrollments = self._table(
            "enrollments.csv", ENROLLMENTS, ("sourcedId", "classSourcedId", "userSourcedId", "role")
        )
        roles = self._table(
            "roles.csv", ROLES, ("sourcedId", "userSourcedId", "role", "orgSourcedId")
        )
        readable = not missing and None not in (orgs, users, classes, enrollments)
        if "roles.csv" in self.source.files and roles is None:
            readable = False
        if orgs is not None:
            self._orgs(orgs)
        if classes is not None:
            self._classes(classes)
        if users is not None:
            self._users(users)
            if roles is not None:
                self._roles(roles)
            elif "roles.csv" not in self.source.files:
                if users.has("role"):
                    self._user_roles()
                else:
                    self.report.error(errors.MISSING_ROLES, file="users.csv", line=1, column="role")
                    readable = False
        if enrollments is not None:
            self._enrollments(enrollments)
        if users is not None:
            self._guardians()
        self.plan.broken = self.broken
        return self.plan if readable else None

    def _manifest(self) -> None:
        data = self.source.files.get("manifest.csv")
        if data is None:
            return
        table = read_table(
            data,
            file="manifest.csv",
            report=self.report,
            required=("propertyName", "value"),
            known=("propertyName", "value"),
            strict=True,
        )
        for row in table.rows if table else []:
            prop, value = row.get("propertyName"), row.get("value")
            if prop == "oneroster.version" and value not in MANIFEST_VERSIONS:
                self.report.error(
                    errors.BAD_VERSION, file=row.file, line=row.line, column="value", value=value
                )
            elif prop.startswith("file.") and value.lower() not in MANIFEST_MODES:
                self.report.error(
                    errors.BAD_VALUE,
                    file=row.file,
                    line=row.line,
                    column="value",
                    value=value,
                    allowed=", ".join(sorted(MANIFEST_MODES)),
                )

    # --- Helpers -----------------------------------------------------------------------------

    def _sid(self, row: Row, seen: dict[str, int], column: str = "sourcedId") -> str | None:
        sid = values.text(self.report, row, column, limit=128)
        return self._first_seen(row, seen, column, sid, errors.DUPLICATE_ID)

    def _first_seen(
        self, row: Row, seen: dict[str, int], column: str, value: str | None, code: str
    ) -> str | None:
        """``value`` when this is its first appearance in the file; otherwise report the
        line it first appeared on (``code``) and give None."""
        if not value:
            return None
        if value in seen:
            self.report.error(
                code, file=row.file, line=row.line, column=column, value=value, first=seen[value]
            )
            return None
        seen[value] = row.line
        return value

    def _status(self, row: Row) -> bool | None:
        if "status" not in row.cells:
            return False
        return values.enum(self.report, row, "status", STATUS)

    def _org_ref(self, sid: str) -> str:
        return spec_ref(f"org:{sid}") if sid in self.orgs else f"ext:{sid}"

    def _user_ref(self, sid: str) -> str:
        return spec_ref(f"user:{sid}") if sid in self.users else f"ext:{sid}"

    def _class_ref(self, sid: str) -> str:
        return spec_ref(f"class:{sid}") if sid in self.classes else f"ext:{sid}"

    # --- orgs.csv ----------------------------------------------------------------------------

    def _orgs(self, table: Table) -> None:
        seen: dict[str, int] = {}
        identifiers: dict[str, int] = {}
        for row in table.rows:
            sid = self._sid(row, seen)
            if sid is None:
                continue
            remove = self._status(row)
            org_type = values.enum(self.report, row, "type", ORG_TYPES)
            name = values.text(self.report, row, "name", required=not remove)
            identifier = values.text(self.report, row, "identifier", required=False, limit=64)
            if identifier:  # optional: an empty one stays "" (None would mark the row bad)
                identifier = self._first_seen(
                    row, identifiers, "identifier", identifier, errors.DUPLICATE_VALUE
                )
            school_type = values.enum(
                self.report, row, "tongke_school_type", {"": "", **_choices(SchoolType.values)}
            )
            location = values.enum(
                self.report,
                row,
                "tongke_location_class",
                {"": "", **_choices(LocationClass.values)},
            )
            level = values.enum(
                self.report, row, "tongke_region_level", {"": "", **_choices(RegionLevel.values)}
            )
            name_en = values.text(self.report, row, "tongke_name_en", required=False)
            bad = (
                not row.ok
                or remove is None
                or org_type is None
                or name is None
                or identifier is None
                or school_type is None
                or location is None
                or level is None
                or name_en is None
            )
            if org_type == "":
                self.report.warning(
                    errors.IGNORED_ORG,
                    file=row.file,
                    line=row.line,
                    column="type",
                    value=row.get("type"),
                )
                self.orgs[sid] = _Org(row=row, kind="")
                continue
            kind = UnitKind.SCHOOL if org_type == UnitKind.SCHOOL else UnitKind.REGION
            org = _Org(row=row, kind=kind, parent_sid=row.get("parentSourcedId"))
            self.orgs[sid] = org
            if bad:
                self.broken.add(spec_ref(f"org:{sid}"))
                continue
            org.spec = UnitSpec(
                key=f"org:{sid}",
                kind=kind,
                where=Where(row.file, row.line),
                entity="orgs",
                name=name or "",
                parent=TARGET,
                parent_column="parentSourcedId",
                external_id=sid,
                code=short_code(identifier or sid),
                name_en=name_en or None,
                region_level=(level or org_type) if kind == UnitKind.REGION else None,
                school_type=school_type or None,
                location_class=location or None,
                remove=bool(remove),
            )
        self._order_orgs()

    def _order_orgs(self) -> None:
        """Orgs as specs, parents before children; loops are reported."""
        done: set[str] = set()
        for sid in self.orgs:
            chain: list[str] = []
            current: str | None = sid
            while current and current in self.orgs and current not in done:
                if current in chain:
                    for looped in chain[chain.index(current) :]:
                        row = self.orgs[looped].row
                        self.report.error(
                            errors.CYCLE,
                            file=row.file,
                            line=row.line,
                            column="parentSourcedId",
                            value=self.orgs[looped].parent_sid,
                        )
                        self.orgs[looped].spec = None
                        self.broken.add(spec_ref(f"org:{looped}"))
                    break
                chain.append(current)
                current = self.orgs[current].parent_sid or None
            for member in reversed(chain):
                if member in done:
                    continue
                done.add(member)
                org = self.orgs[member]
                if org.spec is None:
                    continue
                parent = org.parent_sid
                if parent and parent in self.orgs and not self.orgs[parent].kind:
                    self.report.error(
                        errors.BAD_PARENT,
                        file=org.row.file,
                        line=org.row.line,
                        column="parentSourcedId",
                        value=parent,
                        kind=org.kind,
                        parent="department",
                    )
                    self.broken.add(spec_ref(org.spec.key))
                    continue
                org.spec.parent = self._org_ref(parent) if parent else TARGET
                self.plan.units.append(org.spec)

    # --- classes.csv -------------------------------------------------------------------------

    def _classes(self, table: Table) -> None:
        seen: dict[str, int] = {}
        for row in table.rows:
            sid = self._sid(row, seen)
            if sid is None:
                continue
            remove = self._status(row)
            title = values.text(self.report, row, "title", required=not remove)
            school = values.text(self.report, row, "schoolSourcedId", limit=128)
            class_code = values.text(self.report, row, "classCode", required=False, limit=40)
            level = self._grade(row, required=not remove)
            bad = (
                not row.ok
                or remove is None
                or title is None
                or not school
                or class_code is None
                or (level is None and not remove)
            )
            if school and school in self.orgs and self.orgs[school].kind != UnitKind.SCHOOL:
                self.report.error(
                    errors.BAD_PARENT,
                    file=row.file,
                    line=row.line,
                    column="schoolSourcedId",
                    value=school,
                    kind=UnitKind.CLASS,
                    parent=self.orgs[school].kind or "department",
                )
                bad = True
            if bad:
                self.classes[sid] = (row, None, school or "")
                self.broken.add(spec_ref(f"class:{sid}"))
                continue
            spec = UnitSpec(
                key=f"class:{sid}",
                kind=UnitKind.CLASS,
                where=Where(row.file, row.line),
                entity="classes",
                name=title or "",
                parent=self._org_ref(school or ""),
                parent_column="schoolSourcedId",
                external_id=sid,
                code_suffix=class_code or sid,
                grade_level=level,
                remove=bool(remove),
            )
            self.classes[sid] = (row, spec, school or "")
            self.plan.units.append(spec)

    def _grade(self, row: Row, *, required: bool) -> int | None:
        parsed = [values.grade(g) for g in values.split_list(row.get("grades"))]
        levels = sorted({lv for lv in parsed if lv is not None})
        if not levels or None in parsed:
            if required:
                self.report.error(
                    errors.BAD_GRADE,
                    file=row.file,
                    line=row.line,
                    column="grades",
                    value=row.get("grades"),
                )
            return None
        if len(levels) > 1:
            self.report.warning(
                errors.MULTI_GRADE,
                file=row.file,
                line=row.line,
                column="grades",
                value=row.get("grades"),
                grade=levels[0],
            )
        return levels[0]

    # --- users.csv ---------------------------------------------------------------------------

    def _users(self, table: Table) -> None:
        seen: dict[str, int] = {}
        usernames: dict[str, int] = {}
        for row in table.rows:
            sid = self._sid(row, seen)
            if sid is None:
                continue
            remove = self._status(row)
            username = values.username(self.report, row, "username", required=not remove)
            given = values.text(self.report, row, "givenName", required=not remove, limit=150)
            family = values.text(self.report, row, "familyName", required=not remove, limit=150)
            middle = values.text(self.report, row, "middleName", required=False, limit=150)
            email = values.email(self.report, row, "email")
            phone = values.phone(self.report, row, "phone") or values.phone(self.report, row, "sms")
            enabled = (
                values.enum(self.report, row, "enabledUser", ENABLED)
                if table.has("enabledUser")
                else None
            )
            if row.get("password"):
                self.report.warning(errors.PASSWORD_IGNORED, file=row.file, column="password")
            name = values.full_name(given or "", family or "", middle or "")
            if len(name) > 150:
                self.report.error(
                    errors.TOO_LONG, file=row.file, line=row.line, column="givenName", limit=150
                )
                name = ""
            if username and not remove:
                username = self._first_seen(
                    row, usernames, "username", username, errors.DUPLICATE_VALUE
                )
            self.users[sid] = _User(
                row=row, remove=bool(remove), agents=values.split_list(row.get("agentSourcedIds"))
            )
            bad = (
                not row.ok
                or remove is None
                or username is None
                or given is None
                or family is None
                or middle is None
                or email is None
                or phone is None
                or (not name and not remove)
                or (table.has("enabledUser") and row.get("enabledUser").lower() not in ENABLED)
            )
            if bad:
                self.broken.add(spec_ref(f"user:{sid}"))
                continue
            fields: dict[str, object] = {}
            if not remove:
                fields["full_name"] = name
                if table.has("email"):
                    fields["email"] = email or ""
                if table.has("phone") or table.has("sms"):
                    fields["phone"] = phone or ""
                if enabled is not None:
                    fields["is_active"] = enabled
            self.plan.users.append(
                UserSpec(
                    key=f"user:{sid}",
                    where=Where(row.file, row.line),
                    username=username or "",
                    external_id=sid,
                    fields=fields,
                    remove=bool(remove),
                )
            )

    # --- roles.csv (1.2) and users.csv role (1.1) --------------------------------------------

    def _person_role(
        self,
        *,
        row: Row,
        user_sid: str,
        org_sid: str,
        category: str,
        external_id: str,
        remove: bool,
        org_column: str,
    ) -> None:
        user = self.users.get(user_sid)
        if user is not None and not remove:
            user.kinds.add(category)
        if category in (STUDENT, GUARDIAN):
            return
        if category == IGNORE:
            self.report.warning(
                errors.IGNORED_ROLE,
                file=row.file,
                line=row.line,
                column="role",
                value=row.get("role"),
            )
            return
        if not org_sid:
            self.report.error(errors.REQUIRED, file=row.file, line=row.line, column=org_column)
            return
        org = self.orgs.get(org_sid)
        if org is not None and not org.kind:
            self.report.warning(
                errors.IGNORED_ORG, file=row.file, line=row.line, column=org_column, value=org_sid
            )
            return
        self.plan.roles.append(
            RoleSpec(
                entity="roles",
                where=Where(row.file, row.line),
                role=category,
                user=self._user_ref(user_sid),
                unit=self._org_ref(org_sid),
                external_id=external_id,
                remove=remove or (user is not None and user.remove),
                user_column="userSourcedId" if row.file == "roles.csv" else "sourcedId",
                unit_column=org_column,
            )
        )

    def _roles(self, table: Table) -> None:
        seen: dict[str, int] = {}
        for row in table.rows:
            sid = self._sid(row, seen)
            remove = self._status(row)
            category = values.enum(self.report, row, "role", PERSON_ROLES)
            user_sid = values.text(self.report, row, "userSourcedId", limit=128)
            org_sid = values.text(self.report, row, "orgSourcedId", limit=128)
            if not row.ok or None in (sid, remove, category) or not user_sid or not org_sid:
                continue
            self._person_role(
                row=row,
                user_sid=user_sid or "",
                org_sid=org_sid or "",
                category=category or "",
                external_id=sid or "",
                remove=bool(remove),
                org_column="orgSourcedId",
            )

    def _user_roles(self) -> None:
        for sid, user in self.users.items():
            row = user.row
            if not row.ok:
                continue
            category = values.enum(self.report, row, "role", PERSON_ROLES)
            if category is None:
                self.broken.add(spec_ref(f"user:{sid}"))
                continue
            orgs = values.split_list(row.get("orgSourcedIds"))
            if category in (STUDENT, GUARDIAN, IGNORE) or not orgs:
                orgs = orgs[:1] or [""]
            for org_sid in orgs:
                self._person_role(
                    row=row,
                    user_sid=sid,
                    org_sid=org_sid,
                    category=category,
                    external_id=derived_id("role", sid, org_sid, category),
                    remove=user.remove,
                    org_column="orgSourcedIds",
                )

    # --- enrollments.csv ---------------------------------------------------------------------

    def _enrollments(self, table: Table) -> None:
        seen: dict[str, int] = {}
        for row in table.rows:
            sid = self._sid(row, seen)
            remove = self._status(row)
            role = values.enum(self.report, row, "role", ENROLLMENT_ROLES)
            class_sid = values.text(self.report, row, "classSourcedId", limit=128)
            user_sid = values.text(self.report, row, "userSourcedId", limit=128)
            if not row.ok or None in (sid, remove, role) or not class_sid or not user_sid:
                continue
            if role == IGNORE:
                self.report.warning(
                    errors.IGNORED_ROLE,
                    file=row.file,
                    line=row.line,
                    column="role",
                    value=row.get("role"),
                )
                continue
            school = row.get("schoolSourcedId")
            known = self.classes.get(class_sid or "")
            if school and known is not None and known[2] and known[2] != school:
                self.report.error(
                    errors.SCHOOL_MISMATCH,
                    file=row.file,
                    line=row.line,
                    column="schoolSourcedId",
                    value=class_sid,
                )
                continue
            self.plan.roles.append(
                RoleSpec(
                    entity="enrollments",
                    where=Where(row.file, row.line),
                    role=role or "",
                    user=self._user_ref(user_sid or ""),
                    unit=self._class_ref(class_sid or ""),
                    external_id=sid,
                    remove=bool(remove),
                    user_column="userSourcedId",
                    unit_column="classSourcedId",
                )
            )

    # --- Guardians (agentSourcedIds) ---------------------------------------------------------

    def _guardians(self) -> None:
        pairs: set[tuple[str, str]] = set()
        for sid, user in self.users.items():
            row = user.row
            for agent in user.agents:
                other = self.users.get(agent)
                other_kinds = other.kinds if other is not None else None
                if GUARDIAN in user.kinds and (other_kinds is None or STUDENT in other_kinds):
                    pair = (sid, agent)
                elif STUDENT in user.kinds and (other_kinds is None or GUARDIAN in other_kinds):
                    pair = (agent, sid)
                else:
                    self.report.warning(
                        errors.IGNORED_AGENT,
                        file=row.file,
                        line=row.line,
                        column="agentSourcedIds",
                        value=agent,
                    )
                    continue
                if pair in pairs:
                    continue
                pairs.add(pair)
                parent, student = pair
                removed = any(self.users[u].remove for u in pair if u in self.users)
                self.plan.roles.append(
                    RoleSpec(
                        entity="guardians",
                        where=Where(row.file, row.line),
                        role=Role.PARENT,
                        user=self._user_ref(parent),
                        subject=self._user_ref(student),
                        external_id=derived_id("guardian", parent, student),
                        remove=removed,
                        user_column="agentSourcedIds" if parent == agent else "sourcedId",
                        subject_column="agentSourcedIds" if student == agent else "sourcedId",
                    )
                )


def _choices(options: list[str]) -> dict[str, str]:
    return {v.lower(): v for v in options}


def parse_oneroster(source: Source, report: Report) -> Plan | None:
    return OneRosterParser(source, report).parse()
