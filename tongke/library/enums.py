"""Choices of the lesson library (LIB-1..6)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NodeKind(models.TextChoices):
    STAGE = "stage", _("Stage")
    SUBJECT = "subject", _("Subject")
    EDITION = "edition", _("Textbook edition")
    VOLUME = "volume", _("Grade / volume")
    CHAPTER = "chapter", _("Chapter")
    LESSON = "lesson", _("Lesson")
    COLLECTION = "collection", _("Thematic collection")
    TOPIC = "topic", _("Topic")


# What may sit under what in the catalogue tree ("" is the root).
NODE_PARENTS: dict[str, tuple[str, ...]] = {
    NodeKind.STAGE: ("",),
    NodeKind.SUBJECT: (NodeKind.STAGE,),
    NodeKind.EDITION: (NodeKind.SUBJECT,),
    NodeKind.VOLUME: (NodeKind.EDITION, NodeKind.SUBJECT),
    NodeKind.CHAPTER: (NodeKind.VOLUME, NodeKind.CHAPTER),
    NodeKind.LESSON: (NodeKind.CHAPTER, NodeKind.VOLUME, NodeKind.TOPIC),
    NodeKind.COLLECTION: ("",),
    NodeKind.TOPIC: (NodeKind.COLLECTION, NodeKind.TOPIC),
}

# Nodes a resource may be filed under: a lesson, or a topic of a thematic collection.
RESOURCE_NODE_KINDS = (NodeKind.LESSON, NodeKind.TOPIC, NodeKind.CHAPTER)


class Stage(models.TextChoices):
    PRIMARY = "primary", _("Primary")
    JUNIOR = "junior", _("Junior secondary")
    SENIOR = "senior", _("Senior secondary")
    VOCATIONAL = "vocational", _("Vocational")
    LIFELONG = "lifelong", _("Lifelong learning")


class ResourceKind(models.TextChoices):
    VIDEO = "video", _("Video lesson")
    MICRO = "micro", _("Micro-lesson")
    COURSEWARE = "courseware", _("Courseware")
    PLAN = "plan", _("Lesson plan")
    TASK_SHEET = "task_sheet", _("Task sheet")
    EXERCISE = "exercise", _("Exercise set")
    LAB_LINK = "lab_link", _("Virtual lab link")
    LIVE_RECORDING = "live_recording", _("Live-class recording")


# Kinds that play as video, and the file kinds (media.sniff) each resource kind accepts.
VIDEO_KINDS = (ResourceKind.VIDEO, ResourceKind.MICRO, ResourceKind.LIVE_RECORDING)
ACCEPTED_FILES: dict[str, tuple[str, ...]] = {
    ResourceKind.VIDEO: ("video",),
    ResourceKind.MICRO: ("video",),
    ResourceKind.LIVE_RECORDING: ("video", "audio"),
    ResourceKind.COURSEWARE: ("pdf", "slides"),
    ResourceKind.PLAN: ("pdf", "document"),
    ResourceKind.TASK_SHEET: ("pdf", "document", "image"),
    ResourceKind.EXERCISE: ("pdf", "document", "spreadsheet"),
    ResourceKind.LAB_LINK: (),
}
MICRO_MAX_SECONDS = 300


class Licence(models.TextChoices):
    CC_BY = "cc-by", _("CC BY 4.0")
    CC_BY_SA = "cc-by-sa", _("CC BY-SA 4.0")
    CC_BY_NC = "cc-by-nc", _("CC BY-NC 4.0")
    CC_BY_NC_SA = "cc-by-nc-sa", _("CC BY-NC-SA 4.0")
    CC0 = "cc0", _("CC0 (public domain)")
    ALL_RIGHTS = "all-rights", _("All rights reserved")


class Visibility(models.TextChoices):
    SCHOOL = "school", _("My school")
    REGION = "region", _("My region")
    ALL_REGIONS = "all", _("All regions")
    PUBLIC = "public", _("Public (anyone, no sign-in)")


class ResourceStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    TAKEN_DOWN = "taken_down", _("Taken down")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Waiting for review")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned with reasons")
    SUPERSEDED = "superseded", _("Superseded")


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approve and publish")
    RETURN = "return", _("Return with reasons")
    TAKE_DOWN = "take_down", _("Take down")
    RESTORE = "restore", _("Restore")


# The reviewer's checklist (凡进必审): every point must be ticked to approve.
CHECKLIST = (
    ("accuracy", _("Content is accurate")),
    ("values", _("Values and orientation are sound")),
    ("copyright", _("Copyright and licence are clear")),
    ("technical", _("Technical quality (sound, picture, legibility) is good")),
)


class AssetStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be processed")
    PROCESSING = "processing", _("Processing")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class DesignationKind(models.TextChoices):
    PROVINCIAL_QUALITY = "provincial_quality", _("Provincial quality lesson")
    MUNICIPAL_QUALITY = "municipal_quality", _("Municipal quality lesson")
    BOUTIQUE = "boutique", _("Boutique course")
