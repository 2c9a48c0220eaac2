from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    REGION = "region", _("Region")
    SCHOOL = "school", _("School")
    GRADE = "grade", _("Grade")
    CLASS = "class", _("Class")


class RegionLevel(models.TextChoices):
    NATION = "nation", _("Nation")
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    DISTRICT = "district", _("District / county")


class SchoolType(models.TextChoices):
    PRIMARY = "primary", _("Primary school")
    JUNIOR = "junior", _("Junior secondary school")
    SENIOR = "senior", _("Senior secondary school")
    NINE_YEAR = "nine_year", _("Nine-year school")
    VOCATIONAL = "vocational", _("Vocational school")
    UNIVERSITY = "university", _("University")
    OPEN_UNIVERSITY = "open_university", _("Open university")
    TEACHING_POINT = "teaching_point", _("Teaching point")


class LocationClass(models.TextChoices):
    URBAN = "urban", _("Urban")
    COUNTY = "county", _("County town")
    RURAL = "rural", _("Rural")
    REMOTE = "remote", _("Remote")


class Role(models.TextChoices):
    STUDENT = "student", _("Student")
    TEACHER = "teacher", _("Teacher")
    MASTER_TEACHER = "master_teacher", _("Master teacher")
    TUTOR = "tutor", _("Local tutor")
    PARENT = "parent", _("Parent")
    SCHOOL_ADMIN = "school_admin", _("School administrator")
    REGION_ADMIN = "region_admin", _("Regional administrator")
    REVIEWER = "reviewer", _("Reviewer")
    PROVIDER_STAFF = "provider_staff", _("Provider staff")
    LEARNER = "learner", _("Lifelong learner")


# Which kinds of org unit each role may be scoped to. PARENT is scoped to a person (the
# child) and LEARNER to nothing: a lifelong learner belongs to no school.
ROLE_SCOPE_KINDS: dict[str, tuple[str, ...]] = {
    Role.STUDENT: (UnitKind.CLASS,),
    Role.TEACHER: (UnitKind.SCHOOL, UnitKind.CLASS),
    Role.MASTER_TEACHER: (UnitKind.SCHOOL, UnitKind.CLASS),
    Role.TUTOR: (UnitKind.SCHOOL, UnitKind.CLASS),
    Role.SCHOOL_ADMIN: (UnitKind.SCHOOL,),
    Role.REGION_ADMIN: (UnitKind.REGION,),
    Role.REVIEWER: (UnitKind.REGION,),
    Role.PROVIDER_STAFF: (UnitKind.REGION,),
    Role.PARENT: (),
    Role.LEARNER: (),
}

ADMIN_ROLES = (Role.SCHOOL_ADMIN, Role.REGION_ADMIN)
TEACHING_ROLES = (Role.TEACHER, Role.MASTER_TEACHER, Role.TUTOR)

# Grade levels: 1-6 primary, 7-9 junior secondary, 10-12 senior secondary, 13+ tertiary years.
GRADE_LEVEL_MIN = 1
GRADE_LEVEL_MAX = 16
