"""Moderation's own tables: questions to reporters, fix checks, redactions, group posts (agencies are the
kernel's: bot/city/models.py)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from bot.reports.models import Photo, Report


class InfoRequest(Model):
    """A moderator's question to the reporter and, once given, the reporter's answer."""

    id = fields.IntField(primary_key=True)
    report: fields.ForeignKeyRelation[Report] = fields.ForeignKeyField(
        "core.Report", related_name="info_requests", on_delete=fields.CASCADE
    )
    question = fields.TextField()
    asked_by = fields.CharField(max_length=64)
    asked_at = fields.DatetimeField()
    answer_text: str | None = fields.TextField(null=True)
    answer_photo: fields.ForeignKeyNullableRelation[Photo] = fields.ForeignKeyField(
        "core.Photo", related_name="answers", null=True, on_delete=fields.SET_NULL
    )
    answered_at = fields.DatetimeField(null=True)

    report_id: int  # FK column attributes, declared for the type checker only
    answer_photo_id: int | None

    class Meta:
        table = "info_request"


class FixedCheck(Model):
    """The "is it really fixed?" question asked once per fix of a report, and the reporter's answer."""

    id = fields.IntField(primary_key=True)
    report: fields.ForeignKeyRelation[Report] = fields.ForeignKeyField(
        "core.Report", related_name="fixed_checks", on_delete=fields.CASCADE
    )
    fixed_at = fields.DatetimeField()  # the fix this check is about (a report may be fixed again)
    asked_at = fields.DatetimeField()
    answer = fields.CharField(max_length=8, null=True)  # "yes" or "no"
    answered_at = fields.DatetimeField(null=True)

    report_id: int  # FK column attribute, declared for the type checker only

    class Meta:
        table = "fixed_check"
        unique_together = (("report", "fixed_at"),)


class PhotoRedaction(Model):
    """A black box drawn over part of a photo (the original bytes stay under a restricted key)."""

    id = fields.IntField(primary_key=True)
    photo: fields.ForeignKeyRelation[Photo] = fields.ForeignKeyField(
        "core.Photo", related_name="redactions", on_delete=fields.CASCADE
    )
    original_key = fields.CharField(max_length=160)
    redacted_key = fields.CharField(max_length=160)
    box: dict[str, int] = fields.JSONField(
        default=dict
    )  # {"x": .., "y": .., "w": .., "h": ..} in pixels of the stored photo
    actor = fields.CharField(max_length=64)
    created_at = fields.DatetimeField()

    photo_id: int  # FK column attribute, declared for the type checker only

    class Meta:
        table = "photo_redaction"


class GroupPost(Model):
    """A report's message in the moderators' Telegram group: posted once, then edited as the report moves on."""

    id = fields.IntField(primary_key=True)
    report: fields.ForeignKeyRelation[Report] = fields.ForeignKeyField(
        "core.Report", related_name="group_posts", on_delete=fields.CASCADE
    )
    chat_id = fields.BigIntField()
    message_id = fields.BigIntField(null=True)  # None while the message is being sent
    has_photo = fields.BooleanField(default=False)  # a photo's caption is edited, else the text
    body = fields.TextField()  # the text as first posted, in the default locale
    notes: list[str] = fields.JSONField(default=list)  # one line per later change, appended below the body
    open = fields.BooleanField(default=True)  # shows the action buttons
    version = fields.IntField(default=0)  # bumped by each change of open/notes (an optimistic lock)
    shown_version = fields.IntField(default=0)  # the version the Telegram message shows
    created_at = fields.DatetimeField(auto_now_add=True)

    report_id: int  # FK column attribute, declared for the type checker only

    class Meta:
        table = "group_post"
        unique_together = (("report", "chat_id"),)
